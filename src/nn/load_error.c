#include "nn/load_error.h"

#include <stdio.h>

void ft_nn_format_error(char *err, size_t err_size, const char *file, const char *fmt, va_list ap)
{
    if (!err || !err_size)
        return;
    char reason[300];
    vsnprintf(reason, sizeof reason, fmt, ap);
    snprintf(err, err_size, "%s: %s", file, reason);
    for (char *c = err; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
}
