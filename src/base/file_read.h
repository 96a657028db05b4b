/* A whole (small) input file in memory: settings, shot lists, analyses. */
#ifndef FT_BASE_FILE_READ_H
#define FT_BASE_FILE_READ_H

#include <stddef.h>

#include "facetrack.h"

/* Reads PATH into *DATA (malloc'ed, NUL-terminated; *SIZE bytes without the
 * NUL). Pipes work too. A file over MAX_BYTES is FT_ERR_FORMAT ("PATH: too
 * large for WHAT (over N bytes)"); a missing one FT_ERR_NOT_FOUND; no PATH
 * (NULL) FT_ERR_INVALID_ARG. ERR names the file and the reason, and is
 * emptied on success. */
ft_status ft_read_file(const char *path, size_t max_bytes, const char *what, char **data,
                       size_t *size, char *err, size_t err_size);

/* What reads a file's bytes into OUT; ERR as ft_read_file's. */
typedef ft_status (*ft_file_parser)(const char *path, const char *data, size_t size, void *out,
                                    char *err, size_t err_size);

/* Reads PATH as ft_read_file does, then PARSE reads its bytes into OUT; the
 * bytes are freed after. */
ft_status ft_parse_file(const char *path, size_t max_bytes, const char *what, ft_file_parser parse,
                        void *out, char *err, size_t err_size);

#endif
