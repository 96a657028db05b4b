/* The videos of one `facetrack track` run: command-line files and folders,
 * JSON lists, shards, output names, and whether an output is already whole.
 * Duplicates are found by real path through a small hash set, so that lists
 * of many thousands of files stay linear. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "track/video_list.h"

struct ft_video_seen {
    char **real;     /* realpath(3) of paths[i] */
    size_t capacity; /* of paths and real */
    size_t *slots;   /* open addressing over real: index + 1, 0 = free */
    size_t n_slots;  /* a power of two, more than twice the count */
};

static void set_err(char *err, size_t err_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t err_size, const char *fmt, ...)
{
    if (!err || err_size == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
}

static void clear_err(char *err, size_t err_size)
{
    if (err && err_size > 0)
        err[0] = '\0';
}

int ft_is_video_name(const char *name)
{
    static const char *const exts[] = {".mp4", ".avi", ".mov", ".mkv", ".webm"};
    if (!name)
        return 0;
    const char *slash = strrchr(name, '/');
    const char *base = slash ? slash + 1 : name;
    const char *dot = strrchr(base, '.');
    if (!dot || dot == base) /* ".mp4" alone is a hidden file, not a video */
        return 0;
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (strcasecmp(dot, exts[i]) == 0)
            return 1;
    return 0;
}

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

/* ------------------------------------------------------- folder scans */

typedef struct name_vec {
    char **v;
    size_t n, cap;
} name_vec;

static int vec_push(name_vec *vec, char *s)
{
    if (!s)
        return -1;
    if (vec->n == vec->cap) {
        size_t cap = vec->cap ? vec->cap * 2 : 32;
        char **v = realloc(vec->v, cap * sizeof *v);
        if (!v) {
            free(s);
            return -1;
        }
        vec->v = v;
        vec->cap = cap;
    }
    vec->v[vec->n++] = s;
    return 0;
}

static void vec_free(name_vec *vec)
{
    for (size_t i = 0; i < vec->n; i++)
        free(vec->v[i]);
    free(vec->v);
    memset(vec, 0, sizeof *vec);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "DIR/NAME", without doubling a trailing slash of DIR. */
static char *join(const char *dir, const char *name)
{
    size_t dl = strlen(dir);
    int slash = dl > 0 && dir[dl - 1] == '/';
    size_t size = dl + !slash + strlen(name) + 1;
    char *s = malloc(size);
    if (s)
        snprintf(s, size, "%s%s%s", dir, slash ? "" : "/", name);
    return s;
}

/* One folder scan: the videos found and the folders already read. Each
 * folder is read once, however many links lead to it, so that neither a
 * loop nor a web of links can make the scan run away. */
typedef struct dir_id {
    dev_t dev;
    ino_t ino;
} dir_id;

typedef struct folder_scan {
    name_vec found;
    dir_id *dirs;
    size_t n_dirs, cap_dirs;
    int root_errno; /* why the scanned folder itself could not be read */
} folder_scan;

/* 1 when SB's folder is new (and now marked), 0 when read already, -1 when
 * out of memory. */
static int mark_dir(folder_scan *fs, const struct stat *sb)
{
    for (size_t i = 0; i < fs->n_dirs; i++)
        if (fs->dirs[i].dev == sb->st_dev && fs->dirs[i].ino == sb->st_ino)
            return 0;
    if (fs->n_dirs == fs->cap_dirs) {
        size_t cap = fs->cap_dirs ? fs->cap_dirs * 2 : 16;
        dir_id *dirs = realloc(fs->dirs, cap * sizeof *dirs);
        if (!dirs)
            return -1;
        fs->dirs = dirs;
        fs->cap_dirs = cap;
    }
    fs->dirs[fs->n_dirs++] = (dir_id){sb->st_dev, sb->st_ino};
    return 1;
}

/* The non-hidden entries of DIR that may be videos or folders, as full
 * paths; -1 with errno on failure. */
static int read_dir(const char *dir, name_vec *out)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    struct dirent *e;
    int rc = 0;
    errno = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        /* A plain file that is no video needs neither a stat nor a copy. */
        if (e->d_type == DT_REG && !ft_is_video_name(e->d_name))
            continue;
        if (vec_push(out, join(dir, e->d_name)) != 0) {
            errno = ENOMEM;
            rc = -1;
            break;
        }
        errno = 0;
    }
    if (rc == 0 && errno != 0)
        rc = -1;
    int saved = errno;
    closedir(d);
    errno = saved;
    return rc;
}

