/* A log file rotated by size, as Python's RotatingFileHandler does it: when
 * a line would take the file past MAX_BYTES, NAME becomes NAME.1 (NAME.1
 * NAME.2, ... up to BACKUPS) and a new NAME begins. Lines are appended
 * whole, with one write each. Thread-safe. */
#ifndef FT_BASE_ROTATING_LOG_H
#define FT_BASE_ROTATING_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "facetrack.h"

typedef struct ft_rotating_log ft_rotating_log;

/* Creates (truncates) PATH. ERR: one line naming it and the reason. */
ft_status ft_rotating_log_open(const char *path, int64_t max_bytes, int backups,
                               ft_rotating_log **out, char *err, size_t err_size);
/* Appends LINE and a newline; a failed write is dropped (a full disk must
 * not stop the work the log describes). */
void ft_rotating_log_line(ft_rotating_log *log, const char *line);
void ft_rotating_log_close(ft_rotating_log *log);

#endif
