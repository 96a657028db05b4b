#include <stdio.h>

#include "models/model_check.h"
#include "models/model_path.h"

void ft_model_locate(const ft_model_info *m, ft_model_found *f, ft_log_level level)
{
    char err[PATH_MAX + 128];
    f->check = NULL;
    f->sha256[0] = '\0';
    if (ft_model_find(m->file, f->path, sizeof f->path) != FT_OK) {
        f->path[0] = '\0';
        return;
    }
    if (ft_sha256_file(f->path, f->sha256, err, sizeof err) != FT_OK) {
        ft_log(level, "%s", err);
        f->check = "unreadable";
        f->sha256[0] = '\0';
    } else if (!ft_sha256_equal(f->sha256, m->sha256)) {
        ft_log(level, "%s: SHA-256 %s differs from the pinned %s", f->path, f->sha256,
               m->sha256);
        f->check = "mismatch";
    } else {
        f->check = "ok";
    }
}
