/* Folder scans for videos (see folder_scan.h). */
#include "track/folder_scan.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "base/format_error.h"

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


ft_status ft_folder_videos(const char *dir, char ***paths, size_t *count, char *err,
                           size_t err_size)
{
    *paths = NULL;
    *count = 0;
    folder_scan fs = {0};
    struct stat sb;
    if (stat(dir, &sb) != 0)
        return ft_format_error(err, err_size, FT_ERR_IO, "%s: cannot read folder: %s", dir,
                               strerror(errno));
    ft_status st = mark_dir(&fs, &sb) < 0 ? FT_ERR_NOMEM : scan_dir(&fs, dir, 1);
    free(fs.dirs);
    if (st == FT_ERR_IO)
        ft_format_error(err, err_size, st, "%s: cannot read folder: %s", dir,
                        strerror(fs.root_errno));
    else if (st != FT_OK)
        ft_format_error(err, err_size, st, "%s: %s", dir, ft_status_str(st));
    if (st != FT_OK) {
        vec_free(&fs.found);
        return st;
    }
    if (fs.found.n) /* sorted as whole paths */
        qsort(fs.found.v, fs.found.n, sizeof *fs.found.v, cmp_str);
    *paths = fs.found.v;
    *count = fs.found.n;
    return FT_OK;
}

void ft_folder_videos_free(char **paths, size_t count)
{
    for (size_t i = 0; paths && i < count; i++)
        free(paths[i]);
    free(paths);
}
