/* Model-free shot cuts and gradual transitions (see content_detector.h). */
#include "scenes/content_detector.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TW 32 /* thumbnail width and height, in blocks of the luma plane */
#define TH 18
#define PIXELS (TW * TH)
#define BINS 16 /* per channel: Y, U, V */
#define SPANS 4 /* window half-widths tried for gradual transitions */
static const int spans[SPANS] = {4, 8, 16, 32};
#define AROUND 32 /* frames before and after a wipe's window that must not move as much */
#define RING (2 * 32 + 1 + 2 * AROUND) /* features kept: the widest window and around it */
#define FLASH 4 /* a flash lasts at most this many frames */
#define LOOKS (FLASH + 1) /* look[t][j - 2]: difference of frame t from t - j, j = 2 .. FLASH + 2 */

typedef struct features {
    float hist[3][BINS]; /* normalised to sum 1 */
    uint8_t thumb[PIXELS];
    int has_chroma;
} features;

/* A gradual transition, as one window sees it. */
typedef struct transition {
    int64_t from, middle, to;
    double score;
    int opens, closes; /* from, to a uniform frame: a fade in, out */
    int paired;        /* a fade-out and a fade-in through uniform frames */
    int wipe;          /* the picture changes place by place, not all at once */
    int64_t centre;    /* the window's */
    int span;          /* its frames on each side */
} transition;

struct ft_content_detector {
    ft_content_options opt;
    features ring[RING];
    int64_t frames;
    double *step;    /* step[t]: difference of frame t from frame t - 1 */
    float *look;     /* look[t * LOOKS + j - 2]: of frame t from frame t - j (1: none) */
    float *spread;   /* spread[t]: standard deviation of frame t's thumbnail */
    float *moved;    /* moved[t]: frame t's thumbnail from t - 1's, in levels (mean) */
    float *shifted;  /* shifted[t]: the same, t - 1's moved as best it can (a pan) */
    uint8_t *flashed; /* flashed[t]: frame t is in a flash (known FLASH frames later) */
    size_t cap;
    transition *seen; /* every window that is a transition */
    size_t seen_count, seen_cap;
    int64_t *cuts;
    ft_cut_info *info;
    size_t cut_count;
};

void ft_content_options_init(ft_content_options *o)
{
    *o = (ft_content_options){.min_score = 0.12, .ratio = 3.0, .window = 4, .min_scene_len = 8,
                              .gradual = 1, .gradual_score = 0.2, .mix_error = 0.25,
                              .uniform = 6.0};
}

const char *ft_cut_kind_name(ft_cut_kind kind)
{
    return kind == FT_CUT_DISSOLVE ? "dissolve"
           : kind == FT_CUT_FADE   ? "fade"
           : kind == FT_CUT_WIPE   ? "wipe"
                                   : "cut";
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
    if (d->opt.window < 1 || d->opt.min_scene_len < 1 || !(d->opt.ratio > 0) ||
        !(d->opt.mix_error >= 0) || !(d->opt.uniform >= 0)) {
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
    free(d->look);
    free(d->spread);
    free(d->moved);
    free(d->shifted);
    free(d->flashed);
    free(d->seen);
    free(d->cuts);
    free(d->info);
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
static void thumbnail(const uint8_t *p, int stride, int w, int h, uint8_t out[PIXELS])
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
            out[by * TW + bx] = (uint8_t)(n ? sum / n : 0);
        }
}

/* Standard deviation of a thumbnail, in levels: near 0 for a uniform frame. */
static float spread(const uint8_t thumb[PIXELS])
{
    double sum = 0, squares = 0;
    for (int i = 0; i < PIXELS; i++) {
        sum += thumb[i];
        squares += (double)thumb[i] * thumb[i];
    }
    const double mean = sum / PIXELS, var = squares / PIXELS - mean * mean;
    return (float)sqrt(var > 0 ? var : 0);
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
    for (int i = 0; i < PIXELS; i++)
        layout += abs((int)a->thumb[i] - (int)b->thumb[i]);
    layout /= (double)PIXELS * 64.0; /* a mean change of 64 levels counts as total */
    layout = 0.5 * (layout < 1 ? layout : 1);
    return hist > layout ? hist : layout;
}

static const features *at(const ft_content_detector *d, int64_t t)
{
    return &d->ring[t % RING];
}

/* Pearson correlation of two thumbnails: near 1 when one is the other
 * brighter or darker (a change of exposure, not of picture). */
static double correlation(const uint8_t *a, const uint8_t *b)
{
    double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
    for (int i = 0; i < PIXELS; i++) {
        sa += a[i];
        sb += b[i];
        saa += (double)a[i] * a[i];
        sbb += (double)b[i] * b[i];
        sab += (double)a[i] * b[i];
    }
    const double va = saa - sa * sa / PIXELS, vb = sbb - sb * sb / PIXELS;
    return va > 0 && vb > 0 ? (sab - sa * sb / PIXELS) / sqrt(va * vb) : 0;
}

