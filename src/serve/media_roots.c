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

void ft_media_roots_exclude(ft_media_roots *roots, const char *dir)
{
    char *real = realpath(dir, NULL);
    snprintf(roots->excluded, sizeof roots->excluded, "%s", real ? real : "");
    free(real);
}

/* Whether a '/'-separated PATH has a component starting with '.' other than
 * "." and ".." (which realpath() resolves, and the checks of where the path
 * lands catch). */
static int names_hidden(const char *path)
{
    for (const char *p = path; *p;) {
        const char *end = strchr(p, '/');
        const size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n > 0 && p[0] == '.' && !(n == 1 || (n == 2 && p[1] == '.')))
            return 1;
        p += n;
        while (*p == '/')
            p++;
    }
    return 0;
}

int ft_media_visible(const ft_media_roots *roots, int root, const char *real)
{
    if (root < 0 || root >= roots->count || !inside(roots->paths[root], real))
        return 0;
    if (roots->excluded[0] && inside(roots->excluded, real))
        return 0;
    return !names_hidden(real + strlen(roots->paths[root]));
}

ft_status ft_media_resolve(const ft_media_roots *roots, int root, const char *relative, char *out)
{
    if (root < 0 || root >= roots->count || !relative || relative[0] == '/' ||
        names_hidden(relative))
        return FT_ERR_NOT_FOUND;
    char joined[PATH_MAX * 2];
    if ((size_t)snprintf(joined, sizeof joined, "%s/%s", roots->paths[root], relative) >=
        sizeof joined)
        return FT_ERR_NOT_FOUND;
    /* realpath() follows every link and "..": only where it lands counts. */
    char *real = realpath(joined, NULL);
    if (!real)
        return FT_ERR_NOT_FOUND;
    ft_status st = ft_media_visible(roots, root, real) ? FT_OK : FT_ERR_NOT_FOUND;
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
