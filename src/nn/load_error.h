/* One-line load errors shared by the model loaders. */
#ifndef FT_NN_LOAD_ERROR_H
#define FT_NN_LOAD_ERROR_H

#include <stdarg.h>
#include <stddef.h>

/* Writes "FILE: REASON" into err; names read from a model file may hold any
 * byte, so control characters become '?' and the message stays one line. */
void ft_nn_format_error(char *err, size_t err_size, const char *file, const char *fmt, va_list ap);

#endif