/* The cheap first test of a window A .. M .. B: M is close to the mean of
 * A and B (L1 distance, relative to that of A and B). */
static int middle_is_mix(const uint8_t *a, const uint8_t *m, const uint8_t *b, double error)
{
    int ends = 0, off = 0;
    for (int i = 0; i < PIXELS; i++) {
        ends += abs((int)b[i] - (int)a[i]);
        off += abs(2 * (int)m[i] - (int)a[i] - (int)b[i]);
    }
    return ends > 0 && off <= 2.0 * error * ends;
}

/* A mix of two pictures has less contrast than either: the middle frame's
 * spread is that of the ends' mean (within 5%). A pan or a zoom keeps its
 * contrast, or blurs. */
static int contrast_is_mixed(const uint8_t *a, const uint8_t *m, const uint8_t *b)
{
    uint8_t mean[PIXELS];
    for (int i = 0; i < PIXELS; i++)
        mean[i] = (uint8_t)(((int)a[i] + (int)b[i] + 1) / 2);
    const float expected = spread(mean);
    return fabsf(spread(m) - expected) <= 0.05f * expected + 1.0f;
}

/* Every frame of the window C - K .. C + K as A + alpha (B - A), A and B its
 * ends: 1 when each is close to that line (twice the middle's tolerance:
 * the L2 distance weighs motion more), between A and B, and alpha never
 * goes back (both within a slack of 0.1). Then T's frames come from the
 * ramp of alpha through 25% and 75%: its first and last mixed frames where
 * the ramp meets 0 and 1, its middle the first frame past the ramp's
 * centre. The ends of a shot that moves drift, the ramp does not. */
static int frames_are_mixes(const ft_content_detector *d, int64_t c, int k, transition *t)
{
    const uint8_t *a = at(d, c - k)->thumb, *b = at(d, c + k)->thumb;
    int v[PIXELS];
    double vv = 0;
    for (int i = 0; i < PIXELS; i++) {
        v[i] = (int)b[i] - (int)a[i];
        vv += (double)v[i] * v[i];
    }
    const double line = 2 * d->opt.mix_error, slack = 0.1;
    double high = 0, before = 0, quarter = -1, three_quarters = -1;
    for (int64_t f = c - k + 1; f <= c + k; f++) {
        double alpha = 1; /* at B itself */
        if (f < c + k) {
            const uint8_t *x = at(d, f)->thumb;
            double dot = 0, xx = 0;
            for (int i = 0; i < PIXELS; i++) {
                const int e = (int)x[i] - (int)a[i];
                dot += (double)e * v[i];
                xx += (double)e * e;
            }
            alpha = dot / vv;
            const double off = (xx - alpha * dot) / vv; /* squared, relative */
            if (off > line * line || alpha < high - slack || alpha > 1 + slack)
                return 0;
        }
        /* Where alpha first reaches 25% and 75%, between frames. */
        if (quarter < 0 && alpha >= 0.25)
            quarter = (double)f - (alpha - 0.25) / (alpha - before);
        if (three_quarters < 0 && alpha >= 0.75)
            three_quarters = (double)f - (alpha - 0.75) / (alpha - before);
        high = alpha > high ? alpha : high;
        before = alpha;
    }
    const double half = (three_quarters - quarter) / 2; /* frames from 0 to 25% */
    t->middle = (int64_t)ceil((quarter + three_quarters) / 2);
    t->from = llround(quarter - half) + 1;
    t->to = llround(three_quarters + half) - 1;
    t->from = t->from > c - k + 1 ? t->from : c - k + 1;
    t->to = t->to < c + k - 1 ? t->to : c + k - 1;
    return t->from <= t->middle && t->middle <= t->to;
}

static ft_status keep_transition(ft_content_detector *d, const transition *t)
{
    if (d->seen_count == d->seen_cap) {
        const size_t cap = d->seen_cap ? 2 * d->seen_cap : 64;
        transition *p = realloc(d->seen, cap * sizeof *p);
        if (!p)
            return FT_ERR_NOMEM;
        d->seen = p;
        d->seen_cap = cap;
    }
    d->seen[d->seen_count++] = *t;
    return FT_OK;
}

/* Is any of frames LO .. HI uniform (spread at most LIMIT levels)? */
static int some_flat(const ft_content_detector *d, int64_t lo, int64_t hi, double limit)
{
    for (int64_t t = lo; t <= hi; t++)
        if (d->spread[t] <= limit)
            return 1;
    return 0;
}

static int some_uniform(const ft_content_detector *d, int64_t lo, int64_t hi)
{
    return some_flat(d, lo, hi, d->opt.uniform);
}

/* Does the window of K frames on each side of C hold the whole of T: still
 * frames of the shots before and after it (2 at least, or a fade's uniform
 * frame)? A camera move that goes on through the window never stops in it. */
