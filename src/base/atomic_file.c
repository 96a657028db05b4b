/* Atomic output files: write to "<dir>/.<name>.tmp-XXXXXX", then rename(2)
 * over the final name, which POSIX guarantees to be atomic within one file
 * system; that is why the temporary file lives in the same folder. The
 * writer holds an flock(2) on the temporary file, so that stale ones (their
 * process killed) can be told from live ones and removed. */
#define _GNU_SOURCE /* mkostemp */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomic_file.h"
#include "base/format_error.h"

/* "<path>: <what>: <strerror(err)>" into ERR, when the caller gave one. */
static void set_error(char *err, size_t err_size, const char *path,
                      const char *what, int errnum)
{
    ft_format_error(err, err_size, FT_OK, "%s: %s: %s", path, what, strerror(errnum));
}

static ft_status status_from_errno(int errnum)
{
    switch (errnum) {
    case ENOENT:
    case ENOTDIR: return FT_ERR_NOT_FOUND;
    case ENOMEM: return FT_ERR_NOMEM;
    default: return FT_ERR_IO;
    }
}

/* Frees the names and clears F; the file must already be closed. */
static void release(ft_atomic_file *f)
{
    free(f->path);
    free(f->tmp_path);
    memset(f, 0, sizeof *f);
}

static const char tmp_infix[] = ".tmp-";
enum { TMP_RANDOM = 6, HASH_TAIL = 17 /* "~" and 16 hex digits */ };

/* The longest file name the folder DIR (of DIR_LEN bytes, "" = ".") takes. */
static size_t name_limit(const char *dir, size_t dir_len)
{
    char buf[PATH_MAX];
    if (dir_len == 0 || dir_len >= sizeof buf)
        snprintf(buf, sizeof buf, ".");
    else
        snprintf(buf, sizeof buf, "%.*s", (int)dir_len, dir);
    long n = pathconf(buf, _PC_NAME_MAX);
    return n > 0 && n < 255 ? (size_t)n : 255;
}

static uint64_t hash_name(const char *s)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* ".<base>.tmp-" into OUT, <base> shortened when the temporary name would
 * exceed LIMIT bytes: cut on a UTF-8 character boundary, then "~" and a
 * hash of the whole name (mkstemp's random part keeps names unique). */
static int make_prefix(const char *base, size_t limit, char *out, size_t out_size)
{
    const size_t fixed = 1 + (sizeof tmp_infix - 1) + TMP_RANDOM;
    size_t len = strlen(base);
    int n;
    if (len + fixed <= limit) {
        n = snprintf(out, out_size, ".%s%s", base, tmp_infix);
    } else {
        if (limit < fixed + HASH_TAIL + 1)
            return -1;
        size_t keep = limit - fixed - HASH_TAIL;
        while (keep > 0 && ((unsigned char)base[keep] & 0xC0) == 0x80)
            keep--;
        n = snprintf(out, out_size, ".%.*s~%016llx%s", (int)keep, base,
                     (unsigned long long)hash_name(base), tmp_infix);
    }
    return n < 0 || (size_t)n >= out_size ? -1 : 0;
}

int ft_atomic_file_tmp_prefix(const char *path, char *out, size_t out_size)
{
    if (!path || !out || out_size == 0)
        return -1;
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t dir_len = (size_t)(base - path);
    return make_prefix(base, name_limit(path, dir_len), out, out_size);
}

/* Creates F->tmp_path from its template and locks it; retries when a
 * remover took the file away between its creation and the lock. */
static int create_locked(char *tmpl)
{
    const size_t len = strlen(tmpl);
    for (int attempt = 0; attempt < 16; attempt++) {
        memset(tmpl + len - TMP_RANDOM, 'X', TMP_RANDOM);
        int fd = mkostemp(tmpl, O_CLOEXEC);
        if (fd < 0)
            return -1;
        struct stat a, b;
        if (flock(fd, LOCK_EX) != 0) {
            int e = errno;
            close(fd);
            unlink(tmpl);
            errno = e;
            return -1;
        }
        if (fstat(fd, &a) == 0 && stat(tmpl, &b) == 0 && a.st_dev == b.st_dev &&
            a.st_ino == b.st_ino)
            return fd;
        close(fd); /* removed as stale before we held it: make another */
    }
    errno = EEXIST;
    return -1;
}

ft_status ft_atomic_file_open(ft_atomic_file *f, const char *path,
                              char *err, size_t err_size)
{
    ft_clear_error(err, err_size);
    if (!f)
        return FT_ERR_INVALID_ARG;
    memset(f, 0, sizeof *f);
    if (!path || !*path) {
        set_error(err, err_size, path ? path : "(null)", "cannot open", EINVAL);
        return FT_ERR_INVALID_ARG;
    }
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t dir_len = (size_t)(base - path); /* keeps the trailing '/' */
    if (!*base) {
        set_error(err, err_size, path, "cannot open", EISDIR);
        return FT_ERR_INVALID_ARG;
    }

    char prefix[NAME_MAX + 1];
    if (make_prefix(base, name_limit(path, dir_len), prefix, sizeof prefix) != 0) {
        set_error(err, err_size, path, "cannot create temporary file", ENAMETOOLONG);
        return FT_ERR_INVALID_ARG;
    }
    size_t tmp_size = dir_len + strlen(prefix) + TMP_RANDOM + 1;
    f->path = strdup(path);
    f->tmp_path = malloc(tmp_size);
    if (!f->path || !f->tmp_path) {
        release(f);
        set_error(err, err_size, path, "cannot open", ENOMEM);
        return FT_ERR_NOMEM;
    }
    snprintf(f->tmp_path, tmp_size, "%.*s%sXXXXXX", (int)dir_len, path, prefix);

    int fd = create_locked(f->tmp_path);
    if (fd < 0) {
        int e = errno;
        release(f);
        set_error(err, err_size, path, "cannot create temporary file", e);
        return status_from_errno(e);
    }
    /* mkstemp makes the file 0600; outputs are meant to be shared like any
     * other file. Failing to widen it is harmless, so it is not checked. */
    (void)fchmod(fd, 0644);
    f->fp = fdopen(fd, "wb");
    if (!f->fp) {
        int e = errno;
        close(fd);
        unlink(f->tmp_path);
        release(f);
        set_error(err, err_size, path, "cannot create temporary file", e);
        return status_from_errno(e);
    }
    return FT_OK;
}

/* Makes the rename durable. Best effort: some file systems refuse to fsync
 * a directory, and the data itself is already safe. */
static void sync_parent_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path))
                      : strdup(".");
    if (!dir)
        return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

