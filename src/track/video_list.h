/* The videos one batch run (`facetrack track`, `facetrack scenes`)
 * processes: files and folders from the command line (folders scanned as
 * folder_scan.h says), and the original's `--videos-json` lists; then one
 * shard of them. */
#ifndef FT_TRACK_VIDEO_LIST_H
#define FT_TRACK_VIDEO_LIST_H

#include <stddef.h>

#include "facetrack.h"

/* The largest list file (--videos-json) read; larger ones are refused. */
#define FT_VIDEO_LIST_MAX_BYTES (64 * 1024 * 1024)

/* All zeros is an empty list. */
typedef struct ft_video_list {
    char **paths; /* in the order given; folders' files sorted by path */
    size_t count;
    struct ft_video_seen *seen; /* private: the real paths listed, to find duplicates */
    /* When set, an entry of a JSON list that names no usable file (missing,
     * not a regular file, unreadable) is handed to on_reject as one line
     * and counted in REJECTED instead of failing the whole list. */
    void (*on_reject)(const void *user, const char *message);
    const void *reject_user;
    size_t rejected;
} ft_video_list;

/* Appends PATH: a file (taken whatever its extension) or a folder (scanned).
 * Duplicates (same real path) are dropped. FT_ERR_NOT_FOUND when it does not
 * exist; ERR names the path and the reason. */
ft_status ft_video_list_add(ft_video_list *list, const char *path, char *err, size_t err_size);
/* Appends the entries of a JSON file: an array of paths, or {"videos": [...]}.
 * Relative paths are relative to the current directory. The file must be a
 * regular file of at most FT_VIDEO_LIST_MAX_BYTES (FT_ERR_IO otherwise,
 * before anything is read: a link to /dev/zero, a FIFO or a folder). */
ft_status ft_video_list_add_json(ft_video_list *list, const char *json_path, char *err,
                                 size_t err_size);
/* Keeps the K-th (1-based) of N interleaved slices: entries i with
 * i % N == K - 1, so every machine gets a mix of the list. K or N out of
 * range change nothing. */
void ft_video_list_shard(ft_video_list *list, int k, int n);
void ft_video_list_free(ft_video_list *list);

#endif