/* Appends the videos under DIR to FS->found, in name order so that which
 * of two links to a folder is followed does not depend on readdir. Folders
 * below the root that cannot be read are skipped with a warning, as a
 * partial scan is more useful than none; the root failing is an error
 * (FT_ERR_IO), and so is running out of memory. */
static ft_status scan_dir(folder_scan *fs, const char *dir, int is_root)
{
    name_vec entries = {0};
    if (read_dir(dir, &entries) != 0) {
        int e = errno;
        vec_free(&entries);
        if (e == ENOMEM)
            return FT_ERR_NOMEM;
        if (is_root) {
            fs->root_errno = e;
            return FT_ERR_IO;
        }
        ft_log(FT_LOG_WARN, "%s: cannot read folder: %s", dir, strerror(e));
        return FT_OK;
    }
    if (entries.n)
        qsort(entries.v, entries.n, sizeof *entries.v, cmp_str);
    ft_status st = FT_OK;
    for (size_t i = 0; i < entries.n && st == FT_OK; i++) {
        char *path = entries.v[i];
        struct stat sb;
        if (stat(path, &sb) != 0) {
            ft_log(FT_LOG_DEBUG, "%s: skipped: %s", path, strerror(errno));
            continue;
        }
        if (S_ISDIR(sb.st_mode)) {
            int fresh = mark_dir(fs, &sb);
            if (fresh < 0)
                st = FT_ERR_NOMEM;
            else if (fresh)
                st = scan_dir(fs, path, 0);
        } else if (S_ISREG(sb.st_mode) && ft_is_video_name(path)) {
            entries.v[i] = NULL; /* moved into FOUND */
            if (vec_push(&fs->found, path) != 0)
                st = FT_ERR_NOMEM;
        }
    }
    vec_free(&entries);
    return st;
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

static ft_status add_folder(ft_video_list *list, const char *dir, const struct stat *sb,
                            char *err, size_t err_size)
{
    folder_scan fs = {0};
    ft_status st = mark_dir(&fs, sb) < 0 ? FT_ERR_NOMEM : scan_dir(&fs, dir, 1);
    if (st == FT_OK && fs.found.n) /* sorted as whole paths */
        qsort(fs.found.v, fs.found.n, sizeof *fs.found.v, cmp_str);
    size_t before = list->count;
    for (size_t i = 0; i < fs.found.n && st == FT_OK; i++)
        st = add_one(list, fs.found.v[i]);
    if (st == FT_ERR_IO)
        set_err(err, err_size, "%s: cannot read folder: %s", dir, strerror(fs.root_errno));
    else if (st != FT_OK)
        set_err(err, err_size, "%s: %s", dir, ft_status_str(st));
    if (st != FT_OK)
        truncate_list(list, before);
    vec_free(&fs.found);
    free(fs.dirs);
    return st;
}

ft_status ft_video_list_add(ft_video_list *list, const char *path, char *err, size_t err_size)
{
    clear_err(err, err_size);
    if (!list || !path)
        return FT_ERR_INVALID_ARG;
    struct stat sb;
    if (stat(path, &sb) != 0) {
        int e = errno;
        if (e == ENOENT || e == ENOTDIR) {
            set_err(err, err_size, "%s: no such file or folder", path);
            return FT_ERR_NOT_FOUND;
        }
        set_err(err, err_size, "%s: %s", path, strerror(e));
        return e == ENOMEM ? FT_ERR_NOMEM : FT_ERR_IO;
    }
    if (S_ISDIR(sb.st_mode))
        return add_folder(list, path, &sb, err, err_size);
    if (!S_ISREG(sb.st_mode)) {
        set_err(err, err_size, "%s: not a regular file or folder", path);
        return FT_ERR_UNSUPPORTED;
    }
    ft_status st = add_one(list, path);
    if (st != FT_OK)
        set_err(err, err_size, "%s: %s", path, ft_status_str(st));
    return st;
}

/* --------------------------------------------------------- JSON lists */

/* The whole of a small file, NUL-terminated; NULL with errno on failure. */
static char *read_small_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    int e = ENOMEM;
    while (buf) {
        errno = 0;
        n += fread(buf + n, 1, cap - 1 - n, f);
        if (ferror(f)) { /* a folder fails here, with EISDIR */
            e = errno ? errno : EIO;
            free(buf);
            buf = NULL;
            break;
        }
        if (n < cap - 1)
            break;
        char *bigger = realloc(buf, cap * 2);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    fclose(f);
    if (!buf) {
        errno = e;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
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
        set_err(err, err_size, "%s: invalid JSON: %s", path,
                len >= INT_MAX ? "too large for a list of videos" : "a NUL byte");
        return FT_ERR_FORMAT;
    }
    json_tokener *tok = json_tokener_new();
    if (!tok) {
        set_err(err, err_size, "%s: out of memory", path);
        return FT_ERR_NOMEM;
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    /* With the terminating NUL, so that a number at the very end ends. */
    json_object *obj = json_tokener_parse_ex(tok, text, (int)len + 1);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (jerr != json_tokener_success) {
        if (jerr == json_tokener_continue || jerr == json_tokener_error_parse_eof)
            set_err(err, err_size, "%s: invalid JSON: unexpected end of file", path);
        else
            set_err(err, err_size, "%s: invalid JSON at line %d: %s", path,
                    line_of(text, end < len ? end : len), json_tokener_error_desc(jerr));
        json_object_put(obj);
        return FT_ERR_FORMAT;
    }
    for (size_t i = end; i < len; i++)
        if (!is_space(text[i])) {
            set_err(err, err_size, "%s: invalid JSON at line %d: data after the value", path,
                    line_of(text, i));
            json_object_put(obj);
            return FT_ERR_FORMAT;
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
        if (!s || strlen(s) != (size_t)json_object_get_string_len(e)) {
            set_err(err, err_size, "%s: entry %zu: expected a path (a string)", json_path, i + 1);
            return FT_ERR_FORMAT;
        }
        char why[PATH_MAX + 128];
        ft_status st = ft_video_list_add(list, s, why, sizeof why);
        if (st != FT_OK) {
            set_err(err, err_size, "%s: entry %zu: %s", json_path, i + 1, why);
            return st;
        }
    }
    return FT_OK;
}

ft_status ft_video_list_add_json(ft_video_list *list, const char *json_path, char *err,
                                 size_t err_size)
{
    clear_err(err, err_size);
    if (!list || !json_path)
        return FT_ERR_INVALID_ARG;
    size_t len = 0;
    char *text = read_small_file(json_path, &len);
    if (!text) {
        int e = errno;
        set_err(err, err_size, "%s: %s", json_path,
                e == ENOENT ? "no such file" : strerror(e));
        return e == ENOENT || e == ENOTDIR ? FT_ERR_NOT_FOUND
               : e == ENOMEM               ? FT_ERR_NOMEM
                                           : FT_ERR_IO;
    }
    json_object *root;
    ft_status st = parse_json(json_path, text, len, &root, err, err_size);
    free(text);
    if (st != FT_OK)
        return st;
    json_object *entries = NULL;
    if (json_object_is_type(root, json_type_array))
        entries = root;
    else if (json_object_is_type(root, json_type_object))
        json_object_object_get_ex(root, "videos", &entries);
    if (!json_object_is_type(entries, json_type_array)) {
        set_err(err, err_size, "%s: expected a JSON array of paths or {\"videos\": [...]}",
                json_path);
        st = FT_ERR_FORMAT;
    } else {
        size_t before = list->count;
        st = add_json_entries(list, json_path, entries, err, err_size);
        if (st != FT_OK)
            truncate_list(list, before);
    }
    json_object_put(root);
    return st;
}

/* -------------------------------------------------------- output names */

ft_status ft_output_path(const char *video, const char *output_dir, const char *suffix, char *out,
                         size_t out_size)
{
    if (!out || out_size == 0)
        return FT_ERR_INVALID_ARG;
    out[0] = '\0';
    if (!video)
        return FT_ERR_INVALID_ARG;
    const char *slash = strrchr(video, '/');
    const char *base = slash ? slash + 1 : video;
    if (!*base)
        return FT_ERR_INVALID_ARG;
    /* Python's Path.stem: a leading or trailing dot is not an extension. */
    const char *dot = strrchr(base, '.');
    size_t stem_len = dot && dot != base && dot[1] ? (size_t)(dot - base) : strlen(base);

    const char *dir = output_dir;
    size_t dir_len = dir ? strlen(dir) : 0;
    if (!dir_len) { /* the video's own folder; none when it has no slash */
        dir = video;
        dir_len = slash ? (size_t)(slash - video) + 1 : 0;
    }
    const char *sep = dir_len && dir[dir_len - 1] != '/' ? "/" : "";
    int n = snprintf(out, out_size, "%.*s%s%.*s%s", (int)dir_len, dir, sep, (int)stem_len, base,
                     suffix ? suffix : "");
    if (n < 0 || (size_t)n >= out_size) {
        out[0] = '\0';
        return FT_ERR_INVALID_ARG;
    }
    return FT_OK;
}

/* ----------------------------------------------- output completeness */

/* A streaming JSON checker with fixed memory: it checks the syntax of the
 * whole file (strict JSON plus Python's NaN, Infinity and -Infinity, which
 * json.dump writes and json.load reads back; bytes inside strings are not
 * checked as UTF-8) and keeps the few values completeness depends on. The
 * end of the file alone cannot tell: members may follow the frame list. */

#define SCAN_MAX_DEPTH 256
#define SCAN_CHUNK (64 * 1024)

enum scan_state {
    ST_VALUE,        /* a value */
    ST_ARRAY_FIRST,  /* a value or ']' */
    ST_OBJECT_FIRST, /* a key or '}' */
    ST_KEY,          /* a key */
    ST_COLON,
    ST_AFTER,        /* ',' or the close of the container */
    ST_END,          /* only white space */
    ST_ERROR
};

enum scan_token { TOK_NONE, TOK_STRING, TOK_NUMBER, TOK_LITERAL };

/* What a container is, as far as completeness cares. */
enum scan_role {
    ROLE_OTHER,
    ROLE_ROOT,
    ROLE_META,    /* root "metadata" */
    ROLE_FRAMES,  /* root "frames"; ROLE_FRAMES + 1: root "frames_analysis" */
    ROLE_FRAMES_ANALYSIS,
    ROLE_ENTRY,   /* an object in "frames"; ROLE_ENTRY + 1 in "frames_analysis" */
    ROLE_ENTRY_ANALYSIS
};

enum scan_key {
    KEY_OTHER,
    KEY_METADATA,
    KEY_TOTAL_FRAMES,
    KEY_FRAMES,
    KEY_FRAMES_ANALYSIS,
    KEY_FRAME
};

/* Number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
enum num_state { N_MINUS, N_ZERO, N_INT, N_DOT, N_FRAC, N_EXP, N_EXP_SIGN, N_EXP_DIGITS };

typedef struct opt_int {
    int set;
    int64_t v;
} opt_int;

typedef struct frame_list {
    int present;     /* the root member exists and is an array */
    size_t entries;
    opt_int last;    /* "frame" of its last entry */
} frame_list;

typedef struct json_scan {
    enum scan_state state;
    enum scan_token tok;
    int depth; /* open containers; index 0 stands for "outside any" */
    unsigned char is_array[SCAN_MAX_DEPTH + 1];
    unsigned char role[SCAN_MAX_DEPTH + 1];
    unsigned char key[SCAN_MAX_DEPTH + 1]; /* of the member being read */
    /* string token */
    int in_key;
    int esc;                     /* 1 after '\', 5..2 while reading \uXXXX */
    char key_buf[24];
    size_t key_len;              /* sizeof key_buf: longer, or none of ours */
    /* number token */
    enum num_state num;
    int num_neg, num_is_int;
    int64_t num_value;
    /* literal token */
    const char *lit;
    int lit_pos;
    /* what completeness needs */
    int root_is_object;
    opt_int top_total, meta_total, entry_frame;
    frame_list lists[2]; /* "frames", "frames_analysis" */
} json_scan;

static enum scan_key classify_key(const json_scan *s)
{
    static const struct {
        const char *name;
        enum scan_key key;
    } known[] = {{"metadata", KEY_METADATA}, {"total_frames", KEY_TOTAL_FRAMES},
                 {"frames", KEY_FRAMES},     {"frames_analysis", KEY_FRAMES_ANALYSIS},
                 {"frame", KEY_FRAME}};
    if (s->key_len >= sizeof s->key_buf)
        return KEY_OTHER;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strlen(known[i].name) == s->key_len && !memcmp(known[i].name, s->key_buf, s->key_len))
            return known[i].key;
    return KEY_OTHER;
}