static int holds_whole(const transition *t, int64_t c, int k)
{
    return (t->opens || t->from - (c - k) >= 2) && (t->closes || c + k - t->to >= 2);
}

/* A wipe (an iris, a clock, a slice wipe, a squeeze...) changes the
 * picture place by place: each place of the thumbnail that differs between
 * the window's ends (by WIPE_CONTRAST levels at least) turns once from what
 * it was at the start to what it is at the end, and stays; places turn at
 * different frames. A place is at an end when within WIPE_NEAR of the
 * difference from it (in between, it keeps its state: the shots move).
 * Camera moves over textured pictures turn places back and forth; a
 * dissolve turns them all at once (it is found as a mix). */
#define WIPE_CONTRAST 40
#define WIPE_NEAR 0.3
#define WIPE_PLACES 0.15 /* of the thumbnail differ between the ends, at least */
#define WIPE_CLEAN 0.8   /* of those turn exactly once, at least */
#define WIPE_LEAST 3     /* frames from the first place turning to the last */
#define WIPE_TRANSIT 0.25 /* frames a place takes to turn, at most, of those */
#define WIPE_SCORE 1.5   /* times gradual_score: the ends differ at least this much */

static int is_wipe(const ft_content_detector *d, int64_t c, int k, transition *t)
{
    const uint8_t *a = at(d, c - k)->thumb, *b = at(d, c + k)->thumb;
    int places[PIXELS], n = 0;
    for (int i = 0; i < PIXELS; i++)
        if (abs((int)b[i] - (int)a[i]) >= WIPE_CONTRAST)
            places[n++] = i;
    if (n < WIPE_PLACES * PIXELS)
        return 0;
    /* turned[f]: places at B's side at frame c - k + f */
    int turned[2 * 32 + 1] = {0}, clean = 0, transit = 0;
    for (int p = 0; p < n; p++) {
        const int i = places[p], ai = a[i], bi = b[i];
        const double near = WIPE_NEAR * abs(bi - ai);
        int side_b = 0, turns = 0, last_a = 0, first_b = 0;
        for (int f = 1; f <= 2 * k; f++) {
            if (d->flashed[c - k + f]) { /* no place turns in a flash */
                turned[f] += side_b;
                continue;
            }
            const int x = at(d, c - k + f)->thumb[i];
            const int at_a = abs(x - ai) <= near, at_b = abs(x - bi) <= near;
            const int now_b = at_b ? 1 : at_a ? 0 : side_b;
            turns += now_b != side_b;
            if (at_a && !side_b)
                last_a = f;
            if (now_b && !side_b)
                first_b = f;
            side_b = now_b;
            turned[f] += side_b;
        }
        if (turns == 1) {
            clean++;
            transit += first_b - last_a - 1;
        }
    }
    if (clean < WIPE_CLEAN * n)
        return 0;
    const double mean_transit = clean ? (double)transit / clean : 0;
    /* The share turned must grow (slack 0.1), from none to all: the first
     * frame past 5%, the middle (past 50%), the last below 95%. */
    int from = -1, middle = -1, to = -1, high = 0;
    for (int f = 1; f <= 2 * k; f++) {
        const double share = (double)turned[f] / n;
        if (turned[f] < high - 0.1 * n)
            return 0;
        high = turned[f] > high ? turned[f] : high;
        if (from < 0 && share > 0.05)
            from = f;
        if (middle < 0 && share >= 0.5)
            middle = f;
        if (share < 0.95)
            to = f;
    }
    if (from < 0 || middle < 0 || to - from + 1 < WIPE_LEAST)
        return 0;
    /* A place changes in a few frames as the wipe's edge passes; one that
     * drifts all the while (a zoom into a texture) is no wipe. */
    if (mean_transit > WIPE_TRANSIT * (to - from + 1) + 1)
        return 0;
    /* A hard cut turns them all at once (it is found as a cut). */
    for (int f = 1; f <= 2 * k; f++)
        if (turned[f] - turned[f - 1] > 0.35 * n)
            return 0;
    t->from = c - k + from;
    t->middle = c - k + middle;
    t->to = c - k + to;
    t->wipe = 1;
    return 1;
}

/* How far thumbnail B is from A (mean absolute difference, in levels),
 * as is (*MOVED) and with A shifted by up to MAX_DX, MAX_DY places, the
 * best shift (*SHIFTED): a pan or a tilt moves the picture, and the shift
 * undoes most of its change; a wipe replaces part of it, which no shift
 * undoes. */
