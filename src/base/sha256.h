/* SHA-256 of bytes and files, as 64 lowercase hex digits: what model pins
 * and `sha256sum` print. Built on libavutil's av_sha, so no new dependency. */
#ifndef FT_BASE_SHA256_H
#define FT_BASE_SHA256_H

#include <stddef.h>

#include "facetrack.h"

#define FT_SHA256_HEX_SIZE 65 /* 64 digits and a NUL */

typedef struct ft_sha256 ft_sha256;

/* NULL when out of memory. */
ft_sha256 *ft_sha256_new(void);
void ft_sha256_update(ft_sha256 *h, const void *data, size_t size);
/* Writes the digest of everything given so far; H must not be updated again. */
void ft_sha256_final(ft_sha256 *h, char hex[FT_SHA256_HEX_SIZE]);
void ft_sha256_free(ft_sha256 *h);

/* The digest of the file at PATH. On failure ERR gets one line naming PATH. */
ft_status ft_sha256_file(const char *path, char hex[FT_SHA256_HEX_SIZE], char *err,
                         size_t err_size);
/* 1 when TEXT is 64 hex digits (either case), else 0. */
int ft_sha256_valid_hex(const char *text);
/* 1 when A and B name the same digest, ignoring case. */
int ft_sha256_equal(const char *a, const char *b);

#endif
