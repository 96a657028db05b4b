/* The face engine: detection (tiled), landmark tracking from frame to
 * frame (spec §2.4, with re-detection on loss, on a schedule and after
 * cuts), identities, One-Euro smoothing for every face, blendshapes and
 * the transformation matrix. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "face/blendshapes.h"
#include "face/detect_tiles.h"
#include "face/detector.h"
#include "face/geometry.h"
#include "face/landmarks.h"
#include "face/roi.h"
#include "face/tracker.h"
#include "facetrack.h"

/* A landmark ROI to run this frame: a tracked face's, or a new detection's. */
typedef struct candidate {
    ft_norm_rect roi;
    int track;             /* index into tracks, or -1 for a new face */
    float detection_score; /* of a detection, or -1 */
    int detected;
    int accepted;
    int rejected;          /* run, and the presence test failed */
    ft_box box;            /* landmarks' bounds once run */
    ft_face_landmarks lm;
} candidate;

struct ft_face_engine {
    ft_face_options opt;
    ft_one_euro_params smooth;
    int smoothing;
    ft_face_detector *detector;
    ft_face_landmarker *landmarker;
    ft_face_blendshaper *blendshaper; /* NULL when disabled */
    ft_face_geometry *geometry;       /* NULL when disabled */
    int track_cap;
    ft_track *tracks;
    candidate *cands;                 /* num_faces + FT_DETECT_MAX_PER_TILE */
    int cand_cap;
    ft_face_detection *dets;
    ft_detect_scratch *scratch;
    ft_face *faces;
    int next_id;
    int frames_since_detect;
    int frames_since_turned; /* since detection last tried turned images */
    int need_detect; /* a face was lost, or a cut was signalled */
    ft_face_timings timings;
    uint8_t *rgb;    /* converted input when it is not RGB or RGBA */
    size_t rgb_size;
    char error[768];
};