#define MAX_DX 4
#define MAX_DY 3
static void camera_move(const uint8_t *a, const uint8_t *b, float *moved, float *shifted)
{
    double best = 1e9, still = 0;
    for (int dy = -MAX_DY; dy <= MAX_DY; dy++)
        for (int dx = -MAX_DX; dx <= MAX_DX; dx++) {
            int sum = 0, n = 0;
            for (int y = dy > 0 ? dy : 0; y < TH + (dy < 0 ? dy : 0); y++)
                for (int x = dx > 0 ? dx : 0; x < TW + (dx < 0 ? dx : 0); x++, n++)
                    sum += abs((int)b[y * TW + x] - (int)a[(y - dy) * TW + x - dx]);
            const double mean = (double)sum / n;
            best = mean < best ? mean : best;
            if (dx == 0 && dy == 0)
                still = mean;
        }
    *moved = (float)still;
    *shifted = (float)best;
}

/* Is the change over frames FROM .. TO mostly one of the camera's: would
 * shifting each frame undo most of it? */
#define WIPE_UNDONE 0.6
static int camera_moves(const ft_content_detector *d, int64_t from, int64_t to)
{
    double moved = 0, shifted = 0;
    for (int64_t f = from; f <= to; f++) {
        moved += d->moved[f];
        shifted += d->shifted[f];
    }
    return shifted < WIPE_UNDONE * moved;
}

/* Mean absolute difference of two thumbnails, in levels. */
static double layout_distance(const features *a, const features *b)
{
    int sum = 0;
    for (int i = 0; i < PIXELS; i++)
        sum += abs((int)a->thumb[i] - (int)b->thumb[i]);
    return (double)sum / PIXELS;
}

/* A camera that moves on (a pan, a zoom, colours that turn) changes the
 * picture before and after the change as fast as during it; the shots on
 * either side of a wipe change less over as many frames as it lasts. The
 * change over the ramp (the frame before its first to the one after its
 * last) against that over as many frames before and after it (at most
 * AROUND, in proportion). */
static int moves_around(const ft_content_detector *d, const transition *t)
{
    const int64_t first = t->from - 1, last = t->to + 1, ramp = last - first;
    const int64_t span = ramp < AROUND ? ramp : AROUND;
    const int64_t before = first - span > 0 ? first - span : 0;
    const int64_t after = last + span < d->frames - 1 ? last + span : d->frames - 1;
    const double most = 0.5 * layout_distance(at(d, first), at(d, last)) * (double)span / (double)ramp;
    return (!t->opens && before < first && layout_distance(at(d, before), at(d, first)) > most) ||
           (!t->closes && after > last && layout_distance(at(d, last), at(d, after)) > most);
}

/* Is frame T unlike both the frame before and the one after (by a quarter
 * of SCORE)? */
static int spike(const ft_content_detector *d, int64_t t, double score)
{
    return t > 0 && t + 1 < d->frames && d->step[t] > 0.25 * score &&
           d->step[t + 1] > 0.25 * score;
}

/* Marks frame T when it is in a flash: a frame before it comes back after
 * it, within FLASH + 1 frames, and T is unlike that frame. A wipe's places
 * do not turn there. */
static void mark_flash(ft_content_detector *d, int64_t t)
{
    for (int64_t p = t - 1; p >= t - FLASH; p--) {
        const double off = layout_distance(at(d, p), at(d, t));
        for (int64_t q = t + 1; q - p <= FLASH + 1; q++)
            if (off > 8 && layout_distance(at(d, p), at(d, q)) < 0.5 * off) {
                d->flashed[t] = 1;
                return;
            }
    }
}

/* A slide, or a push: the new picture comes in from a side, the old goes
 * out on the other, both moving with the edge between them. Each frame is
 * then the old picture A shifted by S places and the new one B joined to
 * it, along one of 4 directions (SHIFT: 0 left, 1 right, 2 up, 3 down).
 * The mean absolute difference of X from that picture, in levels. */
static double push_error(const uint8_t *x, const uint8_t *a, const uint8_t *b, int dir, int s)
{
    int sum = 0;
    for (int y = 0; y < TH; y++)
        for (int i = 0; i < TW; i++) {
            int v;
            if (dir == 0) /* to the left: A's right part, then B's left */
                v = i < TW - s ? a[y * TW + i + s] : b[y * TW + i - (TW - s)];
            else if (dir == 1)
                v = i >= s ? a[y * TW + i - s] : b[y * TW + i + TW - s];
            else if (dir == 2)
                v = y < TH - s ? a[(y + s) * TW + i] : b[(y - (TH - s)) * TW + i];
            else
                v = y >= s ? a[(y - s) * TW + i] : b[(y + TH - s) * TW + i];
            sum += abs((int)x[y * TW + i] - v);
        }
    return (double)sum / PIXELS;
}

/* The shift of X (0 .. the thumbnail's width or height) that makes it the
 * best join of A and B along DIR, and its error. */
static int push_fit(const uint8_t *x, const uint8_t *a, const uint8_t *b, int dir, double *error)
{
    const int most = dir < 2 ? TW : TH;
    int best = 0;
    *error = 1e9;
    for (int s = 0; s <= most; s++) {
        const double e = push_error(x, a, b, dir, s);
        if (e < *error) {
            *error = e;
            best = s;
        }
    }
    return best;
}