ft_status ft_atomic_file_commit(ft_atomic_file *f, char *err, size_t err_size)
{
    ft_clear_error(err, err_size);
    if (!f || !f->fp) {
        set_error(err, err_size, f && f->path ? f->path : "(null)", "not open", EBADF);
        return FT_ERR_INVALID_ARG;
    }
    const char *what = NULL;
    int e = 0;
    if (fflush(f->fp) != 0) {
        e = errno;
        what = "write failed";
    } else if (ferror(f->fp)) {
        /* An earlier write failed; its errno is long gone. */
        e = EIO;
        what = "write failed";
    } else if (fsync(fileno(f->fp)) != 0) {
        e = errno;
        what = "write failed";
    }
    /* Renamed (or removed) while still open, so locked: a remover never
     * sees it unlocked under the temporary name. */
    if (!what && rename(f->tmp_path, f->path) != 0) {
        e = errno;
        what = "cannot rename temporary file";
    }
    if (what)
        unlink(f->tmp_path);
    (void)fclose(f->fp); /* fflush and fsync above saw every byte written */
    f->fp = NULL;
    if (what) {
        set_error(err, err_size, f->path, what, e);
        release(f);
        return FT_ERR_IO;
    }
    sync_parent_dir(f->path);
    release(f);
    return FT_OK;
}

void ft_atomic_file_abort(ft_atomic_file *f)
{
    if (!f)
        return;
    if (f->tmp_path && f->fp)
        unlink(f->tmp_path); /* while still locked: no remover races us */
    if (f->fp)
        fclose(f->fp);
    release(f);
}

/* ------------------------------------------------------- stale removal */