void ft_face_options_init(ft_face_options *o)
{
    *o = (ft_face_options){
        .num_faces = 5,
        .min_detection_confidence = 0.5f,
        .min_presence_confidence = 0.5f,
        .min_tracking_confidence = 0.5f,
        .video = 1,
        .detect_interval = 10,
        .max_tile_px = 1088,
        .smoothing = -1,
        .smoothing_min_cutoff = 0.05f,
        .smoothing_beta = 80.0f,
        .smoothing_derivate_cutoff = 1.0f,
        .max_lost_frames = 25,
        .blendshape_interval = 1,
        .threads = 1,
    };
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static ft_status fail(char *err, size_t n, ft_status st, const char *what)
{
    if (err && n)
        snprintf(err, n, "%s", what);
    return st;
}

/* OPTION when given, else the default NAME; "" leaves PATH empty. */
static ft_status resolve(const char *option, const char *name, char *path, size_t n, char *err,
                         size_t err_size)
{
    if (option) {
        snprintf(path, n, "%s", option);
        return FT_OK;
    }
    ft_status st = ft_face_default_model(name, path, n);
    if (st != FT_OK && err && err_size)
        snprintf(err, err_size, "no %s model found on the model search path (see `facetrack models list`)",
                 name);
    return st;
}

static ft_status check_options(const ft_face_options *o, char *err, size_t n)
{
    if (o->num_faces < 1 || o->num_faces > 64)
        return fail(err, n, FT_ERR_INVALID_ARG, "num_faces must be between 1 and 64");
    if (o->detect_interval < 1 || o->blendshape_interval < 1)
        return fail(err, n, FT_ERR_INVALID_ARG,
                    "detect_interval and blendshape_interval must be at least 1");
    if (o->max_lost_frames < 0 || o->threads < 0)
        return fail(err, n, FT_ERR_INVALID_ARG, "max_lost_frames and threads cannot be negative");
    if (!(o->min_detection_confidence >= 0 && o->min_detection_confidence <= 1) ||
        !(o->min_presence_confidence >= 0 && o->min_presence_confidence <= 1) ||
        !(o->min_tracking_confidence >= 0 && o->min_tracking_confidence <= 1))
        return fail(err, n, FT_ERR_INVALID_ARG, "confidence thresholds must be between 0 and 1");
    if (!(o->smoothing_min_cutoff > 0) || !(o->smoothing_beta >= 0) ||
        !(o->smoothing_derivate_cutoff > 0))
        return fail(err, n, FT_ERR_INVALID_ARG, "smoothing cutoffs must be positive, beta >= 0");
    return FT_OK;
}

/* The detector kind follows the model's input size (128 short, 192 full). */
static ft_status open_detector(ft_face_engine *e, const char *path, char *err, size_t n)
{
    ft_face_detector_options dopt;
    ft_face_detector_options_init(&dopt);
    dopt.min_score = e->opt.min_detection_confidence;
    ft_status st = ft_face_detector_create(path, FT_FACE_DETECTOR_FULL_RANGE, &dopt, e->opt.threads,
                                           &e->detector, err, n);
    if (st == FT_ERR_FORMAT) {
        char err2[512];
        if (ft_face_detector_create(path, FT_FACE_DETECTOR_SHORT_RANGE, &dopt, e->opt.threads,
                                    &e->detector, err2, sizeof err2) == FT_OK)
            return FT_OK;
    }
    return st;
}

static ft_status open_models(ft_face_engine *e, char *err, size_t n)
{
    char path[1024];
    const ft_face_options *o = &e->opt;
    ft_status st = resolve(o->detector_model, "detector", path, sizeof path, err, n);
    if (st == FT_OK)
        st = open_detector(e, path, err, n);
    if (st == FT_OK && (st = resolve(o->landmark_model, "landmarks", path, sizeof path, err, n)) == FT_OK)
        st = ft_face_landmarker_create(path, o->threads, &e->landmarker, err, n);
    if (st != FT_OK)
        return st;
    if (ft_face_landmarker_count(e->landmarker) == 478) { /* both need all 478 */
        if (!(o->blendshape_model && !*o->blendshape_model)) {
            st = resolve(o->blendshape_model, "blendshapes", path, sizeof path, err, n);
            if (st == FT_OK)
                st = ft_face_blendshaper_create(path, o->threads, &e->blendshaper, err, n);
            else if (!o->blendshape_model)
                st = FT_OK; /* no default: the engine works without */
            if (st != FT_OK)
                return st;
        }
    }
    if (!(o->geometry_model && !*o->geometry_model)) {
        st = resolve(o->geometry_model, "geometry", path, sizeof path, err, n);
        if (st == FT_OK)
            st = ft_face_geometry_load(path, &e->geometry, err, n);
        else if (!o->geometry_model)
            st = FT_OK;
    }
    return st;
}

ft_status ft_face_engine_create(const ft_face_options *options, ft_face_engine **out, char *err,
                                size_t err_size)
{
    if (!out)
        return FT_ERR_INVALID_ARG;
    *out = NULL;
    ft_face_engine *e = calloc(1, sizeof *e);
    if (!e)
        return fail(err, err_size, FT_ERR_NOMEM, "out of memory");
    if (options)
        e->opt = *options;
    else
        ft_face_options_init(&e->opt);
    ft_status st = check_options(&e->opt, err, err_size);
    if (st != FT_OK) {
        free(e);
        return st;
    }
    e->smoothing = e->opt.smoothing < 0 ? e->opt.video : e->opt.smoothing != 0;
    e->smooth = (ft_one_euro_params){30.0f, e->opt.smoothing_min_cutoff, e->opt.smoothing_beta,
                                     e->opt.smoothing_derivate_cutoff};
    e->track_cap = 2 * e->opt.num_faces + 8;
    e->cand_cap = e->opt.num_faces + FT_DETECT_MAX_PER_TILE;
    e->tracks = calloc((size_t)e->track_cap, sizeof *e->tracks);
    e->cands = calloc((size_t)e->cand_cap, sizeof *e->cands);
    e->dets = calloc(FT_DETECT_MAX_PER_TILE, sizeof *e->dets);
    e->scratch = malloc(sizeof *e->scratch);
    e->faces = calloc((size_t)e->opt.num_faces, sizeof *e->faces);
    if (!e->tracks || !e->cands || !e->dets || !e->scratch || !e->faces) {
        ft_face_engine_free(e);
        return fail(err, err_size, FT_ERR_NOMEM, "out of memory");
    }
    st = open_models(e, err, err_size);
    if (st != FT_OK) {
        ft_face_engine_free(e);
        return st;
    }
    ft_face_engine_reset(e);
    *out = e;
    return FT_OK;
}

void ft_face_engine_free(ft_face_engine *e)
{
    if (!e)
        return;
    ft_face_detector_free(e->detector);
    ft_face_landmarker_free(e->landmarker);
    ft_face_blendshaper_free(e->blendshaper);
    ft_face_geometry_free(e->geometry);
    free(e->tracks);
    free(e->cands);
    free(e->dets);
    free(e->scratch);
    free(e->faces);
    free(e->rgb);
    free(e);
}

const char *ft_face_engine_error(const ft_face_engine *e)
{
    return e ? e->error : "";
}

void ft_face_engine_timings(const ft_face_engine *e, ft_face_timings *out)
{
    if (out)
        *out = e ? e->timings : (ft_face_timings){0};
}

void ft_face_engine_reset(ft_face_engine *e)
{
    for (int i = 0; i < e->track_cap; i++)
        e->tracks[i].state = FT_TRACK_FREE;
    e->next_id = 0;
    e->need_detect = 1;
    e->frames_since_detect = 0;
    e->frames_since_turned = e->opt.detect_interval;
}

void ft_face_engine_signal_cut(ft_face_engine *e)
{
    /* A new shot shows other people (or the same from elsewhere): no
     * identity carries over a cut. */
    for (int i = 0; i < e->track_cap; i++)
        e->tracks[i].state = FT_TRACK_FREE;
    e->need_detect = 1;
}

/* IMAGE as RGB or RGBA pixels the warp reads, converting BGR and gray. */
static ft_status as_rgb(ft_face_engine *e, const ft_image *im, ft_face_image *view)
{
    if (!im->data || im->width <= 0 || im->height <= 0) {
        snprintf(e->error, sizeof e->error, "invalid image: no pixels or size %dx%d", im->width,
                 im->height);
        return FT_ERR_INVALID_ARG;
    }
    const int bpp = im->format == FT_PIXFMT_RGBA ? 4 : im->format == FT_PIXFMT_GRAY8 ? 1 : 3;
    if ((im->format != FT_PIXFMT_RGB24 && im->format != FT_PIXFMT_BGR24 &&
         im->format != FT_PIXFMT_RGBA && im->format != FT_PIXFMT_GRAY8) ||
        im->stride < im->width * bpp) {
        snprintf(e->error, sizeof e->error,
                 "invalid image: format must be rgb24, bgr24, rgba or gray with stride >= width x pixel size");
        return FT_ERR_INVALID_ARG;
    }
    *view = (ft_face_image){im->data, im->width, im->height, im->stride, bpp};
    if (im->format == FT_PIXFMT_RGB24 || im->format == FT_PIXFMT_RGBA)
        return FT_OK;
    const size_t need = (size_t)im->width * (size_t)im->height * 3;
    if (need > e->rgb_size) {
        uint8_t *p = realloc(e->rgb, need);
        if (!p) {
            snprintf(e->error, sizeof e->error, "out of memory converting a %dx%d image",
                     im->width, im->height);
            return FT_ERR_NOMEM;
        }
        e->rgb = p;
        e->rgb_size = need;
    }
    for (int y = 0; y < im->height; y++) {
        const uint8_t *s = im->data + (size_t)y * (size_t)im->stride;
        uint8_t *d = e->rgb + (size_t)y * (size_t)im->width * 3;
        for (int x = 0; x < im->width; x++, d += 3) {
            if (bpp == 1) {
                d[0] = d[1] = d[2] = s[x];
            } else {
                d[0] = s[3 * x + 2];
                d[1] = s[3 * x + 1];
                d[2] = s[3 * x];
            }
        }
    }
    *view = (ft_face_image){e->rgb, im->width, im->height, im->width * 3, 3};
    return FT_OK;
}

/* The tracked faces' ROIs for this frame. */
static int tracked_candidates(ft_face_engine *e)
{
    int n = 0;
    for (int i = 0; i < e->track_cap && n < e->opt.num_faces; i++)
        if (e->tracks[i].state == FT_TRACK_ACTIVE)
            e->cands[n++] = (candidate){.roi = e->tracks[i].next_roi, .track = i,
                                        .detection_score = -1.0f};
    return n;
}

/* One detection pass; upright, and when that finds nothing (and nothing is
 * tracked), turned by 90 degrees either way: BlazeFace only sees upright
 * faces, and videos come sideways. */
static ft_status detect(ft_face_engine *e, const ft_face_image *img, int tracked, int *found)
{
    static const float turns[3] = {0.0f, (float)M_PI / 2, (float)-M_PI / 2};
    ft_detect_plan plan;
    ft_detect_plan_tiles(img->width, img->height, e->opt.max_tile_px, &plan);
    const int tries = tracked == 0 && e->frames_since_turned >= e->opt.detect_interval ? 3 : 1;
    *found = 0;
    for (int k = 0; k < tries && *found == 0; k++) {
        if (k > 0)
            e->frames_since_turned = 0;
        for (int t = 0; t < plan.count; t++)
            plan.tiles[t].rotation = turns[k];
        ft_status st = ft_face_detect_tiled(e->detector, img, &plan, 0.3f, e->scratch, e->dets,
                                            FT_DETECT_MAX_PER_TILE, found);
        if (st != FT_OK) {
            snprintf(e->error, sizeof e->error, "%s", ft_face_detector_error(e->detector));
            return st;
        }
    }
    return FT_OK;
}

/* Appends to CANDS[0..*count) the detections that no live candidate (not
 * yet run, or accepted) explains; a detection on a tracked face confirms
 * it instead. */
static ft_status add_detections(ft_face_engine *e, const ft_face_image *img, int *count)
{
    int n = *count, found = 0, tracked = 0;
    for (int c = 0; c < n; c++)
        tracked += e->cands[c].track >= 0;
    e->frames_since_detect = 0;
    e->need_detect = 0;
    const double t0 = now_ms();
    ft_status st = detect(e, img, tracked, &found);
    e->timings.detection_ms += now_ms() - t0;
    if (st != FT_OK)
        return st;
    ft_rect_transform t;
    ft_rect_transform_from_detection(&t);
    for (int d = 0; d < found && n < e->cand_cap; d++) {
        const ft_norm_rect roi = ft_roi_from_detection(&e->dets[d].rel, img->width, img->height, &t);
        const ft_box box = ft_box_of_roi(&roi, img->width, img->height);
        int same = -1;
        for (int c = 0; c < n && same < 0; c++) {
            if (e->cands[c].rejected)
                continue;
            const ft_box other = ft_box_of_roi(&e->cands[c].roi, img->width, img->height);
            if (ft_box_iou(&box, &other) > e->opt.min_tracking_confidence)
                same = c;
        }
        if (same >= 0) { /* a tracked face (or a duplicate detection) */
            if (e->cands[same].detection_score < 0) {
                e->cands[same].detection_score = e->dets[d].score;
                e->cands[same].detected = 1;
            }
            continue;
        }
        e->cands[n++] = (candidate){.roi = roi, .track = -1,
                                    .detection_score = e->dets[d].score, .detected = 1};
    }
    *count = n;
    return FT_OK;
}

static void lose_track(ft_face_engine *e, ft_track *t)
{
    t->state = FT_TRACK_LOST;
    t->lost_frames = 0;
    e->need_detect = 1;
}

/* Two accepted candidates on one face: keep one. */
static void deduplicate(ft_face_engine *e, int n)
{
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n && e->cands[i].accepted; j++) {
            candidate *a = &e->cands[i], *b = &e->cands[j];
            if (!b->accepted || ft_box_iou(&a->box, &b->box) <= 0.5f)
                continue;
            int drop_a;
            if (a->track >= 0 && b->track >= 0)
                drop_a = ft_track_pick_survivor(&e->tracks[a->track], &a->box,
                                                &e->tracks[b->track], &b->box) == 1;
            else
                drop_a = a->track < 0 && (b->track >= 0 || b->detection_score > a->detection_score);
            candidate *drop = drop_a ? a : b;
            drop->accepted = 0;
            if (drop->track >= 0)
                lose_track(e, &e->tracks[drop->track]);
        }
}