/* Every frame of the window of K frames on each side of C is its ends
 * joined, shifted further and further along one direction, within
 * PUSH_ERROR of the ends' distance. A pan or a whip pan over one scene
 * shows, between its ends, parts of the scene that neither end shows. */
#define PUSH_ERROR 0.45
static int is_push(const ft_content_detector *d, int64_t c, int k, transition *t)
{
    const uint8_t *a = at(d, c - k)->thumb, *b = at(d, c + k)->thumb, *m = at(d, c)->thumb;
    const double most = PUSH_ERROR * layout_distance(at(d, c - k), at(d, c + k));
    int dir = -1;
    double best = most;
    for (int r = 0; r < 4; r++) { /* the middle frame tells the direction */
        double e;
        const int s = push_fit(m, a, b, r, &e);
        if (e <= best && s > 0 && s < (r < 2 ? TW : TH)) {
            best = e;
            dir = r;
        }
    }
    if (dir < 0)
        return 0;
    const int width = dir < 2 ? TW : TH;
    int from = -1, middle = -1, to = -1, high = 0;
    for (int f = 1; f < 2 * k; f++) {
        double e;
        const int s = push_fit(at(d, c - k + f)->thumb, a, b, dir, &e);
        if (e > most || s < high - 1)
            return 0;
        high = s > high ? s : high;
        if (from < 0 && s >= 1)
            from = f;
        if (middle < 0 && 2 * s >= width)
            middle = f;
        if (s <= width - 1)
            to = f;
    }
    if (from < 0 || middle < 0 || to - from + 1 < WIPE_LEAST)
        return 0;
    t->from = c - k + from;
    t->middle = c - k + middle;
    t->to = c - k + to;
    t->wipe = 1;
    return 1;
}

/* Is the window of K frames on each side of C a wipe (or a slide)? Looked
 * at once the AROUND frames after it are in (or at the end of the video). */
static ft_status try_wipe_window(ft_content_detector *d, int64_t c, int k)
{
    const features *a = at(d, c - k), *b = at(d, c + k);
    transition t = {.score = difference(a, b), .centre = c, .span = k};
    if (t.score < WIPE_SCORE * d->opt.gradual_score || correlation(a->thumb, b->thumb) > 0.8)
        return FT_OK;
    /* An end unlike both its neighbours is a flash, or a glitch. */
    if (d->flashed[c - k] || d->flashed[c + k] || spike(d, c - k, t.score) ||
        spike(d, c + k, t.score))
        return FT_OK;
    if (!is_wipe(d, c, k, &t)) {
        /* A slide moves the picture: only where the camera seems to. */
        if (!camera_moves(d, c - k + 1, c + k) || !is_push(d, c, k, &t) ||
            !holds_whole(&t, c, k) || moves_around(d, &t))
            return FT_OK;
        return keep_transition(d, &t);
    }
    /* A wipe to or from a flat frame (an iris to black) ends there; one to
     * black and one from it are one transition (paired as fades are). Flat:
     * half the spread of a fade's uniform frame (a smooth gradient of
     * colours is not flat). */
    t.opens = some_flat(d, c - k, t.from - 1, 0.5 * d->opt.uniform);
    t.closes = some_flat(d, t.to + 1, c + k, 0.5 * d->opt.uniform);
    if ((t.opens && t.closes) || !holds_whole(&t, c, k) || moves_around(d, &t) ||
        camera_moves(d, t.from, t.to + 1))
        return FT_OK;
    /* The still frames that frame it are no flash. */
    for (int64_t f = t.from - 2; f <= t.to + 2; f += f == t.from - 1 ? t.to - t.from + 2 : 1)
        if (f >= 0 && f < d->frames && d->flashed[f])
            return FT_OK;
    return keep_transition(d, &t);
}

/* Is the window of K frames on each side of C a gradual transition? */
static ft_status try_window(ft_content_detector *d, int64_t c, int k)
{
    const features *a = at(d, c - k), *m = at(d, c), *b = at(d, c + k);
    if (!middle_is_mix(a->thumb, m->thumb, b->thumb, d->opt.mix_error))
        return FT_OK;
    transition t = {.score = difference(a, b), .centre = c, .span = k};
    if (t.score < d->opt.gradual_score || !frames_are_mixes(d, c, k, &t))
        return FT_OK;
    /* A fade's uniform frame is among the pure ones before or after it. */
    t.opens = some_uniform(d, c - k, t.from - 1);
    t.closes = some_uniform(d, t.to + 1, c + k);
    if (t.opens && t.closes)
        return FT_OK; /* no picture on either side: a change of colour */
    if (!t.opens && !t.closes && correlation(a->thumb, b->thumb) > 0.8)
        return FT_OK; /* the same picture, lit differently, or moved a little */
    if (!holds_whole(&t, c, k) || !contrast_is_mixed(a->thumb, m->thumb, b->thumb))
        return FT_OK;
    return keep_transition(d, &t);
}

