/* Output files that appear whole or not at all: data goes to a temporary
 * file in the same folder, which is renamed over the final name only on
 * commit. An abandoned or crashed write leaves the final name untouched. */
#ifndef FT_BASE_ATOMIC_FILE_H
#define FT_BASE_ATOMIC_FILE_H

#include <stdio.h>

#include "facetrack.h"

typedef struct ft_atomic_file {
    FILE *fp;            /* write here between open and commit */
    char *path;          /* final name */
    char *tmp_path;      /* "<dir>/.<name>.tmp-XXXXXX" */
} ft_atomic_file;

/* On failure ERR gets one line naming PATH and the reason. */
ft_status ft_atomic_file_open(ft_atomic_file *f, const char *path,
                              char *err, size_t err_size);
/* Flushes, fsyncs and renames into place; closes in all cases. */
ft_status ft_atomic_file_commit(ft_atomic_file *f, char *err, size_t err_size);
/* Closes and removes the temporary file. Safe after commit or failure. */
void ft_atomic_file_abort(ft_atomic_file *f);

#endif