/* The integer slot a value at the current position fills, if any. */
static opt_int *value_slot(json_scan *s)
{
    int r = s->role[s->depth], k = s->key[s->depth];
    if (s->depth == 0 || s->is_array[s->depth])
        return NULL;
    if (r == ROLE_ROOT && k == KEY_TOTAL_FRAMES)
        return &s->top_total;
    if (r == ROLE_META && k == KEY_TOTAL_FRAMES)
        return &s->meta_total;
    if ((r == ROLE_ENTRY || r == ROLE_ENTRY_ANALYSIS) && k == KEY_FRAME)
        return &s->entry_frame;
    return NULL;
}

/* A value starts: forget what an earlier value at the same place said (for
 * repeated keys the last one wins, as in Python). */
static void value_begins(json_scan *s)
{
    int r = s->role[s->depth], k = s->key[s->depth];
    opt_int *slot = value_slot(s);
    if (slot)
        slot->set = 0;
    if (r == ROLE_FRAMES || r == ROLE_FRAMES_ANALYSIS) {
        frame_list *fl = &s->lists[r - ROLE_FRAMES];
        fl->entries++;
        fl->last.set = 0;
    } else if (r == ROLE_ROOT && !s->is_array[s->depth]) {
        if (k == KEY_METADATA)
            s->meta_total.set = 0;
        else if (k == KEY_FRAMES || k == KEY_FRAMES_ANALYSIS)
            memset(&s->lists[k - KEY_FRAMES], 0, sizeof s->lists[0]);
    }
}