static ft_status grow(ft_content_detector *d)
{
    const size_t cap = d->cap ? 2 * d->cap : 1024;
    double *s = realloc(d->step, cap * sizeof *s);
    if (s)
        d->step = s;
    float *l = realloc(d->look, cap * LOOKS * sizeof *l);
    if (l)
        d->look = l;
    float *u = realloc(d->spread, cap * sizeof *u);
    if (u)
        d->spread = u;
    float *m = realloc(d->moved, cap * sizeof *m);
    if (m)
        d->moved = m;
    float *h = realloc(d->shifted, cap * sizeof *h);
    if (h)
        d->shifted = h;
    uint8_t *f = realloc(d->flashed, cap * sizeof *f);
    if (f)
        d->flashed = f;
    if (!s || !l || !u || !m || !h || !f)
        return FT_ERR_NOMEM;
    d->cap = cap;
    return FT_OK;
}

ft_status ft_content_detector_push(ft_content_detector *d, const ft_frame *f)
{
    if (!d || !f || (f->format != FT_PIXFMT_YUV420P && f->format != FT_PIXFMT_GRAY8))
        return FT_ERR_INVALID_ARG;
    if ((size_t)d->frames >= d->cap && grow(d) != FT_OK)
        return FT_ERR_NOMEM;
    const int64_t t = d->frames;
    features *now = &d->ring[t % RING];
    memset(now, 0, sizeof *now);
    histogram(f->data[0], f->linesize[0], f->width, f->height, now->hist[0]);
    thumbnail(f->data[0], f->linesize[0], f->width, f->height, now->thumb);
    if (f->format == FT_PIXFMT_YUV420P) {
        const int cw = (f->width + 1) / 2, ch = (f->height + 1) / 2;
        histogram(f->data[1], f->linesize[1], cw, ch, now->hist[1]);
        histogram(f->data[2], f->linesize[2], cw, ch, now->hist[2]);
        now->has_chroma = 1;
    }
    d->step[t] = t > 0 ? difference(at(d, t - 1), now) : 0;
    for (int j = 2; j < 2 + LOOKS; j++)
        d->look[t * LOOKS + j - 2] = t >= j ? (float)difference(at(d, t - j), now) : 1.0f;
    d->spread[t] = spread(now->thumb);
    if (t > 0)
        camera_move(at(d, t - 1)->thumb, now->thumb, &d->moved[t], &d->shifted[t]);
    else
        d->moved[t] = d->shifted[t] = 0;
    d->flashed[t] = 0;
    d->frames++;
    if (t >= 2 * FLASH)
        mark_flash(d, t - FLASH);
    /* Frame t ends the window of each span around t - k. */
    for (int s = 0; d->opt.gradual && s < SPANS; s++)
        if ((t >= 2 * spans[s] && try_window(d, t - spans[s], spans[s]) != FT_OK) ||
            (t >= 2 * spans[s] + AROUND &&
             try_wipe_window(d, t - spans[s] - AROUND, spans[s]) != FT_OK))
            return FT_ERR_NOMEM;
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

/* Adds a cut after the last; of two closer than min_scene_len frames, the
 * stronger stays (a hard cut over a gradual one). */
static void add_cut(ft_content_detector *d, int64_t frame, ft_cut_info info)
{
    size_t n = d->cut_count;
    if (n > 0 && frame - d->cuts[n - 1] < d->opt.min_scene_len) {
        const ft_cut_info *last = &d->info[n - 1];
        const int hard = info.kind == FT_CUT_HARD, last_hard = last->kind == FT_CUT_HARD;
        if (hard < last_hard || (hard == last_hard && info.score <= last->score))
            return;
        n--;
    }
    d->cuts[n] = frame;
    d->info[n] = info;
    d->cut_count = n + 1;
}

/* Difference of frame T from frame T - J (2 <= J <= FLASH + 2); 1 (nothing
 * alike) outside the video. */
static double look(const ft_content_detector *d, int64_t t, int j)
{
    return t >= j && t < d->frames ? d->look[t * LOOKS + j - 2] : 1.0;
}

/* Is the change S into frame T part of a flash: does a frame before it
 * come back within FLASH + 1 frames, after it (the picture either side of
 * a spike is the same)? Strobes, a photographer's flash, a frame or a few
 * of white or black, a flash that fades, one that lights half the
 * picture: neither their start nor their end, nor a step between, is a
 * cut. */
static int is_flash(const ft_content_detector *d, int64_t t, double s)
{
    for (int64_t q = t; q <= t + FLASH; q++)
        for (int j = (int)(q - t) + 1 < 2 ? 2 : (int)(q - t) + 1; j <= FLASH + 1; j++)
            if (look(d, q, j) < 0.5 * s) /* frame q - j <= t - 1 is back at q >= t */
                return 1;
    return 0;
}

static void hard_cuts(ft_content_detector *d)
{
    for (int64_t t = 1; t < d->frames; t++) {
        const double s = d->step[t];
        if (s < d->opt.min_score || s < d->opt.ratio * neighbours(d, t))
            continue;
        /* Neither the start nor the end of a flash is a cut. */
        if (is_flash(d, t, s))
            continue;
        add_cut(d, t, (ft_cut_info){FT_CUT_HARD, s, t, t});
    }
}

static int by_from(const void *x, const void *y)
{
    const transition *a = x, *b = y;
    return a->from < b->from ? -1 : a->from > b->from;
}

/* Which of two windows on one transition tells more: the one that sees
 * more of it (a narrow one may hold only its slow end), then the narrower
 * (its shots move least), then the one most centred on it. */
static int better(const transition *a, const transition *b)
{
    if (a->wipe != b->wipe) /* a mix's model is the narrower: it tells the kind */
        return !a->wipe;
    if (a->to - a->from != b->to - b->from)
        return a->to - a->from > b->to - b->from;
    if (a->span != b->span)
        return a->span < b->span;
    return llabs(a->centre - a->middle) < llabs(b->centre - b->middle);
}

/* Windows that overlap see one transition: keep the best. Leaves them in
 * d->seen, in order. */
static void one_per_transition(ft_content_detector *d)
{
    if (d->seen_count == 0)
        return;
    qsort(d->seen, d->seen_count, sizeof *d->seen, by_from);
    size_t n = 0;
    int64_t end = -1;
    for (size_t i = 0; i < d->seen_count; i++) {
        const transition *t = &d->seen[i];
        if (n > 0 && t->from < end) {
            if (better(t, &d->seen[n - 1]))
                d->seen[n - 1] = *t;
        } else {
            d->seen[n++] = *t;
        }
        end = t->to > end ? t->to : end;
    }
    d->seen_count = n;
}

/* The first frame after the uniform ones from T on (T itself if it is not). */
static int64_t uniform_until(const ft_content_detector *d, int64_t t)
{
    while (t < d->frames && d->spread[t] <= d->opt.uniform)
        t++;
    return t;
}

/* The last frame before the uniform ones up to T. */
static int64_t uniform_since(const ft_content_detector *d, int64_t t)
{
    while (t >= 0 && d->spread[t] <= d->opt.uniform)
        t--;
    return t;
}

/* A fade-out, uniform frames (black) and a fade-in are one transition; its
 * new shot starts where the new picture appears, at the fade-in. */
static void pair_fades(ft_content_detector *d)
{
    size_t n = 0;
    for (size_t i = 0; i < d->seen_count; i++) {
        transition t = d->seen[i];
        const transition *in = i + 1 < d->seen_count ? &d->seen[i + 1] : NULL;
        if (t.closes && in && in->opens && uniform_until(d, t.to + 1) >= in->from) {
            t.middle = in->from;
            t.to = in->to;
            t.score = t.score > in->score ? t.score : in->score;
            t.closes = 0;
            t.paired = 1;
            i++;
        }
        d->seen[n++] = t;
    }
    d->seen_count = n;
}

/* Is there a hard cut at frames LO .. HI? HARD: N frames, in order. */
static int hard_cut_in(const int64_t *hard, size_t n, int64_t lo, int64_t hi)
{
    for (size_t i = 0; i < n && hard[i] <= hi; i++)
        if (hard[i] >= lo)
            return 1;
    return 0;
}

/* A fade whose uniform side a hard cut bounds (a cut to black, then a fade
 * in) is part of that cut; one that opens or closes the video, of no cut. */
static int fade_is_bounded(const ft_content_detector *d, const transition *t, const int64_t *hard,
                           size_t n)
{
    if (t->opens) {
        const int64_t before = uniform_since(d, t->from - 1);
        if (before < 0 || hard_cut_in(hard, n, before + 1, t->from - 1))
            return 1;
    }
    if (t->closes) {
        const int64_t after = uniform_until(d, t->to + 1);
        if (after >= d->frames || hard_cut_in(hard, n, t->to + 1, after))
            return 1;
    }
    return 0;
}

/* Hard cuts within a transition (its steps: into FROM .. into TO + 1) are
 * not cuts: a fade or a dissolve of flat colours moves whole histogram bins
 * at once. Returns how many stay. */
static size_t absorb(int64_t *hard, ft_cut_info *info, size_t n, const transition *seen,
                     size_t count)
{
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        int inside = 0;
        for (size_t j = 0; j < count && !inside; j++)
            inside = hard[i] >= seen[j].from && hard[i] <= seen[j].to + 1;
        if (!inside) {
            hard[kept] = hard[i];
            info[kept++] = info[i];
        }
    }
    return kept;
}

