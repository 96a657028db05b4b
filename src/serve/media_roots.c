#include "serve/media_roots.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

ft_status ft_media_roots_add(ft_media_roots *roots, const char *dir)
{
    if (roots->count >= FT_MEDIA_MAX_ROOTS)
        return FT_ERR_INVALID_ARG;
    char *real = realpath(dir, NULL);
    struct stat sb;
    if (!real || stat(real, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        free(real);
        return FT_ERR_NOT_FOUND;
    }
    snprintf(roots->paths[roots->count++], PATH_MAX, "%s", real);
    free(real);
    return FT_OK;
}

/* Whether PATH is ROOT or below it. */
static int inside(const char *root, const char *path)
{
    const size_t n = strlen(root);
    if (n == 1 && root[0] == '/')
        return path[0] == '/';
    return strncmp(path, root, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

ft_status ft_media_resolve(const ft_media_roots *roots, int root, const char *relative, char *out)
{
    if (root < 0 || root >= roots->count || !relative || relative[0] == '/')
        return FT_ERR_INVALID_ARG;
    char joined[PATH_MAX * 2];
    if ((size_t)snprintf(joined, sizeof joined, "%s/%s", roots->paths[root], relative) >=
        sizeof joined)
        return FT_ERR_INVALID_ARG;
    /* realpath() follows every link and "..": only where it lands counts. */
    char *real = realpath(joined, NULL);
    if (!real)
        return errno == ENOENT || errno == ENOTDIR ? FT_ERR_NOT_FOUND : FT_ERR_INVALID_ARG;
    ft_status st = inside(roots->paths[root], real) ? FT_OK : FT_ERR_INVALID_ARG;
    if (st == FT_OK)
        snprintf(out, PATH_MAX, "%s", real);
    free(real);
    return st;
}

const char *ft_media_relative(const ft_media_roots *roots, int root, const char *real)
{
    if (root < 0 || root >= roots->count || !inside(roots->paths[root], real))
        return NULL;
    const char *rest = real + strlen(roots->paths[root]);
    while (*rest == '/')
        rest++;
    return rest;
}
