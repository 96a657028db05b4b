/* The input list of a batch run (see video_list.h): command-line files and
 * folders, JSON lists, shards. Duplicates are found by real path through a
 * small hash set, so that lists of many thousands of files stay linear. */
#include "track/video_list.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "base/format_error.h"
#include "track/folder_scan.h"

struct ft_video_seen {
    char **real;     /* realpath(3) of paths[i] */
    size_t capacity; /* of paths and real */
    size_t *slots;   /* open addressing over real: index + 1, 0 = free */
    size_t n_slots;  /* a power of two, more than twice the count */
};

/* ------------------------------------------------------ the list itself */

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* The slot holding REAL, or the free slot where it would go. */
static size_t find_slot(const struct ft_video_seen *seen, const char *real)
{
    size_t mask = seen->n_slots - 1;
    size_t i = (size_t)hash_str(real) & mask;
    while (seen->slots[i] && strcmp(seen->real[seen->slots[i] - 1], real) != 0)
        i = (i + 1) & mask;
    return i;
}

/* Indexes the first COUNT real paths afresh, after entries went away. */
static void reindex(struct ft_video_seen *seen, size_t count)
{
    memset(seen->slots, 0, seen->n_slots * sizeof *seen->slots);
    for (size_t i = 0; i < count; i++)
        seen->slots[find_slot(seen, seen->real[i])] = i + 1;
}

/* Indexes the first COUNT real paths into a new table of N_SLOTS. */
static int grow_slots(struct ft_video_seen *seen, size_t count, size_t n_slots)
{
    size_t *slots = calloc(n_slots, sizeof *slots);
    if (!slots)
        return -1;
    free(seen->slots);
    seen->slots = slots;
    seen->n_slots = n_slots;
    reindex(seen, count);
    return 0;
}

/* Room for one more entry in the arrays and the hash set. */
static int reserve_one(ft_video_list *list)
{
    if (!list->seen && !(list->seen = calloc(1, sizeof *list->seen)))
        return -1;
    struct ft_video_seen *seen = list->seen;
    if (list->count == seen->capacity) {
        size_t cap = seen->capacity ? seen->capacity * 2 : 16;
        char **paths = realloc(list->paths, cap * sizeof *paths);
        if (!paths)
            return -1;
        list->paths = paths;
        char **real = realloc(seen->real, cap * sizeof *real);
        if (!real)
            return -1;
        seen->real = real;
        seen->capacity = cap;
    }
    if (2 * (list->count + 1) >= seen->n_slots)
        return grow_slots(seen, list->count, seen->n_slots ? seen->n_slots * 2 : 64);
    return 0;
}

/* Takes PATH and REAL (malloc'd); drops both when REAL is already listed. */
static ft_status append(ft_video_list *list, char *path, char *real)
{
    if (list->seen && list->seen->n_slots &&
        list->seen->slots[find_slot(list->seen, real)]) {
        free(path);
        free(real);
        return FT_OK;
    }
    if (reserve_one(list) != 0) {
        free(path);
        free(real);
        return FT_ERR_NOMEM;
    }
    struct ft_video_seen *seen = list->seen;
    list->paths[list->count] = path;
    seen->real[list->count] = real;
    seen->slots[find_slot(seen, real)] = list->count + 1;
    list->count++;
    return FT_OK;
}

/* Drops the entries from N on, so that a failed add leaves no half. */
static void truncate_list(ft_video_list *list, size_t n)
{
    if (n >= list->count)
        return;
    for (size_t i = n; i < list->count; i++) {
        free(list->paths[i]);
        free(list->seen->real[i]);
    }
    list->count = n;
    reindex(list->seen, n);
}

void ft_video_list_free(ft_video_list *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->count; i++) {
        free(list->paths[i]);
        if (list->seen)
            free(list->seen->real[i]);
    }
    free(list->paths);
    if (list->seen) {
        free(list->seen->real);
        free(list->seen->slots);
        free(list->seen);
    }
    memset(list, 0, sizeof *list);
}

void ft_video_list_shard(ft_video_list *list, int k, int n)
{
    /* Out-of-range slices leave the list alone; the caller validates them. */
    if (!list || n < 1 || k < 1 || k > n || !list->count)
        return;
    size_t kept = 0;
    for (size_t i = 0; i < list->count; i++) {
        if (i % (size_t)n == (size_t)(k - 1)) {
            list->paths[kept] = list->paths[i];
            list->seen->real[kept] = list->seen->real[i];
            kept++;
        } else {
            free(list->paths[i]);
            free(list->seen->real[i]);
        }
    }
    list->count = kept;
    reindex(list->seen, kept);
}

