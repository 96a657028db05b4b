/* TransNetV2's sliding windows (see transnet_detector.h). */
#include "scenes/transnet_detector.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenes/transnet_model.h"

#define CONTEXT 25 /* frames of context on each side of a window's middle */
#define STRIDE 50  /* predictions kept per window */
#define RING 128   /* frames kept: a window's 100, rounded up */
#define FRAME_BYTES (FT_TRANSNET_WIDTH * FT_TRANSNET_HEIGHT * 3)

struct ft_transnet_detector {
    ft_nn_runner *runner;
    uint8_t *frames;      /* RING frames, frame i at slot i % RING */
    float *histograms;    /* the same slots */
    int64_t count;        /* frames pushed */
    int64_t next_window;  /* first frame of the next window's middle */
    float *logits;
    int64_t logit_count, logit_cap;
};

ft_status ft_transnet_detector_create(const ft_nn_graph *graph, ft_nn_backend backend, int threads,
                                      int gpu_device,
                                      ft_transnet_detector **out, char *err, size_t err_size)
{
    *out = NULL;
    ft_transnet_detector *d = calloc(1, sizeof *d);
    if (!d || !(d->frames = malloc((size_t)RING * FRAME_BYTES)) ||
        !(d->histograms = malloc((size_t)RING * FT_TRANSNET_BINS * sizeof(float)))) {
        ft_transnet_detector_free(d);
        snprintf(err, err_size, "out of memory");
        return FT_ERR_NOMEM;
    }
    ft_status st = gpu_device >= 0
                       ? ft_nn_runner_create_on_gpu(graph, gpu_device, threads, &d->runner, err,
                                                    err_size)
                       : ft_nn_runner_create(graph, backend, threads, &d->runner, err, err_size);
    if (st != FT_OK) {
        ft_transnet_detector_free(d);
        return st;
    }
    *out = d;
    return FT_OK;
}

void ft_transnet_detector_free(ft_transnet_detector *d)
{
    if (!d)
        return;
    ft_nn_runner_free(d->runner);
    free(d->frames);
    free(d->histograms);
    free(d->logits);
    free(d);
}

const char *ft_transnet_detector_error(const ft_transnet_detector *d)
{
    return d->runner ? ft_nn_runner_error(d->runner) : "";
}

static ft_status keep_logits(ft_transnet_detector *d, const float *logits, int64_t n)
{
    if (d->logit_count + n > d->logit_cap) {
        const int64_t cap = d->logit_cap ? 2 * d->logit_cap : 1024;
        float *p = realloc(d->logits, (size_t)cap * sizeof *p);
        if (!p)
            return FT_ERR_NOMEM;
        d->logits = p;
        d->logit_cap = cap;
    }
    memcpy(d->logits + d->logit_count, logits, (size_t)n * sizeof *logits);
    d->logit_count += n;
    return FT_OK;
}

/* The window whose middle starts at frame START; frames past the last one
 * pushed repeat it, frames before 0 repeat frame 0. */
static ft_status run_window(ft_transnet_detector *d, int64_t start)
{
    float *frames = ft_nn_runner_input(d->runner, 0);
    float *hists = ft_nn_runner_input(d->runner, 1);
    for (int64_t j = 0; j < FT_TRANSNET_WINDOW; j++) {
        int64_t i = start - CONTEXT + j;
        i = i < 0 ? 0 : i >= d->count ? d->count - 1 : i;
        const uint8_t *rgb = d->frames + (size_t)(i % RING) * FRAME_BYTES;
        float *dst = frames + j * FRAME_BYTES;
        for (int k = 0; k < FRAME_BYTES; k++)
            dst[k] = (float)rgb[k] / 255.0f;
        memcpy(hists + j * FT_TRANSNET_BINS, d->histograms + (size_t)(i % RING) * FT_TRANSNET_BINS,
               FT_TRANSNET_BINS * sizeof(float));
    }
    ft_status st = ft_nn_runner_run(d->runner);
    if (st != FT_OK)
        return st;
    const float *logits = ft_nn_runner_output(d->runner, 0);
    return keep_logits(d, logits + CONTEXT, STRIDE);
}

ft_status ft_transnet_detector_push(ft_transnet_detector *d, const uint8_t *rgb)
{
    const size_t slot = (size_t)(d->count % RING);
    memcpy(d->frames + slot * FRAME_BYTES, rgb, FRAME_BYTES);
    ft_transnet_histogram(rgb, d->histograms + slot * FT_TRANSNET_BINS);
    d->count++;
    /* A window runs as soon as its last frame is in. */
    while (d->next_window + FT_TRANSNET_WINDOW - CONTEXT <= d->count) {
        ft_status st = run_window(d, d->next_window);
        if (st != FT_OK)
            return st;
        d->next_window += STRIDE;
    }
    return FT_OK;
}

ft_status ft_transnet_detector_finish(ft_transnet_detector *d, const float **logits,
                                      int64_t *count)
{
    for (; d->next_window < d->count; d->next_window += STRIDE) {
        ft_status st = run_window(d, d->next_window);
        if (st != FT_OK)
            return st;
    }
    *logits = d->logits;
    *count = d->count < d->logit_count ? d->count : d->logit_count;
    return FT_OK;
}

void ft_transnet_options_init(ft_transnet_options *o)
{
    o->threshold = 0.5;
    o->min_scene_len = 8;
    o->compat = 0;
}

static double probability(float logit)
{
    return 1.0 / (1.0 + exp(-(double)logit));
}

ft_status ft_transnet_cuts(const float *logits, int64_t count, const ft_transnet_options *o,
                           int64_t **cuts, ft_cut_info **info, size_t *cut_count)
{
    *cut_count = 0;
    *cuts = malloc((size_t)(count + 1) * sizeof **cuts);
    *info = malloc((size_t)(count + 1) * sizeof **info);
    if (!*cuts || !*info) {
        free(*cuts);
        free(*info);
        *cuts = NULL;
        *info = NULL;
        return FT_ERR_NOMEM;
    }
    size_t n = 0;
    for (int64_t t = 0; t < count; t++) {
        double p = probability(logits[t]);
        if (p <= o->threshold)
            continue;
        const int64_t first = t;
        int64_t best = t;
        if (!o->compat) /* the whole run above the threshold: one boundary */
            for (; t + 1 < count && probability(logits[t + 1]) > o->threshold; t++)
                if (probability(logits[t + 1]) > p)
                    p = probability(logits[best = t + 1]);
        if (best + 1 >= count)
            break; /* the last frame ends the video anyway */
        const int64_t start = best + 1, previous = n ? (*cuts)[n - 1] : 0;
        const int gradual = t - first + 1 >= 3;
        const ft_cut_info cut = {gradual ? FT_CUT_DISSOLVE : FT_CUT_HARD, p,
                                 gradual ? first : start, gradual && t + 1 < count ? t + 1 : start};
        if (!o->compat && start - previous < o->min_scene_len) {
            if (n && p > (*info)[n - 1].score) { /* the likelier of two close ones */
                (*cuts)[n - 1] = start;
                (*info)[n - 1] = cut;
            }
            continue;
        }
        (*cuts)[n] = start;
        (*info)[n++] = cut;
    }
    *cut_count = n;
    return FT_OK;
}
