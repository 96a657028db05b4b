/* The folders `facetrack serve` may show: every path a client names is
 * relative to one of them and must resolve (symbolic links followed)
 * inside it, through no hidden name (a component starting with '.') below
 * the root, and outside the excluded folder (the server's data). */
#ifndef FT_SERVE_MEDIA_ROOTS_H
#define FT_SERVE_MEDIA_ROOTS_H

#include <limits.h>
#include <stddef.h>

#include "facetrack.h"

#define FT_MEDIA_MAX_ROOTS 16

typedef struct ft_media_roots {
    char paths[FT_MEDIA_MAX_ROOTS][PATH_MAX]; /* real paths, no trailing '/' */
    int count;
    char excluded[PATH_MAX]; /* real path; "" when none */
} ft_media_roots;

/* Adds folder DIR; FT_ERR_NOT_FOUND when it is no folder, FT_ERR_INVALID_ARG
 * when there are too many. */
ft_status ft_media_roots_add(ft_media_roots *roots, const char *dir);

/* Never serves folder DIR (when it exists) nor anything in it. */
void ft_media_roots_exclude(ft_media_roots *roots, const char *dir);

/* The real path of RELATIVE under root ROOT into OUT (PATH_MAX bytes).
 * FT_ERR_NOT_FOUND when it does not exist, when ROOT is out of range, and
 * when the path leaves the root (by "..", an absolute path or a link),
 * names or lands on a hidden file or folder, or lands in the excluded
 * folder: a client cannot tell these apart, so cannot learn what exists
 * outside. */
ft_status ft_media_resolve(const ft_media_roots *roots, int root, const char *relative, char *out);

/* 1 when REAL (a real path) is inside root ROOT, hidden by no component
 * below it, and outside the excluded folder. */
int ft_media_visible(const ft_media_roots *roots, int root, const char *real);

/* REAL (a real path) relative to root ROOT: a pointer into REAL, "" for the
 * root itself; NULL when REAL is not inside it. */
const char *ft_media_relative(const ft_media_roots *roots, int root, const char *real);

#endif