static void value_ends(json_scan *s)
{
    s->state = s->depth == 0 ? ST_END : ST_AFTER;
}

static enum scan_role child_role(const json_scan *s, int is_array)
{
    if (s->depth == 0)
        return is_array ? ROLE_OTHER : ROLE_ROOT;
    int r = s->role[s->depth], k = s->key[s->depth];
    if (r == ROLE_ROOT && !is_array && k == KEY_METADATA)
        return ROLE_META;
    if (r == ROLE_ROOT && is_array && (k == KEY_FRAMES || k == KEY_FRAMES_ANALYSIS))
        return k == KEY_FRAMES ? ROLE_FRAMES : ROLE_FRAMES_ANALYSIS;
    if ((r == ROLE_FRAMES || r == ROLE_FRAMES_ANALYSIS) && !is_array)
        return r == ROLE_FRAMES ? ROLE_ENTRY : ROLE_ENTRY_ANALYSIS;
    return ROLE_OTHER;
}

static void open_container(json_scan *s, int is_array)
{
    if (s->depth >= SCAN_MAX_DEPTH) {
        s->state = ST_ERROR;
        return;
    }
    enum scan_role role = child_role(s, is_array);
    if (s->depth == 0)
        s->root_is_object = !is_array;
    if (role == ROLE_FRAMES || role == ROLE_FRAMES_ANALYSIS)
        s->lists[role - ROLE_FRAMES].present = 1;
    if (role == ROLE_ENTRY || role == ROLE_ENTRY_ANALYSIS)
        s->entry_frame.set = 0;
    s->depth++;
    s->is_array[s->depth] = (unsigned char)is_array;
    s->role[s->depth] = (unsigned char)role;
    s->key[s->depth] = KEY_OTHER;
    s->state = is_array ? ST_ARRAY_FIRST : ST_OBJECT_FIRST;
}