/* Appends PATH unless its real path is listed already. */
static ft_status add_one(ft_video_list *list, const char *path)
{
    char *real = realpath(path, NULL);
    if (!real) /* it vanished since it was seen: nothing to track */
        return errno == ENOMEM ? FT_ERR_NOMEM : FT_OK;
    char *copy = strdup(path);
    if (!copy) {
        free(real);
        return FT_ERR_NOMEM;
    }
    return append(list, copy, real);
}

static ft_status add_folder(ft_video_list *list, const char *dir, char *err, size_t err_size)
{
    char **found;
    size_t count;
    ft_status st = ft_folder_videos(dir, &found, &count, err, err_size);
    if (st != FT_OK)
        return st;
    const size_t before = list->count;
    for (size_t i = 0; i < count && st == FT_OK; i++)
        st = add_one(list, found[i]);
    if (st != FT_OK) {
        ft_format_error(err, err_size, st, "%s: %s", dir, ft_status_str(st));
        truncate_list(list, before);
    }
    ft_folder_videos_free(found, count);
    return st;
}

ft_status ft_video_list_add(ft_video_list *list, const char *path, char *err, size_t err_size)
{
    ft_clear_error(err, err_size);
    if (!list || !path)
        return FT_ERR_INVALID_ARG;
    struct stat sb;
    if (stat(path, &sb) != 0) {
        int e = errno;
        if (e == ENOENT || e == ENOTDIR) {
            return ft_format_error(err, err_size, FT_ERR_NOT_FOUND, "%s: no such file or folder",
                                   path);
        }
        return ft_format_error(err, err_size, e == ENOMEM ? FT_ERR_NOMEM : FT_ERR_IO, "%s: %s",
                               path, strerror(e));
    }
    if (S_ISDIR(sb.st_mode))
        return add_folder(list, path, err, err_size);
    if (!S_ISREG(sb.st_mode)) {
        return ft_format_error(err, err_size, FT_ERR_UNSUPPORTED,
                               "%s: not a regular file or folder", path);
    }
    ft_status st = add_one(list, path);
    if (st != FT_OK)
        ft_format_error(err, err_size, st, "%s: %s", path, ft_status_str(st));
    return st;
}

/* --------------------------------------------------------- JSON lists */

/* The whole of a list file, NUL-terminated; NULL with ERR set on failure.
 * Only a regular file of at most FT_VIDEO_LIST_MAX_BYTES is read: a link to
 * /dev/zero, a pipe or a huge file are refused at once. */
static char *read_list_file(const char *path, size_t *len, ft_status *st, char *err,
                            size_t err_size)
{
    *st = FT_ERR_IO;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC); /* a FIFO must not block */
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        const int e = errno;
        if (fd >= 0)
            close(fd);
        *st = e == ENOENT || e == ENOTDIR ? FT_ERR_NOT_FOUND : e == ENOMEM ? FT_ERR_NOMEM : FT_ERR_IO;
        ft_format_error(err, err_size, *st, "%s: %s", path,
                        e == ENOENT ? "no such file" : strerror(e));
        return NULL;
    }
    const char *refused = S_ISDIR(sb.st_mode)  ? "is a folder, not a list file"
                          : !S_ISREG(sb.st_mode) ? "not a regular file (a device, pipe or socket)"
                          : sb.st_size > FT_VIDEO_LIST_MAX_BYTES ? "too large for a list of videos (over 64 MiB)"
                                                                 : NULL;
    if (refused) {
        close(fd);
        *st = FT_ERR_IO;
        ft_format_error(err, err_size, *st, "%s: %s", path, refused);
        return NULL;
    }
    size_t cap = (size_t)sb.st_size + 1, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            const int e = errno;
            free(buf);
            buf = NULL;
            ft_format_error(err, err_size, *st, "%s: %s", path, strerror(e));
            break;
        }
        n += (size_t)got;
        if (got == 0)
            break;
        if (n < cap)
            continue;
        if (cap > FT_VIDEO_LIST_MAX_BYTES) { /* it grows while we read */
            free(buf);
            buf = NULL;
            *st = FT_ERR_IO;
            ft_format_error(err, err_size, *st, "%s: too large for a list of videos (over 64 MiB)",
                            path);
            break;
        }
        size_t bigger_cap = cap * 2 > FT_VIDEO_LIST_MAX_BYTES + 1 ? FT_VIDEO_LIST_MAX_BYTES + 1 : cap * 2;
        char *bigger = realloc(buf, bigger_cap + 1);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap = bigger_cap;
    }
    close(fd);
    if (!buf) {
        if (!err || !err[0])
            ft_format_error(err, err_size, *st = FT_ERR_NOMEM, "%s: out of memory", path);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    *st = FT_OK;
    return buf;
}

