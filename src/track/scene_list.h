/* Shot lists in the original STEP3 CSV (`<stem>.csv`):
 *   No,Timecode In,Timecode Out,Frame In,Frame Out
 *   1,00:00:00.000,00:00:01.640,1,42
 * Frame numbers are 1-based and inclusive. */
#ifndef FT_TRACK_SCENE_LIST_H
#define FT_TRACK_SCENE_LIST_H

#include <stddef.h>
#include <stdint.h>

#include "facetrack.h"

typedef struct ft_scene {
    int64_t first, last; /* 1-based frame numbers, inclusive */
} ft_scene;

typedef struct ft_scene_list {
    ft_scene *scenes; /* in file order, validated: first <= last, increasing */
    size_t count;
} ft_scene_list;

/* Reads PATH. FT_ERR_NOT_FOUND when absent; FT_ERR_FORMAT (ERR names the
 * file, line and reason) when the header or a row is malformed. */
ft_status ft_scene_list_load(const char *path, ft_scene_list *out, char *err, size_t err_size);
void ft_scene_list_free(ft_scene_list *list);
/* The 0-based index of the scene holding 1-based FRAME, or -1. */
long ft_scene_list_find(const ft_scene_list *list, int64_t frame);

#endif
