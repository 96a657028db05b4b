/* The loader .js is parsed just enough: the array after "files", each entry
 * a flat JSON object of strings and integers. Offsets are checked against
 * the data file's size before anything is read. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "nn/packed_assets.h"

#define MAX_LOADER_BYTES ((size_t)4 << 20) /* the real one is 9 KB */
#define MAX_MEMBER_BYTES ((uint64_t)1 << 30)
#define MAX_NAME 4096

typedef struct cursor {
    const char *p, *end;
} cursor;

int ft_packed_assets_is_data(const char *path)
{
    size_t n = strlen(path);
    return n > 5 && strcmp(path + n - 5, ".data") == 0;
}

static void skip_ws(cursor *c)
{
    while (c->p < c->end && isspace((unsigned char)*c->p))
        c->p++;
}

static int eat(cursor *c, char ch)
{
    skip_ws(c);
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return 1;
    }
    return 0;
}

/* A JSON string into OUT (escapes kept as the escaped character). */
static int parse_string(cursor *c, char *out, size_t out_size)
{
    size_t n = 0;
    if (!eat(c, '"'))
        return 0;
    while (c->p < c->end && *c->p != '"') {
        if (*c->p == '\\' && ++c->p == c->end)
            return 0;
        if (n + 1 >= out_size)
            return 0;
        out[n++] = *c->p++;
    }
    out[n] = '\0';
    return eat(c, '"');
}

static int parse_uint(cursor *c, uint64_t *out)
{
    skip_ws(c);
    uint64_t v = 0;
    const char *start = c->p;
    while (c->p < c->end && isdigit((unsigned char)*c->p)) {
        if (v > (UINT64_MAX - 9) / 10)
            return 0;
        v = v * 10 + (uint64_t)(*c->p++ - '0');
    }
    *out = v;
    return c->p > start;
}

/* Finds MEMBER's [start, end) in the "files" array; 1 found, 0 absent,
 * -1 malformed. */
static int find_range(cursor *c, const char *member, uint64_t *start, uint64_t *end)
{
    static const char key[] = "\"files\"";
    const char *at = NULL;
    for (const char *p = c->p; p + sizeof key - 1 <= c->end && !at; p++)
        if (memcmp(p, key, sizeof key - 1) == 0)
            at = p;
    if (!at)
        return -1;
    c->p = at + sizeof key - 1;
    if (!eat(c, ':') || !eat(c, '['))
        return -1;
    const size_t mlen = strlen(member);
    char name[MAX_NAME], skipped[MAX_NAME];
    char field[64];
    uint64_t ignored;
    if (eat(c, ']'))
        return 0;
    do {
        int have_name = 0, have_start = 0, have_end = 0;
        uint64_t s = 0, e = 0;
        if (!eat(c, '{'))
            return -1;
        do {
            if (!parse_string(c, field, sizeof field) || !eat(c, ':'))
                return -1;
            skip_ws(c);
            int ok;
            if (strcmp(field, "filename") == 0)
                ok = have_name = parse_string(c, name, sizeof name);
            else if (strcmp(field, "start") == 0)
                ok = have_start = parse_uint(c, &s);
            else if (strcmp(field, "end") == 0)
                ok = have_end = parse_uint(c, &e);
            else if (c->p < c->end && *c->p == '"')
                ok = parse_string(c, skipped, sizeof skipped);
            else
                ok = parse_uint(c, &ignored);
            if (!ok)
                return -1;
        } while (eat(c, ','));
        if (!eat(c, '}') || !have_name || !have_start || !have_end)
            return -1;
        const size_t nlen = strlen(name);
        if (strcmp(name, member) == 0 ||
            (nlen > mlen && name[nlen - mlen - 1] == '/' && strcmp(name + nlen - mlen, member) == 0)) {
            *start = s;
            *end = e;
            return 1;
        }
    } while (eat(c, ','));
    return eat(c, ']') ? 0 : -1;
}

static char *read_loader(const char *path, size_t *size, char *err, size_t err_size, ft_status *st)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_size, "%s: cannot open the packed-assets loader: %s", path, strerror(errno));
        *st = errno == ENOENT ? FT_ERR_NOT_FOUND : FT_ERR_IO;
        return NULL;
    }
    char *buf = malloc(MAX_LOADER_BYTES + 1);
    size_t n = buf ? fread(buf, 1, MAX_LOADER_BYTES + 1, f) : 0;
    int bad = buf && ferror(f);
    fclose(f);
    if (!buf || bad || n > MAX_LOADER_BYTES) {
        snprintf(err, err_size, "%s: %s", path,
                 !buf ? "out of memory" : bad ? "read error" : "too large for a packed-assets loader");
        *st = !buf ? FT_ERR_NOMEM : bad ? FT_ERR_IO : FT_ERR_FORMAT;
        free(buf);
        return NULL;
    }
    *size = n;
    return buf;
}

ft_status ft_packed_assets_read(const char *data_path, const char *member, ft_model_bytes *out,
                                char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    const size_t n = strlen(data_path);
    char *loader = malloc(n + 16);
    if (!loader)
        return FT_ERR_NOMEM;
    snprintf(loader, n + 16, "%.*s_loader.js", (int)(n - 5), data_path);
    ft_status st = FT_OK;
    size_t js_size = 0;
    char *js = read_loader(loader, &js_size, err, err_size, &st);
    uint64_t start = 0, end = 0;
    int found = -1;
    if (js) {
        cursor c = {js, js + js_size};
        found = find_range(&c, member, &start, &end);
        free(js);
        if (found < 0) {
            snprintf(err, err_size, "%s: malformed packed-assets loader (no valid \"files\" list)", loader);
            st = FT_ERR_FORMAT;
        } else if (!found) {
            snprintf(err, err_size, "%s: no member '%s' in the packed assets", data_path, member);
            st = FT_ERR_NOT_FOUND;
        }
    }
    free(loader);
    if (st != FT_OK)
        return st;

    FILE *f = fopen(data_path, "rb");
    struct stat sb;
    if (!f || fstat(fileno(f), &sb) != 0) {
        snprintf(err, err_size, "%s: cannot open: %s", data_path, strerror(errno));
        if (f)
            fclose(f);
        return FT_ERR_IO;
    }
    if (start > end || end > (uint64_t)sb.st_size || end - start > MAX_MEMBER_BYTES) {
        fclose(f);
        snprintf(err, err_size, "%s: member '%s' has bytes %llu..%llu, outside the %lld-byte file",
                 data_path, member, (unsigned long long)start, (unsigned long long)end,
                 (long long)sb.st_size);
        return FT_ERR_FORMAT;
    }
    out->size = (size_t)(end - start);
    out->data = malloc(out->size ? out->size : 1);
    if (!out->data) {
        fclose(f);
        out->size = 0;
        snprintf(err, err_size, "%s:%s: out of memory", data_path, member);
        return FT_ERR_NOMEM;
    }
    int ok = fseeko(f, (off_t)start, SEEK_SET) == 0 && fread(out->data, 1, out->size, f) == out->size;
    fclose(f);
    if (!ok) {
        ft_model_bytes_free(out);
        snprintf(err, err_size, "%s:%s: read error", data_path, member);
        return FT_ERR_IO;
    }
    return FT_OK;
}