static void close_container(json_scan *s)
{
    int r = s->role[s->depth];
    if (r == ROLE_ENTRY || r == ROLE_ENTRY_ANALYSIS)
        s->lists[r - ROLE_ENTRY].last = s->entry_frame;
    s->depth--;
    value_ends(s);
}

static void number_ends(json_scan *s)
{
    opt_int *slot = value_slot(s);
    if (slot && s->num_is_int) {
        slot->set = 1;
        slot->v = s->num_neg ? -s->num_value : s->num_value;
    }
    s->tok = TOK_NONE;
    value_ends(s);
}

static void begin_literal(json_scan *s, const char *lit, int pos)
{
    s->tok = TOK_LITERAL;
    s->lit = lit;
    s->lit_pos = pos;
}

/* The first character of a value. */
static void begin_value(json_scan *s, char c)
{
    value_begins(s);
    switch (c) {
    case '{': open_container(s, 0); return;
    case '[': open_container(s, 1); return;
    case '"':
        s->tok = TOK_STRING;
        s->in_key = 0;
        s->esc = 0;
        return;
    case 't': begin_literal(s, "true", 1); return;
    case 'f': begin_literal(s, "false", 1); return;
    case 'n': begin_literal(s, "null", 1); return;
    case 'N': begin_literal(s, "NaN", 1); return;
    case 'I': begin_literal(s, "Infinity", 1); return;
    default: break;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        s->tok = TOK_NUMBER;
        s->num_neg = c == '-';
        s->num_is_int = 1;
        s->num_value = c == '-' ? 0 : c - '0';
        s->num = c == '-' ? N_MINUS : c == '0' ? N_ZERO : N_INT;
        return;
    }
    s->state = ST_ERROR;
}

