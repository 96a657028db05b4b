/* The one way a failure is written into a caller's message buffer. */
#ifndef FT_BASE_FORMAT_ERROR_H
#define FT_BASE_FORMAT_ERROR_H

#include <stdarg.h>
#include <stddef.h>

#include "facetrack.h"

/* Formats the message into ERR (nothing when ERR is NULL or ERR_SIZE 0: the
 * caller wants no text) and returns ST, so that a failure is one statement:
 *     return ft_format_error(err, err_size, FT_ERR_IO, "%s: %s", path, why); */
ft_status ft_format_error(char *err, size_t err_size, ft_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Empties ERR (when there is one): no failure to tell. */
void ft_clear_error(char *err, size_t err_size);
ft_status ft_format_error_v(char *err, size_t err_size, ft_status st, const char *fmt,
                            va_list ap) __attribute__((format(printf, 4, 0)));

#endif
