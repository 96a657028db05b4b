/* detectMultiScale as OpenCV 4.6 runs it on the CPU (see haar_detector.h).
 * The references are objdetect/src/cascadedetect.cpp
 * (detectMultiScaleNoGrouping, FeatureEvaluator::updateScaleData,
 * HaarEvaluator/LBPEvaluator::setWindow, CascadeClassifierInvoker) and
 * cascadedetect.hpp (OptFeature::calc, predictOrderedStump and friends).
 * Our own layout: every scale's tables share one row stride, so each
 * feature's four corners become fixed offsets from the window's corner,
 * computed once per frame size and stored inside the stumps themselves. */
#include "face/haar_detector.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "face/integral_image.h"
#include "face/opencv_resize.h"

#define GROUP_EPS 0.2 /* detectMultiScale's GROUP_EPS */

typedef struct opt_haar {
    int ofs[3][4]; /* corners relative to the window, in the shared buffer */
    float weight[3];
} opt_haar;

/* leaf[1] when the value is below the threshold (left), else leaf[0]: an
 * index instead of a branch the predictor cannot learn. */
typedef struct haar_stump {
    opt_haar f;
    float threshold;
    float leaf[2];
} haar_stump;

typedef struct opt_lbp {
    int ofs[16]; /* the 4 x 4 grid corners of the 3 x 3 blocks */
} opt_lbp;

typedef struct lbp_stump {
    opt_lbp f;
    uint32_t subset[8]; /* 256 codes: a stump's data in one place */
    float leaf[2];      /* [1]: the code is in the subset (left) */
} lbp_stump;

typedef struct scale_info {
    float scale;
    int w, h;         /* the resized image */
    int ystep;        /* 2 below scale 2, else 1 */
    int work_w, work_h; /* window positions: x < work_w, y < work_h */
    int win_w, win_h; /* the window in the image: round(24 * scale) */
} scale_info;

typedef struct hits {
    ft_rect *r;
    int n, cap;
    int failed;
} hits;

typedef struct scratch {
    uint8_t *image;
    void *resize;
    int32_t *sum; /* the sum table, then (tilted cascades) the tilted one */
    uint32_t *sqsum;
    int32_t *roll;
    int busy;
} scratch;

struct ft_haar_detector {
    ft_cascade c;
    pthreadpool_t pool;
    /* per frame size */
    int frame_w, frame_h;
    int stride, rows; /* of every table: the largest scale's width + 1, height + 1 */
    int tilted_ofs;   /* where the tilted table starts after the sum table */
    int norm_ofs[4];  /* the window less its 1-pixel border */
    opt_haar *haar;   /* per feature */
    opt_lbp *lbp;
    haar_stump *haar_stumps; /* per tree, when every tree is a stump */
    lbp_stump *lbp_stumps;
    scratch *scratch;
    int scratch_count;
    pthread_mutex_t lock;
    /* per frame */
    scale_info *scales;
    hits *hits;
    int scale_cap;
    int scale_count;
    const uint8_t *gray;
    int gray_stride;
};

/* -------------------------------------------------------------- layout */

/* CV_SUM_OFS: (x, y), (x + w, y), (x, y + h), (x + w, y + h). */
static void sum_offsets(int *o, int x, int y, int w, int h, int stride, int base)
{
    o[0] = base + x + stride * y;
    o[1] = base + x + w + stride * y;
    o[2] = base + x + stride * (y + h);
    o[3] = base + x + w + stride * (y + h);
}

/* CV_TILTED_OFS: (x, y), (x - h, y + h), (x + w, y + w), (x + w - h, y + w + h). */
static void tilted_offsets(int *o, int x, int y, int w, int h, int stride, int base)
{
    o[0] = base + x + stride * y;
    o[1] = base + x - h + stride * (y + h);
    o[2] = base + x + w + stride * (y + w);
    o[3] = base + x + w - h + stride * (y + w + h);
}

/* OptFeature::setOffsets of both evaluators for a table STRIDE wide; tilted
 * rects are read TILTED_BASE entries after the sum table. */
static void haar_offsets(opt_haar *o, const ft_cascade_haar_feature *f, int stride,
                         int tilted_base)
{
    for (int k = 0; k < 3; k++) {
        const int *r = f->rect[k];
        o->weight[k] = f->weight[k];
        if (f->tilted)
            tilted_offsets(o->ofs[k], r[0], r[1], r[2], r[3], stride, tilted_base);
        else
            sum_offsets(o->ofs[k], r[0], r[1], r[2], r[3], stride, 0);
    }
}

