/* Per-video object IDs (obj_1, obj_2, ...) from the ranges' own engine IDs.
 * A range that continues its predecessor inherits the IDs of the faces both
 * saw in their overlapping frames; every other face gets the next number on
 * its first written frame. */
#ifndef FT_TRACK_ID_MAP_H
#define FT_TRACK_ID_MAP_H

#include <stdint.h>

#include "facetrack.h"
#include "track/chunk_result.h"

typedef struct ft_id_map {
    int *ids;      /* ids[local] = per-video ID, 0 = none yet */
    int cap;
} ft_id_map;

/* Faces of PREV (mapped by PREV_MAP) and of CUR seen in both over frames
 * [first, end): pairs that overlap (IoU > 0.3) the most, frame after frame,
 * share an ID. CUR_MAP starts empty. */
ft_status ft_id_map_inherit(ft_id_map *cur_map, const ft_chunk_result *cur,
                            const ft_id_map *prev_map, const ft_chunk_result *prev, int64_t first,
                            int64_t end);

/* The per-video ID of LOCAL, giving it *NEXT (then incremented) when new. */
int ft_id_map_get(ft_id_map *map, int local, int *next);
void ft_id_map_free(ft_id_map *map);

#endif