/* 1-based line of byte OFFSET in TEXT. */
static int line_of(const char *text, size_t offset)
{
    int line = 1;
    for (size_t i = 0; i < offset; i++)
        line += text[i] == '\n';
    return line;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Parses TEXT as exactly one strict JSON value (what Python's json.load,
 * which read these lists in the original, accepts) into *ROOT; JSON null
 * is a NULL object. */
static ft_status parse_json(const char *path, const char *text, size_t len, json_object **root,
                            char *err, size_t err_size)
{
    *root = NULL;
    if (len >= INT_MAX || memchr(text, '\0', len)) {
        return ft_format_error(err, err_size, FT_ERR_FORMAT, "%s: invalid JSON: %s", path,
                               len >= INT_MAX ? "too large for a list of videos" : "a NUL byte");
    }
    json_tokener *tok = json_tokener_new();
    if (!tok)
        return ft_format_error(err, err_size, FT_ERR_NOMEM, "%s: out of memory", path);
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    /* With the terminating NUL, so that a number at the very end ends. */
    json_object *obj = json_tokener_parse_ex(tok, text, (int)len + 1);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (jerr != json_tokener_success) {
        if (jerr == json_tokener_continue || jerr == json_tokener_error_parse_eof)
            ft_format_error(err, err_size, FT_ERR_FORMAT,
                            "%s: invalid JSON: unexpected end of file", path);
        else
            ft_format_error(err, err_size, FT_ERR_FORMAT, "%s: invalid JSON at line %d: %s", path,
                            line_of(text, end < len ? end : len), json_tokener_error_desc(jerr));
        json_object_put(obj);
        return FT_ERR_FORMAT;
    }
    for (size_t i = end; i < len; i++)
        if (!is_space(text[i])) {
            json_object_put(obj);
            return ft_format_error(err, err_size, FT_ERR_FORMAT,
                                   "%s: invalid JSON at line %d: data after the value", path,
                                   line_of(text, i));
        }
    *root = obj;
    return FT_OK;
}

static ft_status add_json_entries(ft_video_list *list, const char *json_path,
                                  json_object *entries, char *err, size_t err_size)
{
    size_t n = json_object_array_length(entries);
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(entries, i);
        const char *s = json_object_is_type(e, json_type_string) ? json_object_get_string(e) : NULL;
        /* A path with a NUL inside would name another file. */
        if (!s || strlen(s) != (size_t)json_object_get_string_len(e))
            return ft_format_error(err, err_size, FT_ERR_FORMAT,
                                   "%s: entry %zu: expected a path (a string)", json_path, i + 1);
        char why[PATH_MAX + 128];
        ft_status st = ft_video_list_add(list, s, why, sizeof why);
        if (st != FT_OK && st != FT_ERR_NOMEM && list->on_reject) {
            char line[PATH_MAX + 512];
            snprintf(line, sizeof line, "%s: entry %zu: %s", json_path, i + 1, why);
            list->on_reject(list->reject_user, line);
            list->rejected++;
            continue;
        }
        if (st != FT_OK)
            return ft_format_error(err, err_size, st, "%s: entry %zu: %s", json_path, i + 1, why);
    }
    return FT_OK;
}

ft_status ft_video_list_add_json(ft_video_list *list, const char *json_path, char *err,
                                 size_t err_size)
{
    ft_clear_error(err, err_size);
    if (!list || !json_path)
        return FT_ERR_INVALID_ARG;
    size_t len = 0;
    ft_status st;
    char *text = read_list_file(json_path, &len, &st, err, err_size);
    if (!text)
        return st;
    json_object *root;
    st = parse_json(json_path, text, len, &root, err, err_size);
    free(text);
    if (st != FT_OK)
        return st;
    json_object *entries = NULL;
    if (json_object_is_type(root, json_type_array))
        entries = root;
    else if (json_object_is_type(root, json_type_object))
        json_object_object_get_ex(root, "videos", &entries);
    if (!json_object_is_type(entries, json_type_array)) {
        st = ft_format_error(err, err_size, FT_ERR_FORMAT,
                             "%s: expected a JSON array of paths or {\"videos\": [...]}",
                             json_path);
    } else {
        size_t before = list->count;
        st = add_json_entries(list, json_path, entries, err, err_size);
        if (st != FT_OK)
            truncate_list(list, before);
    }
    json_object_put(root);
    return st;
}
