#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <zip.h>

#include "nn/model_file.h"
#include "nn/packed_assets.h"

#define MAX_MODEL_BYTES ((size_t)1 << 30) /* no face model is near 1 GiB */

static ft_status read_plain(const char *path, ft_model_bytes *out, char *err, size_t err_size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_size, "%s: cannot open: %s", path, strerror(errno));
        return errno == ENOENT ? FT_ERR_NOT_FOUND : FT_ERR_IO;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fclose(f);
        snprintf(err, err_size, "%s: not a regular file", path);
        return FT_ERR_IO;
    }
    if ((size_t)sb.st_size > MAX_MODEL_BYTES) {
        fclose(f);
        snprintf(err, err_size, "%s: too large for a model (%lld bytes)", path, (long long)sb.st_size);
        return FT_ERR_FORMAT;
    }
    out->size = (size_t)sb.st_size;
    out->data = malloc(out->size ? out->size : 1);
    if (!out->data) {
        fclose(f);
        snprintf(err, err_size, "%s: out of memory", path);
        return FT_ERR_NOMEM;
    }
    size_t got = fread(out->data, 1, out->size, f);
    fclose(f);
    if (got != out->size) {
        ft_model_bytes_free(out);
        snprintf(err, err_size, "%s: read error", path);
        return FT_ERR_IO;
    }
    return FT_OK;
}

static ft_status read_member(const char *bundle, const char *member, ft_model_bytes *out,
                             char *err, size_t err_size)
{
    int zerr = 0;
    zip_t *z = zip_open(bundle, ZIP_RDONLY, &zerr);
    if (!z) {
        zip_error_t e;
        zip_error_init_with_code(&e, zerr);
        snprintf(err, err_size, "%s: not a readable model bundle: %s", bundle, zip_error_strerror(&e));
        zip_error_fini(&e);
        return FT_ERR_FORMAT;
    }
    ft_status st = FT_OK;
    zip_stat_t zs;
    zip_file_t *zf = NULL;
    if (zip_stat(z, member, 0, &zs) != 0 || !(zs.valid & ZIP_STAT_SIZE)) {
        snprintf(err, err_size, "%s: no member '%s' in the bundle", bundle, member);
        st = FT_ERR_NOT_FOUND;
    } else if (zs.size > MAX_MODEL_BYTES) {
        snprintf(err, err_size, "%s:%s: too large for a model", bundle, member);
        st = FT_ERR_FORMAT;
    } else if (!(out->data = malloc(zs.size ? zs.size : 1))) {
        snprintf(err, err_size, "%s:%s: out of memory", bundle, member);
        st = FT_ERR_NOMEM;
    } else if (!(zf = zip_fopen(z, member, 0)) ||
               zip_fread(zf, out->data, zs.size) != (zip_int64_t)zs.size) {
        snprintf(err, err_size, "%s:%s: cannot read: %s", bundle, member,
                 zf ? zip_strerror(z) : zip_strerror(z));
        st = FT_ERR_FORMAT;
    } else {
        out->size = zs.size;
    }
    if (zf && zip_fclose(zf) != 0 && st == FT_OK) {
        snprintf(err, err_size, "%s:%s: corrupt member (checksum)", bundle, member);
        st = FT_ERR_FORMAT;
    }
    zip_discard(z);
    if (st != FT_OK)
        ft_model_bytes_free(out);
    return st;
}

ft_status ft_model_bytes_read(const char *spec, ft_model_bytes *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    if (!spec || !*spec) {
        snprintf(err, err_size, "(model): no model name given");
        return FT_ERR_INVALID_ARG;
    }
    struct stat sb;
    const char *colon = strrchr(spec, ':');
    if (stat(spec, &sb) == 0 || !colon)
        return read_plain(spec, out, err, err_size);
    char *bundle = strndup(spec, (size_t)(colon - spec));
    if (!bundle)
        return FT_ERR_NOMEM;
    ft_status st = stat(bundle, &sb) != 0 ? read_plain(spec, out, err, err_size)
                   : ft_packed_assets_is_data(bundle)
                       ? ft_packed_assets_read(bundle, colon + 1, out, err, err_size)
                       : read_member(bundle, colon + 1, out, err, err_size);
    free(bundle);
    return st;
}

void ft_model_bytes_free(ft_model_bytes *b)
{
    free(b->data);
    b->data = NULL;
    b->size = 0;
}