static void lbp_offsets(opt_lbp *l, const int r[4], int stride)
{
    const int x = r[0], y = r[1], w = r[2], h = r[3];
    int *o = l->ofs, q[4];
    sum_offsets(q, x, y, w, h, stride, 0);
    o[0] = q[0], o[1] = q[1], o[4] = q[2], o[5] = q[3];
    sum_offsets(q, x + 2 * w, y, w, h, stride, 0);
    o[2] = q[0], o[3] = q[1], o[6] = q[2], o[7] = q[3];
    sum_offsets(q, x + 2 * w, y + 2 * h, w, h, stride, 0);
    o[10] = q[0], o[11] = q[1], o[14] = q[2], o[15] = q[3];
    sum_offsets(q, x, y + 2 * h, w, h, stride, 0);
    o[8] = q[0], o[9] = q[1], o[12] = q[2], o[13] = q[3];
}

static void free_scratch(ft_haar_detector *d)
{
    for (int i = 0; i < d->scratch_count; i++) {
        free(d->scratch[i].image);
        free(d->scratch[i].resize);
        free(d->scratch[i].sum);
        free(d->scratch[i].sqsum);
        free(d->scratch[i].roll);
    }
    free(d->scratch);
    d->scratch = NULL;
    d->scratch_count = 0;
}

/* Tables of (W + 1) x (H + 1) for the largest scale, offsets for its stride. */
static ft_status set_layout(ft_haar_detector *d, int w0, int h0)
{
    free_scratch(d);
    d->stride = w0 + 1;
    d->rows = h0 + 1;
    const size_t table = (size_t)d->stride * d->rows;
    d->tilted_ofs = d->c.has_tilted ? (int)table : 0;
    const int count = d->pool ? (int)pthreadpool_get_threads_count(d->pool) : 1;
    d->scratch = calloc((size_t)(count > 0 ? count : 1), sizeof *d->scratch);
    if (!d->scratch)
        return FT_ERR_NOMEM;
    d->scratch_count = count > 0 ? count : 1;
    for (int i = 0; i < d->scratch_count; i++) {
        scratch *s = &d->scratch[i];
        s->image = malloc((size_t)w0 * h0);
        s->resize = aligned_alloc(16, (ft_opencv_resize_scratch_size(w0, h0) + 15) & ~(size_t)15);
        s->sum = malloc(table * (d->c.has_tilted ? 2 : 1) * sizeof *s->sum);
        s->sqsum = d->c.type == FT_CASCADE_HAAR ? malloc(table * sizeof *s->sqsum) : NULL;
        s->roll = d->c.has_tilted ? malloc((size_t)(w0 + 2) * 2 * sizeof *s->roll) : NULL;
        if (!s->image || !s->resize || !s->sum ||
            (d->c.type == FT_CASCADE_HAAR && !s->sqsum) || (d->c.has_tilted && !s->roll))
            return FT_ERR_NOMEM;
    }
    const ft_cascade *c = &d->c;
    sum_offsets(d->norm_ofs, 1, 1, c->width - 2, c->height - 2, d->stride, 0);
    for (int i = 0; i < c->feature_count; i++) {
        if (c->type == FT_CASCADE_HAAR)
            haar_offsets(&d->haar[i], &c->haar[i], d->stride, d->tilted_ofs);
        else
            lbp_offsets(&d->lbp[i], c->lbp[i], d->stride);
    }
    if (c->max_nodes_per_tree == 1) {
        for (int t = 0; t < c->tree_count; t++) {
            const ft_cascade_node *n = &c->nodes[c->trees[t].first_node];
            const float *leaf = &c->leaves[c->trees[t].first_leaf];
            if (c->type == FT_CASCADE_HAAR) {
                haar_stump *s = &d->haar_stumps[t];
                s->f = d->haar[n->feature];
                s->threshold = n->threshold;
                s->leaf[1] = leaf[-n->left];
                s->leaf[0] = leaf[-n->right];
            } else {
                lbp_stump *s = &d->lbp_stumps[t];
                s->f = d->lbp[n->feature];
                memcpy(s->subset, &c->subsets[(size_t)c->trees[t].first_node * c->subset_words],
                       sizeof s->subset);
                s->leaf[1] = leaf[-n->left];
                s->leaf[0] = leaf[-n->right];
            }
        }
    }
    return FT_OK;
}

