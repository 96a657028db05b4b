/* Model-free shot cuts (see content_detector.h). */
#include "scenes/content_detector.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TW 32 /* thumbnail width and height, in blocks of the luma plane */
#define TH 18
#define BINS 16 /* per channel: Y, U, V */
#define RING 4  /* features kept: t-1 .. t+2 */

typedef struct features {
    float hist[3][BINS]; /* normalised to sum 1 */
    uint8_t thumb[TH][TW];
    int has_chroma;
} features;

struct ft_content_detector {
    ft_content_options opt;
    features ring[RING];
    int64_t frames;
    double *step;    /* step[t]: difference of frame t from frame t - 1 */
    double *lasting; /* lasting[t]: of frame t + 2 from frame t - 1 */
    double *settled; /* settled[t]: of frame t from frame t - 2 */
    size_t cap;
    int64_t *cuts;
    double *cut_scores;
    size_t cut_count;
};

void ft_content_options_init(ft_content_options *o)
{
    *o = (ft_content_options){.min_score = 0.12, .ratio = 3.0, .window = 4, .min_scene_len = 8};
}

ft_status ft_content_detector_create(const ft_content_options *o, ft_content_detector **out)
{
    *out = NULL;
    ft_content_detector *d = calloc(1, sizeof *d);
    if (!d)
        return FT_ERR_NOMEM;
    if (o)
        d->opt = *o;
    else
        ft_content_options_init(&d->opt);
    if (d->opt.window < 1 || d->opt.min_scene_len < 1 || !(d->opt.ratio > 0)) {
        free(d);
        return FT_ERR_INVALID_ARG;
    }
    *out = d;
    return FT_OK;
}

void ft_content_detector_free(ft_content_detector *d)
{
    if (!d)
        return;
    free(d->step);
    free(d->lasting);
    free(d->settled);
    free(d->cuts);
    free(d->cut_scores);
    free(d);
}

/* Histogram of a plane, sampled on a grid (every STEP-th pixel and row). */
static void histogram(const uint8_t *p, int stride, int w, int h, float out[BINS])
{
    unsigned counts[BINS] = {0};
    const int step = w > 256 ? 4 : w > 128 ? 2 : 1;
    unsigned n = 0;
    for (int y = 0; y < h; y += step)
        for (int x = 0; x < w; x += step, n++)
            counts[p[(size_t)y * (size_t)stride + (size_t)x] >> 4]++;
    for (int b = 0; b < BINS; b++)
        out[b] = n ? (float)counts[b] / (float)n : 0.0f;
}

/* Block means of the luma plane: a TW x TH thumbnail. Large frames are
 * sampled every STEP-th pixel and row: a block still averages hundreds. */
static void thumbnail(const uint8_t *p, int stride, int w, int h, uint8_t out[TH][TW])
{
    const int step = w > 640 ? 4 : w > 320 ? 2 : 1;
    for (int by = 0; by < TH; by++)
        for (int bx = 0; bx < TW; bx++) {
            const int x0 = bx * w / TW, x1 = (bx + 1) * w / TW > x0 ? (bx + 1) * w / TW : x0 + 1;
            const int y0 = by * h / TH, y1 = (by + 1) * h / TH > y0 ? (by + 1) * h / TH : y0 + 1;
            unsigned sum = 0, n = 0;
            for (int y = y0; y < y1 && y < h; y += step)
                for (int x = x0; x < x1 && x < w; x += step, n++)
                    sum += p[(size_t)y * (size_t)stride + (size_t)x];
            out[by][bx] = (uint8_t)(n ? sum / n : 0);
        }
}

/* 0 (same) .. 1 (nothing alike). The colour distribution changes at most
 * cuts and hardly with motion; the layout changes with both, so it counts
 * half: a head turning fast moves the layout, not the colours. */
static double difference(const features *a, const features *b)
{
    const int channels = a->has_chroma && b->has_chroma ? 3 : 1;
    double hist = 0;
    for (int c = 0; c < channels; c++)
        for (int i = 0; i < BINS; i++)
            hist += fabs((double)a->hist[c][i] - (double)b->hist[c][i]);
    hist /= 2.0 * channels;
    double layout = 0;
    for (int y = 0; y < TH; y++)
        for (int x = 0; x < TW; x++)
            layout += abs((int)a->thumb[y][x] - (int)b->thumb[y][x]);
    layout /= (double)(TW * TH) * 64.0; /* a mean change of 64 levels counts as total */
    layout = 0.5 * (layout < 1 ? layout : 1);
    return hist > layout ? hist : layout;
}

