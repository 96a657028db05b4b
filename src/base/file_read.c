/* Whole-file reads with a size limit (see file_read.h). */
#include "base/file_read.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/format_error.h"

ft_status ft_read_file(const char *path, size_t max_bytes, const char *what, char **data,
                       size_t *size, char *err, size_t err_size)
{
    *data = NULL;
    *size = 0;
    ft_clear_error(err, err_size);
    if (!path)
        return ft_format_error(err, err_size, FT_ERR_INVALID_ARG, "(null): no path");
    FILE *f = fopen(path, "rb");
    if (!f) {
        const int e = errno;
        return ft_format_error(err, err_size,
                               e == ENOENT || e == ENOTDIR ? FT_ERR_NOT_FOUND : FT_ERR_IO,
                               "%s: cannot open: %s", path, strerror(e));
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        fclose(f);
        return ft_format_error(err, err_size, FT_ERR_IO, "%s: is a folder, not a file", path);
    }
    /* Regular files are read in one go; pipes grow the buffer as they come. */
    size_t cap = fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0
                     ? (size_t)sb.st_size + 1 : 4096;
    if (cap > max_bytes + 1)
        cap = max_bytes + 1; /* one byte over the limit tells a larger file apart */
    char *buf = NULL;
    size_t used = 0;
    ft_status st = FT_OK;
    for (;;) {
        if (!buf || used == cap) {
            if (buf)
                cap = cap > max_bytes / 2 ? max_bytes + 1 : cap * 2;
            char *grown = realloc(buf, cap + 1);
            if (!grown) {
                st = ft_format_error(err, err_size, FT_ERR_NOMEM, "%s: out of memory", path);
                break;
            }
            buf = grown;
        }
        const size_t got = fread(buf + used, 1, cap - used, f);
        used += got;
        if (used > max_bytes) {
            st = ft_format_error(err, err_size, FT_ERR_FORMAT,
                                 "%s: too large for %s (over %zu bytes)", path, what, max_bytes);
            break;
        }
        if (got == 0)
            break;
    }
    if (st == FT_OK && ferror(f))
        st = ft_format_error(err, err_size, FT_ERR_IO, "%s: read error", path);
    fclose(f);
    if (st != FT_OK) {
        free(buf);
        return st;
    }
    buf[used] = '\0';
    *data = buf;
    *size = used;
    return FT_OK;
}

ft_status ft_parse_file(const char *path, size_t max_bytes, const char *what, ft_file_parser parse,
                        void *out, char *err, size_t err_size)
{
    char *data;
    size_t size;
    ft_status st = ft_read_file(path, max_bytes, what, &data, &size, err, err_size);
    if (st != FT_OK)
        return st;
    st = parse(path, data, size, out, err, err_size);
    free(data);
    return st;
}