static int free_track_slot(ft_face_engine *e)
{
    int oldest = -1;
    for (int i = 0; i < e->track_cap; i++) {
        if (e->tracks[i].state == FT_TRACK_FREE)
            return i;
        if (e->tracks[i].state == FT_TRACK_LOST &&
            (oldest < 0 || e->tracks[i].lost_frames > e->tracks[oldest].lost_frames))
            oldest = i;
    }
    return oldest; /* forget the longest-lost face */
}

/* A new face: the lost face it continues, else a new identity. */
static int adopt(ft_face_engine *e, const candidate *c)
{
    int t = ft_track_reidentify(e->tracks, e->track_cap, &c->box);
    if (t < 0) {
        t = free_track_slot(e);
        if (t < 0)
            return -1;
        e->tracks[t] = (ft_track){.id = e->next_id++};
    }
    ft_track *tr = &e->tracks[t];
    tr->state = FT_TRACK_LOST; /* observe() treats it as a fresh sighting */
    tr->filters_ready = 0;
    tr->blendshapes_age = -1;
    return t;
}

/* The face's blendshapes: computed from its landmarks, or with an interval,
 * repeated from the last computation until it is due again. */
static void fill_blendshapes(ft_face_engine *e, ft_track *t, ft_face *f, int iw, int ih)
{
    f->has_blendshapes = 0;
    if (!e->blendshaper)
        return;
    if (e->opt.video && t->blendshapes_age >= 0 && t->blendshapes_age + 1 < e->opt.blendshape_interval) {
        t->blendshapes_age++;
        memcpy(f->blendshapes, t->blendshapes, sizeof f->blendshapes);
        f->has_blendshapes = 1;
        return;
    }
    const double t0 = now_ms();
    f->has_blendshapes = ft_face_blendshapes_compute(e->blendshaper,
                                                     (const float(*)[3])f->landmarks_norm,
                                                     f->landmark_count, iw, ih,
                                                     f->blendshapes) == FT_OK;
    e->timings.blendshapes_ms += now_ms() - t0;
    t->blendshapes_age = f->has_blendshapes ? 0 : -1;
    if (f->has_blendshapes)
        memcpy(t->blendshapes, f->blendshapes, sizeof t->blendshapes);
}

