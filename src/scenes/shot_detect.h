/* One video's shot cuts: decode (YUV, no colour conversion), run the
 * content detector or TransNetV2 (on 48x27 RGB frames scaled as the
 * original's ffmpeg did), keep each frame's timestamp for the timecodes. */
#ifndef FT_SCENES_SHOT_DETECT_H
#define FT_SCENES_SHOT_DETECT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "facetrack.h"
#include "nn/graph.h"
#include "scenes/content_detector.h"
#include "scenes/transnet_detector.h"

typedef struct ft_shots {
    int64_t frame_count;
    double *times;    /* per frame, seconds since the first frame */
    int64_t *cuts;    /* 0-based first frames of new shots */
    ft_cut_info *info; /* per cut: hard or gradual, score, span */
    size_t cut_count;
} ft_shots;

typedef struct ft_shot_options {
    ft_content_options content;
    const ft_nn_graph *transnet;     /* set: TransNetV2 (ft_transnet_load) instead */
    ft_transnet_options transnet_options;
    int nn_threads;                  /* TransNetV2's inference threads; 0: all cores */
    int decode_threads;              /* 0: all cores */
    int gpu;                         /* 1: TransNetV2 on GPU GPU_DEVICE, decoding on its NVDEC */
    int gpu_device;
    int cpu_decode;                  /* with GPU: decoding on the CPU instead */
    const atomic_int *stop;          /* set: give up at the next frame */
    /* every 100 frames: frames read, and the container's count (-1: unknown) */
    void (*on_frames)(void *user, int64_t done, int64_t total);
    void *user;
} ft_shot_options;

/* ERR names the file and the reason on failure. */
ft_status ft_shots_detect(const char *path, const ft_shot_options *o, ft_shots *out, char *err,
                          size_t err_size);
void ft_shots_free(ft_shots *s);

#endif
