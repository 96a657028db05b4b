/* Output files that appear whole or not at all: data goes to a temporary
 * file in the same folder, which is renamed over the final name only on
 * commit. An abandoned or crashed write leaves the final name untouched.
 *
 * The temporary file is "<dir>/.<name>.tmp-XXXXXX"; when that would be
 * longer than the folder's file-name limit (NAME_MAX), <name> is cut and
 * ended with "~" and 16 hex digits of a hash of the whole name, so a name
 * as long as the limit still gets a temporary file. Its writer holds an
 * exclusive flock(2) on it from creation to commit or abort: a temporary
 * file nobody holds locked was left by a process that is gone (killed),
 * and ft_atomic_file_remove_stale removes it. */
#ifndef FT_BASE_ATOMIC_FILE_H
#define FT_BASE_ATOMIC_FILE_H

#include <stddef.h>
#include <stdio.h>

#include "facetrack.h"

typedef struct ft_atomic_file {
    FILE *fp;            /* write here between open and commit */
    char *path;          /* final name */
    char *tmp_path;      /* "<dir>/.<name>.tmp-XXXXXX" (name shortened, see above) */
} ft_atomic_file;

/* On failure ERR gets one line naming PATH and the reason. */
ft_status ft_atomic_file_open(ft_atomic_file *f, const char *path,
                              char *err, size_t err_size);
/* Flushes, fsyncs and renames into place; closes in all cases. */
ft_status ft_atomic_file_commit(ft_atomic_file *f, char *err, size_t err_size);
/* Closes and removes the temporary file. Safe after commit or failure. */
void ft_atomic_file_abort(ft_atomic_file *f);

/* The temporary names of PATH start with this prefix (".<name>.tmp-",
 * <name> shortened as above) into OUT; 0, or -1 when it does not fit. */
int ft_atomic_file_tmp_prefix(const char *path, char *out, size_t out_size);

/* Removes the stale temporary files of the outputs PATHS[0..n): those of
 * their names, in their folders, that no live writer holds locked. Each
 * folder is read once. Returns how many were removed. */
size_t ft_atomic_file_remove_stale(const char *const *paths, size_t n);

/* Removes every stale temporary file (".<name>.tmp-XXXXXX" that no writer
 * holds locked) in the folders under ROOT, recursively (symbolic links are
 * not followed; hidden folders are skipped). Returns how many. */
size_t ft_atomic_file_remove_stale_under(const char *root);

#endif