/* Gradual transitions among the hard cuts (in d->cuts already). */
static void gradual_cuts(ft_content_detector *d)
{
    one_per_transition(d);
    pair_fades(d);
    int64_t *hard = malloc((d->cut_count + 1) * sizeof *hard);
    ft_cut_info *hard_info = malloc((d->cut_count + 1) * sizeof *hard_info);
    if (!hard || !hard_info) {
        free(hard);
        free(hard_info);
        return; /* hard cuts only */
    }
    memcpy(hard, d->cuts, d->cut_count * sizeof *hard);
    memcpy(hard_info, d->info, d->cut_count * sizeof *hard_info);
    /* A wipe with a hard cut in it is that cut, in shots that move (one
     * through a uniform frame, an iris to black, may move whole histogram
     * bins at once: its steps are no cuts). */
    size_t kept = 0;
    for (size_t i = 0; i < d->seen_count; i++) {
        const transition *t = &d->seen[i];
        if (!t->wipe || t->opens || t->closes || t->paired ||
            !hard_cut_in(hard, d->cut_count, t->from, t->to + 1))
            d->seen[kept++] = *t;
    }
    d->seen_count = kept;
    const size_t n = absorb(hard, hard_info, d->cut_count, d->seen, d->seen_count);
    d->cut_count = 0;
    size_t h = 0;
    for (size_t i = 0; i < d->seen_count; i++) {
        const transition *t = &d->seen[i];
        if (fade_is_bounded(d, t, hard, n))
            continue;
        for (; h < n && hard[h] < t->middle; h++)
            add_cut(d, hard[h], hard_info[h]);
        const ft_cut_kind kind = t->wipe                                 ? FT_CUT_WIPE
                                 : t->opens || t->closes || t->paired ? FT_CUT_FADE
                                                                      : FT_CUT_DISSOLVE;
        add_cut(d, t->middle, (ft_cut_info){kind, t->score, t->from, t->to});
    }
    for (; h < n; h++)
        add_cut(d, hard[h], hard_info[h]);
    free(hard);
    free(hard_info);
}