/* ---------------------------------------------------------- evaluation */

#define CORNERS(p, o) ((p)[(o)[0]] - (p)[(o)[1]] - (p)[(o)[2]] + (p)[(o)[3]])

/* HaarEvaluator::OptFeature::calc */
static inline float haar_value(const opt_haar *f, const int32_t *p)
{
    float v = f->weight[0] * (float)CORNERS(p, f->ofs[0]) + f->weight[1] * (float)CORNERS(p, f->ofs[1]);
    if (f->weight[2] != 0.0f)
        v += f->weight[2] * (float)CORNERS(p, f->ofs[2]);
    return v;
}

/* LBPEvaluator::OptFeature::calc: the 8 outer blocks against the centre. */
static inline int lbp_code(const opt_lbp *f, const int32_t *p)
{
    const int *o = f->ofs;
#define BLOCK(a, b, c, d) (p[o[a]] - p[o[b]] - p[o[c]] + p[o[d]])
    const int centre = BLOCK(5, 6, 9, 10);
    return (BLOCK(0, 1, 4, 5) >= centre ? 128 : 0) | (BLOCK(1, 2, 5, 6) >= centre ? 64 : 0) |
           (BLOCK(2, 3, 6, 7) >= centre ? 32 : 0) | (BLOCK(6, 7, 10, 11) >= centre ? 16 : 0) |
           (BLOCK(10, 11, 14, 15) >= centre ? 8 : 0) | (BLOCK(9, 10, 13, 14) >= centre ? 4 : 0) |
           (BLOCK(8, 9, 12, 13) >= centre ? 2 : 0) | (BLOCK(4, 5, 8, 9) >= centre ? 1 : 0);
#undef BLOCK
}

/* HaarEvaluator::setWindow: 1 / sqrt(area * sqsum - sum^2) over the window
 * less its border, in float; 0 when the window is too flat to judge. */
static inline float variance_factor(const int *nofs, double area, const int32_t *p,
                                    const uint32_t *q)
{
    const int32_t s = CORNERS(p, nofs);
    const uint32_t sq = q[nofs[0]] - q[nofs[1]] - q[nofs[2]] + q[nofs[3]];
    double nf = area * sq - (double)s * s;
    if (!(nf > 0.))
        return 0.f;
    nf = sqrt(nf);
    const float f = (float)(1. / nf);
    return area * f < 1e-1 ? f : 0.f;
}

static int haar_stumps_at(const ft_haar_detector *d, const int32_t *p, const uint32_t *q,
                          double area)
{
    const float nf = variance_factor(d->norm_ofs, area, p, q);
    if (nf == 0.f)
        return -1;
    const haar_stump *st = d->haar_stumps;
    for (int si = 0; si < d->c.stage_count; si++) {
        const ft_cascade_stage *stage = &d->c.stages[si];
        double sum = 0;
        for (int i = 0; i < stage->tree_count; i++) {
            const float v = haar_value(&st[i].f, p) * nf;
            sum += st[i].leaf[v < st[i].threshold];
        }
        if (sum < stage->threshold)
            return -si;
        st += stage->tree_count;
    }
    return 1;
}

static int lbp_stumps_at(const ft_haar_detector *d, const int32_t *p)
{
    const lbp_stump *st = d->lbp_stumps;
    for (int si = 0; si < d->c.stage_count; si++) {
        const ft_cascade_stage *stage = &d->c.stages[si];
        double sum = 0;
        for (int i = 0; i < stage->tree_count; i++) {
            const int c = lbp_code(&st[i].f, p);
            sum += st[i].leaf[(st[i].subset[c >> 5] >> (c & 31)) & 1];
        }
        if (sum < stage->threshold)
            return -si;
        st += stage->tree_count;
    }
    return 1;
}