/* One character of a number; 0 when C is not part of it (and the number
 * ended just before C). */
static int number_char(json_scan *s, char c)
{
    int digit = c >= '0' && c <= '9';
    switch (s->num) {
    case N_MINUS:
        if (c == 'I') { /* Python's -Infinity */
            begin_literal(s, "Infinity", 1);
            return 1;
        }
        if (!digit)
            break;
        s->num = c == '0' ? N_ZERO : N_INT;
        s->num_value = c - '0';
        return 1;
    case N_INT:
        if (digit) {
            if (s->num_value > (INT64_MAX - (c - '0')) / 10)
                s->num_is_int = 0; /* too big to be a frame number */
            else
                s->num_value = s->num_value * 10 + (c - '0');
            return 1;
        }
        /* fall through */
    case N_ZERO:
        if (c == '.') {
            s->num = N_DOT;
            s->num_is_int = 0;
            return 1;
        }
        if (c == 'e' || c == 'E') {
            s->num = N_EXP;
            s->num_is_int = 0;
            return 1;
        }
        return 0;
    case N_DOT:
        if (!digit)
            break;
        s->num = N_FRAC;
        return 1;
    case N_FRAC:
        if (digit)
            return 1;
        if (c == 'e' || c == 'E') {
            s->num = N_EXP;
            return 1;
        }
        return 0;
    case N_EXP:
        if (c == '+' || c == '-') {
            s->num = N_EXP_SIGN;
            return 1;
        }
        /* fall through */
    case N_EXP_SIGN:
        if (!digit)
            break;
        s->num = N_EXP_DIGITS;
        return 1;
    case N_EXP_DIGITS: return digit;
    }
    s->state = ST_ERROR; /* a number cut short: "-", "1.", "1e" */
    return 1;
}

