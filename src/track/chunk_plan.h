/* How one video is cut into frame ranges that workers analyse in parallel.
 * The plan depends only on the video (its key frames, shot cuts and length),
 * never on the number of workers, so every worker count gives the same
 * output. A range that continues its predecessor (no shot cut between them)
 * starts WARMUP frames early: those frames, which the predecessor also
 * analyses, let its tracking settle and tie its face IDs to the
 * predecessor's. */
#ifndef FT_TRACK_CHUNK_PLAN_H
#define FT_TRACK_CHUNK_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "facetrack.h"

typedef struct ft_chunk {
    int64_t start;     /* first frame analysed (0-based), a key frame when one is near */
    int64_t out_first; /* first frame this range writes: start, or start + warm-up */
    int64_t end;       /* one past the last frame analysed and written */
    int continues;     /* 1: the frames [start, out_first) overlap the previous range */
} ft_chunk;

typedef struct ft_chunk_plan {
    ft_chunk *chunks;
    size_t count;
} ft_chunk_plan;

/* Plans TOTAL frames in ranges of about TARGET frames. KEYS (ascending
 * 0-based indices where decoding can start) and CUTS (ascending 0-based
 * first frames of new shots) are preferred boundaries; either may be empty. */
ft_status ft_chunk_plan_make(int64_t total, const int64_t *keys, size_t key_count,
                             const int64_t *cuts, size_t cut_count, int64_t target, int warmup,
                             ft_chunk_plan *out);
void ft_chunk_plan_free(ft_chunk_plan *plan);

#endif