/* predictOrdered / predictCategorical: trees of several nodes. */
static int trees_at(const ft_cascade *c, const opt_haar *haar, const opt_lbp *lbp,
                    const int32_t *p, const uint32_t *q, const int *nofs, double area)
{
    float nf = 1.f;
    if (c->type == FT_CASCADE_HAAR && (nf = variance_factor(nofs, area, p, q)) == 0.f)
        return -1;
    for (int si = 0; si < c->stage_count; si++) {
        const ft_cascade_stage *stage = &c->stages[si];
        double sum = 0;
        for (int t = stage->first_tree; t < stage->first_tree + stage->tree_count; t++) {
            const ft_cascade_tree *tree = &c->trees[t];
            int idx = 0;
            do {
                const ft_cascade_node *n = &c->nodes[tree->first_node + idx];
                if (c->type == FT_CASCADE_HAAR) {
                    const float v = haar_value(&haar[n->feature], p) * nf;
                    idx = v < n->threshold ? n->left : n->right;
                } else {
                    const int code = lbp_code(&lbp[n->feature], p);
                    const int32_t *subset =
                        &c->subsets[(size_t)(tree->first_node + idx) * c->subset_words];
                    idx = ((uint32_t)subset[code >> 5] >> (code & 31)) & 1 ? n->left : n->right;
                }
            } while (idx > 0);
            sum += c->leaves[tree->first_leaf - idx];
        }
        if (sum < stage->threshold)
            return -si;
    }
    return 1;
}

static int push(hits *h, ft_rect r)
{
    if (h->n == h->cap) {
        int cap = h->cap ? 2 * h->cap : 256;
        ft_rect *p = realloc(h->r, (size_t)cap * sizeof *p);
        if (!p) {
            h->failed = 1;
            return 0;
        }
        h->r = p;
        h->cap = cap;
    }
    h->r[h->n++] = r;
    return 1;
}

/* The windows of one prepared scale (CascadeClassifierInvoker). */
static void scan(const ft_haar_detector *d, const scale_info *s, const scratch *sc, hits *out)
{
    const ft_cascade *c = &d->c;
    const double area = (double)(c->width - 2) * (c->height - 2);
    const int stumps = c->max_nodes_per_tree == 1;
    for (int y = 0; y < s->work_h; y += s->ystep) {
        const int32_t *prow = sc->sum + (size_t)y * d->stride;
        const uint32_t *qrow = sc->sqsum ? sc->sqsum + (size_t)y * d->stride : NULL;
        for (int x = 0; x < s->work_w; x += s->ystep) {
            int r;
            if (!stumps)
                r = trees_at(c, d->haar, d->lbp, prow + x, qrow ? qrow + x : NULL, d->norm_ofs,
                             area);
            else if (c->type == FT_CASCADE_HAAR)
                r = haar_stumps_at(d, prow + x, qrow + x, area);
            else
                r = lbp_stumps_at(d, prow + x);
            if (r > 0 && !push(out, (ft_rect){(int)lrintf((float)x * s->scale),
                                              (int)lrintf((float)y * s->scale), s->win_w,
                                              s->win_h}))
                return;
            if (r == 0)
                x += s->ystep;
        }
    }
}

static scratch *take_scratch(ft_haar_detector *d)
{
    pthread_mutex_lock(&d->lock);
    scratch *s = NULL;
    for (int i = 0; i < d->scratch_count && !s; i++)
        if (!d->scratch[i].busy)
            s = &d->scratch[i], s->busy = 1;
    pthread_mutex_unlock(&d->lock);
    return s;
}

static void give_scratch(ft_haar_detector *d, scratch *s)
{
    pthread_mutex_lock(&d->lock);
    s->busy = 0;
    pthread_mutex_unlock(&d->lock);
}

/* One scale: resize, tables, windows (FeatureEvaluator::setImage, then the
 * invoker's loop for that scale). */
static void run_scale(void *context, size_t k)
{
    ft_haar_detector *d = context;
    const scale_info *s = &d->scales[k];
    hits *out = &d->hits[k];
    out->n = 0;
    scratch *sc = take_scratch(d);
    if (!sc) { /* more tasks at once than threads: cannot happen */
        out->failed = 1;
        return;
    }
    ft_opencv_resize_u8(d->gray, d->frame_w, d->frame_h, d->gray_stride, sc->image, s->w, s->h,
                        s->w, sc->resize);
    ft_integral_image(sc->image, s->w, s->h, s->w, sc->sum, sc->sqsum,
                      d->c.has_tilted ? sc->sum + d->tilted_ofs : NULL, d->stride, sc->roll);
    scan(d, s, sc, out);
    give_scratch(d, sc);
}

/* ---------------------------------------------------------------- API */