/* 1 when NAME looks like a temporary file: ".<x>.tmp-XXXXXX". */
static int is_tmp_name(const char *name, size_t len)
{
    const size_t infix = sizeof tmp_infix - 1;
    if (len < 2 + infix + TMP_RANDOM || name[0] != '.')
        return 0;
    if (memcmp(name + len - TMP_RANDOM - infix, tmp_infix, infix) != 0)
        return 0;
    for (size_t i = len - TMP_RANDOM; i < len; i++) {
        const char c = name[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
            return 0;
    }
    return 1;
}

/* Removes NAME in DIRFD when it is a regular file no process holds locked;
 * 1 when removed. */
static int remove_if_unlocked(int dirfd, const char *name)
{
    int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return 0;
    int removed = 0;
    struct stat a, b;
    if (fstat(fd, &a) == 0 && S_ISREG(a.st_mode) && flock(fd, LOCK_EX | LOCK_NB) == 0 &&
        fstatat(dirfd, name, &b, AT_SYMLINK_NOFOLLOW) == 0 && a.st_dev == b.st_dev &&
        a.st_ino == b.st_ino)
        removed = unlinkat(dirfd, name, 0) == 0;
    close(fd); /* and with it the lock */
    return removed;
}

typedef struct stale_key {
    char *dir;    /* "" for the current folder */
    char *prefix; /* ".<name>.tmp-" */
} stale_key;

static int by_dir_prefix(const void *a, const void *b)
{
    const stale_key *x = a, *y = b;
    int c = strcmp(x->dir, y->dir);
    return c ? c : strcmp(x->prefix, y->prefix);
}

/* Whether the temporary NAME (LEN bytes) belongs to one of KEYS[0..n). */
static int wanted(const stale_key *keys, size_t n, const char *name, size_t len)
{
    const size_t plen = len - TMP_RANDOM;
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strncmp(keys[mid].prefix, name, plen);
        if (c == 0 && keys[mid].prefix[plen] != '\0')
            c = 1;
        if (c == 0)
            return 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

size_t ft_atomic_file_remove_stale(const char *const *paths, size_t n)
{
    stale_key *keys = calloc(n ? n : 1, sizeof *keys);
    if (!keys)
        return 0;
    size_t k = 0, removed = 0;
    for (size_t i = 0; i < n; i++) {
        const char *slash = paths[i] ? strrchr(paths[i], '/') : NULL;
        char prefix[NAME_MAX + 1];
        if (!paths[i] || ft_atomic_file_tmp_prefix(paths[i], prefix, sizeof prefix) != 0)
            continue;
        keys[k].dir = slash ? strndup(paths[i], slash == paths[i] ? 1 : (size_t)(slash - paths[i]))
                            : strdup("");
        keys[k].prefix = strdup(prefix);
        if (!keys[k].dir || !keys[k].prefix) {
            free(keys[k].dir);
            free(keys[k].prefix);
            continue;
        }
        k++;
    }
    qsort(keys, k, sizeof *keys, by_dir_prefix);
    for (size_t a = 0; a < k;) {
        size_t b = a + 1;
        while (b < k && strcmp(keys[a].dir, keys[b].dir) == 0)
            b++;
        DIR *d = opendir(keys[a].dir[0] ? keys[a].dir : ".");
        for (struct dirent *e; d && (e = readdir(d));) {
            const size_t len = strlen(e->d_name);
            if (is_tmp_name(e->d_name, len) && wanted(keys + a, b - a, e->d_name, len))
                removed += (size_t)remove_if_unlocked(dirfd(d), e->d_name);
        }
        if (d)
            closedir(d);
        a = b;
    }
    for (size_t i = 0; i < k; i++) {
        free(keys[i].dir);
        free(keys[i].prefix);
    }
    free(keys);
    return removed;
}

static size_t remove_stale_in(int dirfd, int depth)
{
    DIR *d = fdopendir(dirfd);
    if (!d) {
        close(dirfd);
        return 0;
    }
    size_t removed = 0;
    for (struct dirent *e; (e = readdir(d));) {
        const char *name = e->d_name;
        const size_t len = strlen(name);
        if (is_tmp_name(name, len)) {
            removed += (size_t)remove_if_unlocked(dirfd, name);
            continue;
        }
        if (name[0] == '.' || depth >= 64)
            continue; /* ".", "..", hidden folders */
        if (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN)
            continue;
        int sub = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub >= 0)
            removed += remove_stale_in(sub, depth + 1);
    }
    closedir(d);
    return removed;
}

size_t ft_atomic_file_remove_stale_under(const char *root)
{
    if (!root || !*root)
        return 0;
    int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return fd < 0 ? 0 : remove_stale_in(fd, 0);
}
