/* Failure messages into callers' buffers (see format_error.h). */
#include "base/format_error.h"

#include <stdio.h>

ft_status ft_format_error_v(char *err, size_t err_size, ft_status st, const char *fmt, va_list ap)
{
    if (err && err_size > 0)
        vsnprintf(err, err_size, fmt, ap);
    return st;
}

void ft_clear_error(char *err, size_t err_size)
{
    if (err && err_size > 0)
        err[0] = '\0';
}

ft_status ft_format_error(char *err, size_t err_size, ft_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ft_format_error_v(err, err_size, st, fmt, ap);
    va_end(ap);
    return st;
}