ft_status ft_haar_detector_create(ft_cascade *cascade, pthreadpool_t pool,
                                  ft_haar_detector **out, char *err, size_t err_size)
{
    *out = NULL;
    ft_haar_detector *d = calloc(1, sizeof *d);
    if (!d) {
        snprintf(err, err_size, "out of memory");
        return FT_ERR_NOMEM;
    }
    d->c = *cascade;
    memset(cascade, 0, sizeof *cascade);
    d->pool = pool;
    pthread_mutex_init(&d->lock, NULL);
    const ft_cascade *c = &d->c;
    int ok = 1;
    if (c->type == FT_CASCADE_HAAR)
        ok = (d->haar = calloc((size_t)c->feature_count, sizeof *d->haar)) != NULL;
    else
        ok = (d->lbp = calloc((size_t)c->feature_count, sizeof *d->lbp)) != NULL;
    if (ok && c->max_nodes_per_tree == 1) {
        if (c->type == FT_CASCADE_HAAR)
            ok = (d->haar_stumps = calloc((size_t)c->tree_count, sizeof *d->haar_stumps)) != NULL;
        else
            ok = (d->lbp_stumps = calloc((size_t)c->tree_count, sizeof *d->lbp_stumps)) != NULL;
    }
    if (!ok) {
        ft_haar_detector_free(d);
        snprintf(err, err_size, "out of memory");
        return FT_ERR_NOMEM;
    }
    *out = d;
    return FT_OK;
}

void ft_haar_detector_free(ft_haar_detector *d)
{
    if (!d)
        return;
    free_scratch(d);
    for (int i = 0; i < d->scale_cap; i++)
        free(d->hits[i].r);
    free(d->hits);
    free(d->scales);
    free(d->haar);
    free(d->lbp);
    free(d->haar_stumps);
    free(d->lbp_stumps);
    ft_cascade_free(&d->c);
    pthread_mutex_destroy(&d->lock);
    free(d);
}

const ft_cascade *ft_haar_detector_cascade(const ft_haar_detector *d)
{
    return &d->c;
}

/* detectMultiScaleNoGrouping's scale list and updateScaleData's sizes. */
static ft_status plan_scales(ft_haar_detector *d, int w, int h, const ft_haar_params *p)
{
    const int max_w = p->max_width > 0 ? p->max_width : w;
    const int max_h = p->max_height > 0 ? p->max_height : h;
    d->scale_count = 0;
    for (double factor = 1;; factor *= p->scale_factor) {
        const int win_w = (int)lrint(d->c.width * factor), win_h = (int)lrint(d->c.height * factor);
        if (win_w > max_w || win_h > max_h || win_w > w || win_h > h)
            break;
        if (win_w < p->min_width || win_h < p->min_height)
            continue;
        if (d->scale_count == d->scale_cap) {
            const int cap = d->scale_cap ? 2 * d->scale_cap : 64;
            scale_info *s = realloc(d->scales, (size_t)cap * sizeof *s);
            if (!s)
                return FT_ERR_NOMEM;
            d->scales = s;
            hits *hh = realloc(d->hits, (size_t)cap * sizeof *hh);
            if (!hh)
                return FT_ERR_NOMEM;
            memset(hh + d->scale_cap, 0, (size_t)(cap - d->scale_cap) * sizeof *hh);
            d->hits = hh;
            d->scale_cap = cap;
        }
        scale_info *s = &d->scales[d->scale_count++];
        s->scale = (float)factor;
        s->w = (int)lrintf((float)w / s->scale);
        s->h = (int)lrintf((float)h / s->scale);
        s->ystep = s->scale >= 2 ? 1 : 2;
        s->work_w = s->w + 1 - d->c.width > 0 ? s->w + 1 - d->c.width : 0;
        s->work_h = s->h + 1 - d->c.height > 0 ? s->h + 1 - d->c.height : 0;
        s->win_w = (int)lrintf((float)d->c.width * s->scale);
        s->win_h = (int)lrintf((float)d->c.height * s->scale);
    }
    return FT_OK;
}