ft_status ft_content_detector_push(ft_content_detector *d, const ft_frame *f)
{
    if (!d || !f || (f->format != FT_PIXFMT_YUV420P && f->format != FT_PIXFMT_GRAY8))
        return FT_ERR_INVALID_ARG;
    if ((size_t)d->frames >= d->cap) {
        const size_t cap = d->cap ? 2 * d->cap : 1024;
        double *s = realloc(d->step, cap * sizeof *s);
        if (s)
            d->step = s;
        double *l = realloc(d->lasting, cap * sizeof *l);
        if (l)
            d->lasting = l;
        double *b = realloc(d->settled, cap * sizeof *b);
        if (b)
            d->settled = b;
        if (!s || !l || !b)
            return FT_ERR_NOMEM;
        d->cap = cap;
    }
    features *now = &d->ring[d->frames % RING];
    memset(now, 0, sizeof *now);
    histogram(f->data[0], f->linesize[0], f->width, f->height, now->hist[0]);
    thumbnail(f->data[0], f->linesize[0], f->width, f->height, now->thumb);
    if (f->format == FT_PIXFMT_YUV420P) {
        const int cw = (f->width + 1) / 2, ch = (f->height + 1) / 2;
        histogram(f->data[1], f->linesize[1], cw, ch, now->hist[1]);
        histogram(f->data[2], f->linesize[2], cw, ch, now->hist[2]);
        now->has_chroma = 1;
    }
    const int64_t t = d->frames;
    d->step[t] = t > 0 ? difference(&d->ring[(t - 1) % RING], now) : 0;
    d->lasting[t] = 1; /* until frame t + 2 says otherwise */
    d->settled[t] = t >= 2 ? difference(&d->ring[(t - 2) % RING], now) : 1;
    if (t >= 3) /* frame t is frame (t - 2) + 2 */
        d->lasting[t - 2] = difference(&d->ring[(t - 3) % RING], now);
    d->frames++;
    return FT_OK;
}

/* Mean step of the WINDOW frames on each side of T, T excluded. */
static double neighbours(const ft_content_detector *d, int64_t t)
{
    double sum = 0;
    int n = 0;
    for (int64_t k = t - d->opt.window; k <= t + d->opt.window; k++)
        if (k != t && k >= 1 && k < d->frames) {
            sum += d->step[k];
            n++;
        }
    return n ? sum / n : 0;
}

ft_status ft_content_detector_finish(ft_content_detector *d, const int64_t **cuts,
                                     const double **scores, size_t *count)
{
    free(d->cuts);
    free(d->cut_scores);
    d->cut_count = 0;
    d->cuts = malloc(((size_t)d->frames + 1) * sizeof *d->cuts);
    d->cut_scores = malloc(((size_t)d->frames + 1) * sizeof *d->cut_scores);
    if (!d->cuts || !d->cut_scores)
        return FT_ERR_NOMEM;
    for (int64_t t = 1; t < d->frames; t++) {
        const double s = d->step[t];
        if (s < d->opt.min_score || s < d->opt.ratio * neighbours(d, t))
            continue;
        /* A flash (or a one-frame glitch) returns to the frame before it:
         * neither its start nor its end is a cut. */
        if (d->lasting[t] < 0.5 * s || d->settled[t] < 0.5 * s)
            continue;
        if (d->cut_count > 0 && t - d->cuts[d->cut_count - 1] < d->opt.min_scene_len) {
            if (s > d->cut_scores[d->cut_count - 1]) { /* keep the stronger of two close cuts */
                d->cuts[d->cut_count - 1] = t;
                d->cut_scores[d->cut_count - 1] = s;
            }
            continue;
        }
        d->cuts[d->cut_count] = t;
        d->cut_scores[d->cut_count++] = s;
    }
    *cuts = d->cuts;
    *scores = d->cut_scores;
    *count = d->cut_count;
    return FT_OK;
}
