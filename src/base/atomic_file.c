/* Atomic output files: write to "<dir>/.<name>.tmp-XXXXXX", then rename(2)
 * over the final name, which POSIX guarantees to be atomic within one file
 * system; that is why the temporary file lives in the same folder. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
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

    static const char suffix[] = ".tmp-XXXXXX";
    size_t tmp_size = dir_len + 1 + strlen(base) + sizeof suffix;
    f->path = strdup(path);
    f->tmp_path = malloc(tmp_size);
    if (!f->path || !f->tmp_path) {
        release(f);
        set_error(err, err_size, path, "cannot open", ENOMEM);
        return FT_ERR_NOMEM;
    }
    snprintf(f->tmp_path, tmp_size, "%.*s.%s%s", (int)dir_len, path, base, suffix);

    int fd = mkstemp(f->tmp_path);
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
    if (fclose(f->fp) != 0 && !what) {
        e = errno;
        what = "write failed";
    }
    f->fp = NULL;
    if (!what && rename(f->tmp_path, f->path) != 0) {
        e = errno;
        what = "cannot rename temporary file";
    }
    if (what) {
        unlink(f->tmp_path);
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
    if (f->fp)
        fclose(f->fp);
    if (f->tmp_path)
        unlink(f->tmp_path);
    release(f);
}