ft_status ft_haar_detect(ft_haar_detector *d, const uint8_t *gray, int w, int h, int stride,
                         const ft_haar_params *params, ft_rect *out, int capacity, int *found)
{
    *found = 0;
    if (!gray || w <= 0 || h <= 0 || !(params->scale_factor > 1))
        return FT_ERR_INVALID_ARG;
    ft_status st = plan_scales(d, w, h, params);
    if (st != FT_OK)
        return st;
    if (d->scale_count == 0)
        return FT_OK;
    const scale_info *first = &d->scales[0];
    if (first->w + 1 != d->stride || first->h + 1 != d->rows || w != d->frame_w ||
        h != d->frame_h || !d->scratch) {
        d->frame_w = w;
        d->frame_h = h;
        if ((st = set_layout(d, first->w, first->h)) != FT_OK) {
            free_scratch(d);
            d->stride = 0;
            return st;
        }
    }
    d->gray = gray;
    d->gray_stride = stride;
    for (int k = 0; k < d->scale_count; k++)
        d->hits[k].failed = 0;
    if (d->pool && d->scratch_count > 1)
        pthreadpool_parallelize_1d(d->pool, run_scale, d, (size_t)d->scale_count, 0);
    else
        for (int k = 0; k < d->scale_count; k++)
            run_scale(d, (size_t)k);
    /* every scale's hits, in scale order, as OpenCV's one thread lists them */
    int total = 0;
    for (int k = 0; k < d->scale_count; k++) {
        if (d->hits[k].failed)
            return FT_ERR_NOMEM;
        total += d->hits[k].n;
    }
    ft_rect *all = malloc((size_t)(total > 0 ? total : 1) * sizeof *all);
    if (!all)
        return FT_ERR_NOMEM;
    int n = 0;
    for (int k = 0; k < d->scale_count; k++) {
        if (d->hits[k].n > 0)
            memcpy(all + n, d->hits[k].r, (size_t)d->hits[k].n * sizeof *all);
        n += d->hits[k].n;
    }
    n = ft_group_rectangles(all, n, params->min_neighbors, GROUP_EPS);
    if (n < 0) {
        free(all);
        return FT_ERR_NOMEM;
    }
    /* clipObjects: the part inside the image, dropped when empty */
    int kept = 0;
    for (int i = 0; i < n; i++) {
        ft_rect r = all[i];
        int x0 = r.x > 0 ? r.x : 0, y0 = r.y > 0 ? r.y : 0;
        int x1 = r.x + r.width < w ? r.x + r.width : w;
        int y1 = r.y + r.height < h ? r.y + r.height : h;
        if (x1 <= x0 || y1 <= y0)
            continue;
        if (kept < capacity)
            out[kept] = (ft_rect){x0, y0, x1 - x0, y1 - y0};
        kept++;
    }
    free(all);
    *found = kept;
    return FT_OK;
}

void ft_haar_gray(const uint8_t *rgb, int w, int h, int stride, int channels, uint8_t *gray)
{
    for (int y = 0; y < h; y++) {
        const uint8_t *s = rgb + (size_t)y * stride;
        uint8_t *g = gray + (size_t)y * w;
        if (channels == 1) {
            memcpy(g, s, (size_t)w);
            continue;
        }
        for (int x = 0; x < w; x++, s += channels)
            g[x] = (uint8_t)((s[0] * 4899 + s[1] * 9617 + s[2] * 1868 + (1 << 13)) >> 14);
    }
}

int ft_haar_classify_window(const ft_cascade *c, const int32_t *sum, const uint32_t *sqsum,
                            const int32_t *tilted, int stride, int x, int y)
{
    /* offsets for this stride, with the tilted table addressed from SUM */
    const ptrdiff_t tilted_ofs = tilted ? tilted - sum : 0;
    opt_haar *haar = NULL;
    opt_lbp *lbp = NULL;
    int nofs[4];
    sum_offsets(nofs, 1, 1, c->width - 2, c->height - 2, stride, 0);
    if (c->type == FT_CASCADE_HAAR) {
        haar = calloc((size_t)c->feature_count, sizeof *haar);
        if (!haar)
            return -2;
        for (int i = 0; i < c->feature_count; i++)
            haar_offsets(&haar[i], &c->haar[i], stride, (int)tilted_ofs);
    } else {
        lbp = calloc((size_t)c->feature_count, sizeof *lbp);
        if (!lbp)
            return -2;
        for (int i = 0; i < c->feature_count; i++)
            lbp_offsets(&lbp[i], c->lbp[i], stride);
    }
    const double area = (double)(c->width - 2) * (c->height - 2);
    const size_t at = (size_t)y * stride + x;
    int r = trees_at(c, haar, lbp, sum + at, sqsum ? sqsum + at : NULL, nofs, area);
    free(haar);
    free(lbp);
    return r;
}
