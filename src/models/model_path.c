#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "models/model_path.h"
#include "models/model_registry.h"

#ifndef FT_MODELS_INSTALL_DIR
#error "FT_MODELS_INSTALL_DIR must be defined by the build"
#endif
#ifndef FT_MODELS_BUILD_DIR
#error "FT_MODELS_BUILD_DIR must be defined by the build"
#endif

/* The user cache folder: 1 written, 0 when neither XDG_CACHE_HOME nor HOME
 * helps, -1 when OUT is too small. The XDG spec says a relative
 * XDG_CACHE_HOME is to be ignored. */
static int user_cache_dir(char *out, size_t out_size)
{
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    int n;
    if (xdg && xdg[0] == '/')
        n = snprintf(out, out_size, "%s/facetrack/models", xdg);
    else if (home && *home)
        n = snprintf(out, out_size, "%s/.cache/facetrack/models", home);
    else
        return 0;
    return n > 0 && (size_t)n < out_size ? 1 : -1;
}

/* Appends DIR (LEN bytes) unless empty, too long, already listed or the
 * list is full. */
static void add_dir(ft_model_dir *dirs, int max, int *count, const char *dir, size_t len,
                    const char *origin)
{
    if (len == 0 || len >= sizeof dirs[0].path || *count >= max)
        return;
    for (int i = 0; i < *count; i++)
        if (strlen(dirs[i].path) == len && strncmp(dirs[i].path, dir, len) == 0)
            return;
    memcpy(dirs[*count].path, dir, len);
    dirs[*count].path[len] = '\0';
    dirs[*count].origin = origin;
    (*count)++;
}

int ft_model_search_dirs(ft_model_dir *dirs, int max)
{
    int count = 0;
    const char *list = getenv("FACETRACK_MODEL_PATH");
    for (const char *p = list; p && *p;) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        add_dir(dirs, max, &count, p, len, "FACETRACK_MODEL_PATH");
        p = colon ? colon + 1 : p + len;
    }
    const char *models_dir = getenv("FACETRACK_MODELS_DIR");
    if (models_dir)
        add_dir(dirs, max, &count, models_dir, strlen(models_dir), "FACETRACK_MODELS_DIR");
    char cache[PATH_MAX];
    if (user_cache_dir(cache, sizeof cache) == 1)
        add_dir(dirs, max, &count, cache, strlen(cache), "user cache");
    add_dir(dirs, max, &count, FT_MODELS_INSTALL_DIR, strlen(FT_MODELS_INSTALL_DIR), "install");
    add_dir(dirs, max, &count, FT_MODELS_BUILD_DIR, strlen(FT_MODELS_BUILD_DIR), "build tree");
    return count;
}

/* DIR/FILE into OUT when it is a regular file (or a link to one). */
static int try_file(const char *dir, const char *file, char *out, size_t out_size, int *too_long)
{
    int n = snprintf(out, out_size, "%s/%s", dir, file);
    if (n < 0 || (size_t)n >= out_size) {
        *too_long = 1;
        return 0;
    }
    struct stat sb;
    return stat(out, &sb) == 0 && S_ISREG(sb.st_mode);
}

ft_status ft_model_find(const char *name, char *out, size_t out_size)
{
    if (!name || !*name || strchr(name, '/') || !out || out_size == 0)
        return FT_ERR_INVALID_ARG;
    const ft_model_info *m = ft_model_lookup(name);
    const char *alias = NULL;
    if (m && strcmp(name, m->file) == 0)
        alias = m->alias;
    else if (m && m->alias && strcmp(name, m->alias) == 0)
        alias = m->file;
    /* On the heap: 128 KiB is too much for the stack of a worker thread. */
    ft_model_dir *dirs = malloc(FT_MODEL_MAX_DIRS * sizeof *dirs);
    if (!dirs)
        return FT_ERR_NOMEM;
    int count = ft_model_search_dirs(dirs, FT_MODEL_MAX_DIRS), too_long = 0, found = 0;
    for (int i = 0; i < count && !found; i++)
        found = try_file(dirs[i].path, name, out, out_size, &too_long) ||
                (alias && try_file(dirs[i].path, alias, out, out_size, &too_long));
    free(dirs);
    if (found)
        return FT_OK;
    out[0] = '\0';
    return too_long ? FT_ERR_INVALID_ARG : FT_ERR_NOT_FOUND;
}

ft_status ft_model_pull_dir(char *out, size_t out_size)
{
    const char *models_dir = getenv("FACETRACK_MODELS_DIR");
    if (models_dir && *models_dir) {
        int n = snprintf(out, out_size, "%s", models_dir);
        return n < 0 || (size_t)n >= out_size ? FT_ERR_INVALID_ARG : FT_OK;
    }
    switch (user_cache_dir(out, out_size)) {
    case 1: return FT_OK;
    case 0: return FT_ERR_NOT_FOUND;
    default: return FT_ERR_INVALID_ARG;
    }
}
