/* Finding the videos in a folder: recursively, by extension (.mp4 .avi .mov
 * .mkv .webm, any case), hidden entries left out, each folder read once
 * however many links lead to it. */
#ifndef FT_TRACK_FOLDER_SCAN_H
#define FT_TRACK_FOLDER_SCAN_H

#include <stddef.h>

#include "facetrack.h"

/* 1 when NAME ends in a video extension facetrack scans folders for. */
int ft_is_video_name(const char *name);

/* The videos under DIR, sorted by path: *PATHS gets *COUNT malloc'd paths
 * (free with ft_folder_videos_free). Folders below DIR that cannot be read
 * are skipped with a warning; DIR itself failing is FT_ERR_IO, with ERR
 * naming it and the reason. */
ft_status ft_folder_videos(const char *dir, char ***paths, size_t *count, char *err,
                           size_t err_size);
void ft_folder_videos_free(char **paths, size_t count);

#endif