/* How many of frames LO .. HI are uniform. */
static int64_t uniform_count(const ft_content_detector *d, int64_t lo, int64_t hi)
{
    int64_t n = 0;
    for (int64_t t = lo; t <= hi; t++)
        n += d->spread[t] <= d->opt.uniform;
    return n;
}

/* Two cuts at most THROUGH frames apart, one of them gradual, between
 * which the picture passes through a uniform frame or a few (at most half
 * of them), are one transition through that colour: an iris or a box
 * closing on black and opening on the next shot. Its new shot starts at
 * the second, where the new picture appears (as at a fade through black).
 * Two hard cuts stay two (a colour card between them is a shot). */
#define THROUGH 48
static void join_through_uniform(ft_content_detector *d)
{
    size_t n = 0;
    for (size_t i = 0; i < d->cut_count; i++) {
        const int gradual = n > 0 && (d->info[i].kind != FT_CUT_HARD ||
                                      d->info[n - 1].kind != FT_CUT_HARD);
        const int64_t gap = gradual ? d->cuts[i] - d->cuts[n - 1] : THROUGH + 1;
        const int64_t flat = gap <= THROUGH ? uniform_count(d, d->cuts[n - 1], d->cuts[i] - 1) : 0;
        if (flat >= 1 && 2 * flat <= gap) {
            const ft_cut_info before = d->info[n - 1], now = d->info[i];
            ft_cut_info joined = now.kind != FT_CUT_HARD ? now : before;
            joined.score = before.score > now.score ? before.score : now.score;
            joined.from = before.from < now.from ? before.from : now.from;
            joined.to = before.to > now.to ? before.to : now.to;
            d->cuts[n - 1] = d->cuts[i];
            d->info[n - 1] = joined;
            continue;
        }
        d->cuts[n] = d->cuts[i];
        d->info[n++] = d->info[i];
    }
    d->cut_count = n;
}

ft_status ft_content_detector_finish(ft_content_detector *d, const int64_t **cuts,
                                     const ft_cut_info **info, size_t *count)
{
    free(d->cuts);
    free(d->info);
    d->cut_count = 0;
    d->cuts = malloc(((size_t)d->frames + 1) * sizeof *d->cuts);
    d->info = malloc(((size_t)d->frames + 1) * sizeof *d->info);
    if (!d->cuts || !d->info)
        return FT_ERR_NOMEM;
    hard_cuts(d);
    /* The wipe windows that ended within the last AROUND frames. */
    for (int s = 0; d->opt.gradual && s < SPANS; s++) {
        const int k = spans[s];
        int64_t c = d->frames - k - AROUND;
        for (c = c > k ? c : k; c + k < d->frames; c++)
            if (try_wipe_window(d, c, k) != FT_OK)
                return FT_ERR_NOMEM;
    }
    if (d->opt.gradual) {
        gradual_cuts(d);
        join_through_uniform(d);
    }
    *cuts = d->cuts;
    *info = d->info;
    *count = d->cut_count;
    return FT_OK;
}
