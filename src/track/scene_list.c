/* The STEP3 shot list: a five-column CSV read whole, line by line. Only the
 * frame columns matter; the timecodes are derived from them and are checked
 * for presence only, as the original reads just Frame In and Frame Out. */
#include "track/scene_list.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/file_read.h"
#include "base/format_error.h"

#define HEADER "No,Timecode In,Timecode Out,Frame In,Frame Out"
#define MAX_FILE_BYTES ((size_t)64 << 20) /* ~1M scenes; real files are a few KB */
#define FIELDS 5

/* One line of the file: [start, start + len), without its line ending. */
typedef struct line {
    const char *start;
    size_t len;
} line;

static ft_status fail_at(char *err, size_t err_size, ft_status st, const char *path,
                         long lineno, const char *reason)
{
    return lineno > 0 ? ft_format_error(err, err_size, st, "%s:%ld: %s", path, lineno, reason)
                      : ft_format_error(err, err_size, st, "%s: %s", path, reason);
}

/* The next line from *POS, "\n" or "\r\n" ended; 0 at the end of DATA. */
static int next_line(const char *data, size_t size, size_t *pos, line *out)
{
    if (*pos >= size)
        return 0;
    const char *start = data + *pos;
    const char *nl = memchr(start, '\n', size - *pos);
    size_t len = nl ? (size_t)(nl - start) : size - *pos;
    *pos += len + (nl ? 1 : 0);
    if (len > 0 && start[len - 1] == '\r')
        len--;
    out->start = start;
    out->len = len;
    return 1;
}

/* A decimal integer, surrounding blanks allowed (as int() allows them). */
static int parse_int(const char *s, size_t len, int64_t *out)
{
    while (len > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (len == 0 || len > 18)
        return 0; /* 18 digits cannot overflow int64 */
    int64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

/* Splits L at commas into exactly FIELDS fields; 0 when the count differs. */
static int split_fields(const line *l, line fields[FIELDS])
{
    int n = 0;
    size_t begin = 0;
    for (size_t i = 0; i <= l->len; i++) {
        if (i < l->len && l->start[i] != ',')
            continue;
        if (n == FIELDS)
            return 0;
        fields[n].start = l->start + begin;
        fields[n].len = i - begin;
        n++;
        begin = i + 1;
    }
    return n == FIELDS;
}

/* Checks one data row against its position and the previous scene. */
static const char *parse_row(const line *l, size_t index, const ft_scene *prev, ft_scene *out)
{
    line f[FIELDS];
    if (!split_fields(l, f))
        return "expected 5 comma-separated fields";
    int64_t no;
    if (!parse_int(f[0].start, f[0].len, &no))
        return "'No' is not an integer";
    if (no != (int64_t)index + 1)
        return "'No' does not follow the previous row (scenes are numbered 1, 2, ...)";
    if (f[1].len == 0 || f[2].len == 0)
        return "empty timecode";
    if (!parse_int(f[3].start, f[3].len, &out->first) || out->first < 1)
        return "'Frame In' is not an integer >= 1";
    if (!parse_int(f[4].start, f[4].len, &out->last) || out->last < 1)
        return "'Frame Out' is not an integer >= 1";
    if (out->last < out->first)
        return "'Frame Out' is before 'Frame In'";
    if (prev && out->first <= prev->last)
        return "'Frame In' does not come after the previous scene's 'Frame Out'";
    return NULL;
}

static int push_scene(ft_scene_list *list, size_t *cap, const ft_scene *s)
{
    if (list->count == *cap) {
        const size_t n = *cap ? 2 * *cap : 64;
        ft_scene *p = realloc(list->scenes, n * sizeof *p);
        if (!p)
            return 0;
        list->scenes = p;
        *cap = n;
    }
    list->scenes[list->count++] = *s;
    return 1;
}

/* The bytes of a shot list into OUT (an ft_scene_list). */
static ft_status parse(const char *path, const char *data, size_t size, void *list, char *err,
                       size_t err_size)
{
    ft_scene_list *out = list;
    if (memchr(data, '\0', size))
        return fail_at(err, err_size, FT_ERR_FORMAT, path, 0, "contains a NUL byte (not a text file)");
    size_t pos = 0, cap = 0;
    /* A UTF-8 byte-order mark, as some spreadsheet tools write one. */
    if (size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    line l;
    if (!next_line(data, size, &pos, &l) || l.len != strlen(HEADER) ||
        memcmp(l.start, HEADER, l.len) != 0)
        return fail_at(err, err_size, FT_ERR_FORMAT, path, 1,
                       "the header is not \"" HEADER "\"");
    long lineno = 1;
    long blank_from = 0; /* the first of the blank lines seen since the last row */
    while (next_line(data, size, &pos, &l)) {
        lineno++;
        if (l.len == 0) {
            if (!blank_from)
                blank_from = lineno;
            continue;
        }
        /* Blank lines may end the file, not split it. */
        if (blank_from)
            return fail_at(err, err_size, FT_ERR_FORMAT, path, blank_from, "empty line");
        ft_scene s;
        const ft_scene *prev = out->count ? &out->scenes[out->count - 1] : NULL;
        const char *reason = parse_row(&l, out->count, prev, &s);
        if (reason)
            return fail_at(err, err_size, FT_ERR_FORMAT, path, lineno, reason);
        if (!push_scene(out, &cap, &s))
            return fail_at(err, err_size, FT_ERR_NOMEM, path, 0, "out of memory");
    }
    return FT_OK;
}

ft_status ft_scene_list_load(const char *path, ft_scene_list *out, char *err, size_t err_size)
{
    ft_clear_error(err, err_size);
    if (!out)
        return FT_ERR_INVALID_ARG;
    memset(out, 0, sizeof *out);
    const ft_status st =
        ft_parse_file(path, MAX_FILE_BYTES, "a shot list", parse, out, err, err_size);
    if (st != FT_OK)
        ft_scene_list_free(out);
    return st;
}

void ft_scene_list_free(ft_scene_list *list)
{
    if (!list)
        return;
    free(list->scenes);
    list->scenes = NULL;
    list->count = 0;
}

long ft_scene_list_find(const ft_scene_list *list, int64_t frame)
{
    if (!list || list->count == 0)
        return -1;
    /* Scenes are sorted and disjoint: the last one starting at or before
     * FRAME is the only candidate. */
    size_t lo = 0, hi = list->count;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (list->scenes[mid].first <= frame)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || frame > list->scenes[lo - 1].last)
        return -1;
    return (long)(lo - 1);
}
