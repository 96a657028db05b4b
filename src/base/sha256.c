#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libavutil/mem.h>
#include <libavutil/sha.h>

#include "base/sha256.h"

struct ft_sha256 {
    struct AVSHA *ctx;
};

ft_sha256 *ft_sha256_new(void)
{
    ft_sha256 *h = malloc(sizeof *h);
    if (!h)
        return NULL;
    h->ctx = av_sha_alloc();
    if (!h->ctx || av_sha_init(h->ctx, 256) < 0) {
        av_free(h->ctx);
        free(h);
        return NULL;
    }
    return h;
}

void ft_sha256_update(ft_sha256 *h, const void *data, size_t size)
{
    av_sha_update(h->ctx, data, size);
}

void ft_sha256_final(ft_sha256 *h, char hex[FT_SHA256_HEX_SIZE])
{
    uint8_t digest[32];
    av_sha_final(h->ctx, digest);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
}

void ft_sha256_free(ft_sha256 *h)
{
    if (!h)
        return;
    av_free(h->ctx);
    free(h);
}

ft_status ft_sha256_file(const char *path, char hex[FT_SHA256_HEX_SIZE], char *err,
                         size_t err_size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        snprintf(err, err_size, "%s: cannot open: %s", path, strerror(e));
        return e == ENOENT ? FT_ERR_NOT_FOUND : FT_ERR_IO;
    }
    ft_sha256 *h = ft_sha256_new();
    uint8_t *buf = malloc(1 << 16);
    if (!h || !buf) {
        fclose(f);
        ft_sha256_free(h);
        free(buf);
        snprintf(err, err_size, "%s: out of memory", path);
        return FT_ERR_NOMEM;
    }
    size_t n;
    while ((n = fread(buf, 1, 1 << 16, f)) > 0)
        ft_sha256_update(h, buf, n);
    const int failed = ferror(f);
    fclose(f);
    free(buf);
    if (failed) {
        ft_sha256_free(h);
        snprintf(err, err_size, "%s: read error", path);
        return FT_ERR_IO;
    }
    ft_sha256_final(h, hex);
    ft_sha256_free(h);
    return FT_OK;
}

int ft_sha256_valid_hex(const char *text)
{
    if (!text)
        return 0;
    for (int i = 0; i < 64; i++)
        if (!isxdigit((unsigned char)text[i]))
            return 0;
    return text[64] == '\0';
}

int ft_sha256_equal(const char *a, const char *b)
{
    return ft_sha256_valid_hex(a) && ft_sha256_valid_hex(b) && strcasecmp(a, b) == 0;
}