/* Smoothed landmarks (spec §6: in pixels x W, y H, z W), then the face's
 * outputs from them. */
static void fill_face(ft_face_engine *e, const candidate *c, ft_track *t, int64_t ts_us, int iw,
                      int ih, ft_face *f)
{
    const ft_face_landmarks *lm = &c->lm;
    const int n = lm->count;
    float (*px)[3] = f->landmarks_norm; /* scratch in pixel units first */
    for (int i = 0; i < n; i++) {
        px[i][0] = lm->norm[i][0] * (float)iw;
        px[i][1] = lm->norm[i][1] * (float)ih;
        px[i][2] = lm->norm[i][2] * (float)iw;
    }
    if (e->smoothing) {
        if (!t->filters_ready) {
            for (int i = 0; i < 3 * n; i++)
                ft_one_euro_reset(&t->filters[i], &e->smooth);
            t->filters_ready = 1;
        }
        ft_one_euro_apply_points(t->filters, &e->smooth, px, n, ts_us * 1000);
    }
    f->id = t->id;
    f->detection_score = t->detection_score;
    f->presence = lm->presence;
    f->detected = c->detected;
    f->landmark_count = n;
    for (int i = 0; i < n; i++) {
        /* z in pixels of the crop's scale, rescaled by the smoothing ratio. */
        const float zr = lm->norm[i][2] != 0.0f ? px[i][2] / (lm->norm[i][2] * (float)iw) : 1.0f;
        f->landmarks[i][0] = px[i][0];
        f->landmarks[i][1] = px[i][1];
        f->landmarks[i][2] = lm->points[i][2] * zr;
        f->landmarks_norm[i][0] = px[i][0] / (float)iw;
        f->landmarks_norm[i][1] = px[i][1] / (float)ih;
        f->landmarks_norm[i][2] = px[i][2] / (float)iw;
    }
    const ft_box box = ft_box_of_points((const float(*)[3])f->landmarks, n);
    f->box[0] = box.x0;
    f->box[1] = box.y0;
    f->box[2] = box.x1 - box.x0;
    f->box[3] = box.y1 - box.y0;
    fill_blendshapes(e, t, f, iw, ih);
    const double t0 = now_ms();
    f->has_matrix = e->geometry &&
                    ft_face_geometry_pose(e->geometry, (const float(*)[3])f->landmarks_norm, n, iw,
                                          ih, f->matrix, NULL) == FT_OK;
    if (f->has_matrix)
        ft_face_pose_angles(f->matrix, &f->yaw, &f->pitch, &f->roll);
    else
        f->yaw = f->pitch = f->roll = 0.0f;
    e->timings.geometry_ms += now_ms() - t0;
}