/* Reads the characters of a string from BUF[I]; returns the new index. */
static size_t string_chars(json_scan *s, const char *buf, size_t i, size_t n)
{
    while (i < n) {
        unsigned char c = (unsigned char)buf[i];
        if (s->esc == 1) { /* after a backslash */
            if (c == 'u')
                s->esc = 5;
            else if (c && strchr("\"\\/bfnrt", c))
                s->esc = 0;
            else {
                s->state = ST_ERROR;
                return n;
            }
            i++;
            continue;
        }
        if (s->esc > 1) { /* the four hex digits of \uXXXX */
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                s->state = ST_ERROR;
                return n;
            }
            if (--s->esc == 1)
                s->esc = 0;
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && (unsigned char)buf[j] >= 0x20 && buf[j] != '"' && buf[j] != '\\')
            j++;
        if (s->in_key) {
            for (size_t m = i; m < j && s->key_len < sizeof s->key_buf; m++)
                s->key_buf[s->key_len++] = buf[m];
        }
        i = j;
        if (i == n)
            return n;
        c = (unsigned char)buf[i++];
        if (c == '\\') {
            s->esc = 1;
            s->key_len = sizeof s->key_buf; /* escaped keys are none of ours */
        } else if (c == '"') {
            s->tok = TOK_NONE;
            if (s->in_key) {
                s->key[s->depth] = (unsigned char)classify_key(s);
                s->state = ST_COLON;
            } else {
                value_ends(s);
            }
            return i;
        } else {
            s->state = ST_ERROR; /* a raw control character */
            return n;
        }
    }
    return i;
}

static void grammar_char(json_scan *s, char c)
{
    switch (s->state) {
    case ST_ARRAY_FIRST:
        if (c == ']') {
            close_container(s);
            return;
        }
        /* fall through */
    case ST_VALUE: begin_value(s, c); return;
    case ST_OBJECT_FIRST:
        if (c == '}') {
            close_container(s);
            return;
        }
        /* fall through */
    case ST_KEY:
        if (c != '"')
            break;
        s->tok = TOK_STRING;
        s->in_key = 1;
        s->esc = 0;
        s->key_len = 0;
        return;
    case ST_COLON:
        if (c != ':')
            break;
        s->state = ST_VALUE;
        return;
    case ST_AFTER:
        if (c == ',') {
            s->state = s->is_array[s->depth] ? ST_VALUE : ST_KEY;
            return;
        }
        if (c == (s->is_array[s->depth] ? ']' : '}')) {
            close_container(s);
            return;
        }
        break;
    case ST_END:
    case ST_ERROR: break;
    }
    s->state = ST_ERROR;
}

static void scan_feed(json_scan *s, const char *buf, size_t n)
{
    size_t i = 0;
    while (i < n && s->state != ST_ERROR) {
        char c = buf[i];
        switch (s->tok) {
        case TOK_STRING: i = string_chars(s, buf, i, n); continue;
        case TOK_NUMBER:
            if (number_char(s, c)) {
                i++;
                continue;
            }
            number_ends(s);
            break; /* C belongs to the grammar */
        case TOK_LITERAL:
            if (c != s->lit[s->lit_pos]) {
                s->state = ST_ERROR;
                continue;
            }
            i++;
            if (!s->lit[++s->lit_pos]) {
                s->tok = TOK_NONE;
                value_ends(s);
            }
            continue;
        case TOK_NONE: break;
        }
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
            i++;
            continue;
        }
        grammar_char(s, c);
        i++;
    }
}

static int scan_complete(const json_scan *s)
{
    if (s->state != ST_END || s->tok != TOK_NONE || !s->root_is_object)
        return 0;
    const frame_list *fl = s->lists[0].present ? &s->lists[0] : &s->lists[1];
    const opt_int *total = s->meta_total.set ? &s->meta_total : &s->top_total;
    if (!fl->present || !total->set || total->v < 0)
        return 0;
    if (fl->entries == 0)
        return total->v == 0;
    return fl->last.set && fl->last.v == total->v;
}

int ft_tracking_output_complete(const char *path)
{
    if (!path)
        return 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char *buf = malloc(SCAN_CHUNK);
    json_scan *s = calloc(1, sizeof *s);
    int ok = buf && s;
    while (ok) {
        ssize_t got = read(fd, buf, SCAN_CHUNK);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            ok = got == 0;
            break;
        }
        scan_feed(s, buf, (size_t)got);
        ok = s->state != ST_ERROR;
    }
    ok = ok && scan_complete(s);
    free(buf);
    free(s);
    close(fd);
    return ok;
}