/* Landmarks for candidates [from, to); presence gates them (strict >). */
static ft_status run_landmarks(ft_face_engine *e, const ft_face_image *img, int from, int to)
{
    for (int i = from; i < to; i++) {
        candidate *c = &e->cands[i];
        const double t0 = now_ms();
        ft_status st = ft_face_landmarks_detect(e->landmarker, img, &c->roi, &c->lm);
        e->timings.landmarks_ms += now_ms() - t0;
        if (st != FT_OK) {
            snprintf(e->error, sizeof e->error, "%s", ft_face_landmarker_error(e->landmarker));
            return st;
        }
        c->accepted = c->lm.presence > e->opt.min_presence_confidence;
        c->rejected = !c->accepted;
        c->box = ft_box_of_points((const float(*)[3])c->lm.norm, c->lm.count);
        if (c->rejected && c->track >= 0)
            lose_track(e, &e->tracks[c->track]);
    }
    return FT_OK;
}

static int by_id(const void *a, const void *b)
{
    const ft_face *fa = a, *fb = b;
    return (fa->id > fb->id) - (fa->id < fb->id);
}

ft_status ft_face_engine_process(ft_face_engine *e, const ft_image *image, int64_t timestamp_us,
                                 const ft_face **faces, int *count)
{
    if (!e || !image || !faces || !count)
        return FT_ERR_INVALID_ARG;
    *faces = e->faces;
    *count = 0;
    e->error[0] = '\0';
    const double t0 = now_ms();
    if (!e->opt.video)
        ft_face_engine_reset(e);
    ft_face_image img;
    ft_status st = as_rgb(e, image, &img);
    if (st != FT_OK)
        return st;
    for (int i = 0; i < e->track_cap; i++)
        if (e->tracks[i].state == FT_TRACK_LOST)
            e->tracks[i].lost_frames++;
    e->frames_since_turned++;
    int n = tracked_candidates(e);
    int detected = !e->opt.video || e->need_detect || n == 0 ||
                   (e->frames_since_detect + 1 >= e->opt.detect_interval && n < e->opt.num_faces);
    if (detected)
        st = add_detections(e, &img, &n);
    else
        e->frames_since_detect++;
    if (st == FT_OK)
        st = run_landmarks(e, &img, 0, n);
    /* A face lost this frame may have moved fast: look for it at once. */
    if (st == FT_OK && !detected && e->need_detect) {
        const int before = n;
        st = add_detections(e, &img, &n);
        if (st == FT_OK)
            st = run_landmarks(e, &img, before, n);
    }
    if (st != FT_OK)
        return st;
    deduplicate(e, n);
    int out = 0;
    for (int i = 0; i < n && out < e->opt.num_faces; i++) {
        candidate *c = &e->cands[i];
        if (!c->accepted)
            continue;
        int t = c->track >= 0 ? c->track : adopt(e, c);
        if (t < 0)
            continue;
        ft_track *tr = &e->tracks[t];
        if (c->detection_score >= 0)
            tr->detection_score = c->detection_score;
        ft_track_observe(tr, &c->box);
        tr->state = FT_TRACK_ACTIVE;
        tr->next_roi = ft_face_roi_from_landmarks(&c->lm, img.width, img.height);
        fill_face(e, c, tr, timestamp_us, img.width, img.height, &e->faces[out++]);
    }
    /* Long-lost faces are forgotten. */
    for (int i = 0; i < e->track_cap; i++)
        if (e->tracks[i].state == FT_TRACK_LOST && e->tracks[i].lost_frames > e->opt.max_lost_frames)
            e->tracks[i].state = FT_TRACK_FREE;
    qsort(e->faces, (size_t)out, sizeof *e->faces, by_id);
    *count = out;
    e->timings.frames++;
    e->timings.total_ms += now_ms() - t0;
    return FT_OK;
}
