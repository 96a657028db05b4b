/* mediapipe_landmarker: MediaPipe's face landmarker in C. BlazeFace
 * detection (tiled on large frames, with MediaPipe's short-range pass on the
 * whole frame beside the tiles, turned on sideways videos), the 478
 * point face mesh, blendshapes, the transformation matrix and head pose,
 * with numerics following MediaPipe's CPU graph; the shared tracker decides
 * when each model runs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthreadpool.h>

#include "base/clock.h"
#include "engines/tracker_engine.h"
#include "face/blendshapes.h"
#include "face/detect_tiles.h"
#include "face/detector.h"
#include "face/face_tracker.h"
#include "face/geometry.h"
#include "face/landmarks.h"
#include "face/roi.h"

typedef struct mediapipe {
    ft_face_tracker *tracker; /* first: the class's calls are the tracker's */
    ft_face_options opt;
    pthreadpool_t pool; /* shared by the three models; NULL: the caller's thread */
    ft_model_place place; /* the pool, or the GPU the models run on */
    ft_face_detector *detector;
    ft_face_detector *whole; /* short range on the whole frame; NULL: no such pass */
    ft_face_landmarker *landmarker;
    ft_face_blendshaper *blendshaper; /* NULL when disabled or absent */
    ft_face_geometry *geometry;       /* NULL when disabled or absent */
    ft_face_detection dets[FT_DETECT_MAX_PER_TILE];
    ft_face_detection whole_dets[FT_DETECT_MAX_PER_TILE];
    ft_detect_scratch scratch;
    int64_t turned_frame; /* when detection last tried turned images */
    /* the faces whose blendshapes run this frame, as one batch */
    const float (**due_norms)[3];
    int *due_faces;
    float (*due_scores)[FT_FACE_BLENDSHAPES];
    char error[768];
    char detect_error[768]; /* the detector's own: it may run beside the landmarks */
} mediapipe;

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

/* NAME=1 or 0 when set so, else OTHERWISE: the switches kept for
 * comparing a default with its alternative. */
static int env_switch(const char *name, int otherwise)
{
    const char *env = getenv(name);
    if (env && (strcmp(env, "0") == 0 || strcmp(env, "1") == 0))
        return env[0] == '1';
    return otherwise;
}

/* Where the detector runs: on the CPU even when the other models run on a
 * GPU. It takes one picture a frame, about 1 to 2 ms of a core on
 * XNNPACK; on a GPU that a worker per video shares, its ~180 small kernels
 * queue in front of every worker's landmarks, and on the CPU it finds
 * exactly the faces `--cpu` finds (on the GPU, a face whose score sits on
 * the threshold may go either way). FACETRACK_GPU_DETECTOR=1 puts it on
 * the GPU, for comparison. */
static ft_model_place detector_place(const mediapipe *m)
{
    if (env_switch("FACETRACK_GPU_DETECTOR", 0))
        return m->place;
    return (ft_model_place){.pool = m->place.pool, .threads = 1, .gpu_device = -1};
}

/* The detector kind follows the model's input size (128 short, 192 full). */
static ft_status open_detector(mediapipe *m, const char *path, ft_face_detector **out, char *err,
                               size_t n)
{
    ft_face_detector_options dopt;
    ft_face_detector_options_init(&dopt);
    dopt.min_score = m->opt.min_detection_confidence;
    const ft_model_place place = detector_place(m);
    ft_status st = ft_face_detector_create_on(path, FT_FACE_DETECTOR_FULL_RANGE, &dopt, &place,
                                              out, err, n);
    if (st == FT_ERR_FORMAT) {
        char err2[512];
        if (ft_face_detector_create_on(path, FT_FACE_DETECTOR_SHORT_RANGE, &dopt, &place, out,
                                       err2, sizeof err2) == FT_OK)
            return FT_OK;
    }
    return st;
}

static int is_short_range(const ft_face_detector *det)
{
    return ft_face_detector_anchor_count(det) == 896;
}

/* The whole-frame pass runs the short-range detector MediaPipe's
 * configuration runs: the detector itself when that is short range, else
 * the default one (absent: no pass, as MediaPipe's model is optional here). */
static ft_status open_whole(mediapipe *m, char *err, size_t n)
{
    if (!m->opt.whole_frame_pass)
        return FT_OK;
    char path[1024];
    if (is_short_range(m->detector) ||
        ft_face_default_model("short_range_detector", path, sizeof path) != FT_OK)
        return FT_OK;
    ft_status st = open_detector(m, path, &m->whole, err, n);
    if (st == FT_OK && !is_short_range(m->whole)) { /* a full-range file by that name */
        ft_face_detector_free(m->whole);
        m->whole = NULL;
    }
    return st;
}

static ft_status open_models(mediapipe *m, char *err, size_t n)
{
    char path[1024];
    const ft_face_options *o = &m->opt;
    ft_status st = resolve(o->detector_model, "detector", path, sizeof path, err, n);
    if (st == FT_OK)
        st = open_detector(m, path, &m->detector, err, n);
    if (st == FT_OK)
        st = open_whole(m, err, n);
    if (st == FT_OK && (st = resolve(o->landmark_model, "landmarks", path, sizeof path, err, n)) == FT_OK)
        st = ft_face_landmarker_create_on(path, &m->place, &m->landmarker, err, n);
    if (st != FT_OK)
        return st;
    if (ft_face_landmarker_count(m->landmarker) == 478) { /* both need all 478 */
        if (!(o->blendshape_model && !*o->blendshape_model)) {
            st = resolve(o->blendshape_model, "blendshapes", path, sizeof path, err, n);
            if (st == FT_OK)
                st = ft_face_blendshaper_create_on(path, &m->place, &m->blendshaper, err, n);
            else if (!o->blendshape_model)
                st = FT_OK; /* no default: the engine works without */
            if (st != FT_OK)
                return st;
        }
    }
    if (!(o->geometry_model && !*o->geometry_model)) {
        st = resolve(o->geometry_model, "geometry", path, sizeof path, err, n);
        if (st == FT_OK)
            st = ft_face_geometry_load(path, &m->geometry, err, n);
        else if (!o->geometry_model)
            st = FT_OK;
    }
    return st;
}

/* ---------------------------------------------------------------- stages */

/* One detection pass (tiles, and the short-range model on the whole frame);
 * upright, and when the tiles find nothing (and nothing is tracked), turned by
 * 90 degrees either way: BlazeFace only sees upright faces, and videos come
 * sideways. Turned passes are tried at most once per detect_interval
 * frames. */
static ft_status detect(void *ctx, const ft_face_image *img, int tracked, int64_t frame,
                        ft_roi_detection *out, int capacity, int *found)
{
    static const float turns[3] = {0.0f, (float)M_PI / 2, (float)-M_PI / 2};
    mediapipe *m = ctx;
    m->detect_error[0] = '\0'; /* a failure of an earlier video is not this one's */
    ft_detect_plan plan;
    ft_detect_plan_tiles(img->width, img->height, m->opt.max_tile_px, &plan);
    const int tries = tracked == 0 && frame - m->turned_frame >= m->opt.detect_interval ? 3 : 1;
    /* A short-range detector on one whole-frame tile is that pass already. */
    ft_face_detector *whole = m->whole;
    if (!whole && m->opt.whole_frame_pass && is_short_range(m->detector) && plan.count > 1)
        whole = m->detector;
    /* The whole-frame pass runs upright, as MediaPipe's configuration:
     * turned, it also answers parts of an upright close-up as faces. Its
     * detections join the tiles' (of whichever turn found faces) where none
     * overlaps them; and only the tiles decide whether to turn, since it
     * answers a sideways face upright with a box the landmarks cannot use. */
    int n = 0, nw = 0;
    for (int k = 0; k < tries && n == 0; k++) {
        if (k > 0)
            m->turned_frame = frame;
        for (int t = 0; t < plan.count; t++)
            plan.tiles[t].rotation = turns[k];
        ft_face_detector *failed = m->detector;
        ft_status st = ft_face_detect_tiled(m->detector, img, &plan, 0.3f, &m->scratch, m->dets,
                                            FT_DETECT_MAX_PER_TILE, &n);
        if (st == FT_OK && whole && k == 0) {
            failed = whole;
            st = ft_face_detect(whole, img, NULL, m->whole_dets, FT_DETECT_MAX_PER_TILE, &nw);
        }
        if (st != FT_OK) {
            snprintf(m->detect_error, sizeof m->detect_error, "%s", ft_face_detector_error(failed));
            return st;
        }
    }
    ft_face_detect_add_unseen(m->whole_dets, nw, 0.3f, m->dets, FT_DETECT_MAX_PER_TILE, &n);
    ft_rect_transform t;
    ft_rect_transform_from_detection(&t);
    *found = n < capacity ? n : capacity;
    for (int d = 0; d < *found; d++)
        out[d] = (ft_roi_detection){
            .roi = ft_roi_from_detection(&m->dets[d].rel, img->width, img->height, &t),
            .score = m->dets[d].score};
    return FT_OK;
}

/* Every candidate of the frame in one run of the landmark model. */
static ft_status landmarks(void *ctx, const ft_face_image *img, const ft_norm_rect *rois, int n,
                           ft_face_landmarks *out)
{
    mediapipe *m = ctx;
    ft_status st = ft_face_landmarks_detect_batch(m->landmarker, img, rois, n, out);
    if (st != FT_OK)
        snprintf(m->error, sizeof m->error, "%s", ft_face_landmarker_error(m->landmarker));
    return st;
}

static ft_norm_rect next_roi(void *ctx, const ft_face_landmarks *lm, int iw, int ih)
{
    (void)ctx;
    return ft_face_roi_from_landmarks(lm, iw, ih);
}

static ft_status finish(void *ctx, ft_face *faces, const int *blendshapes_due, int n, int iw,
                        int ih, ft_face_timings *timings)
{
    mediapipe *m = ctx;
    double t0 = ft_now_ms();
    int due = 0; /* the due faces' blendshapes in one run (all have 478 points) */
    for (int i = 0; i < n && m->blendshaper; i++)
        if (blendshapes_due[i]) {
            m->due_faces[due] = i;
            m->due_norms[due++] = (const float(*)[3])faces[i].landmarks_norm;
        }
    if (due > 0) {
        const int ok = ft_face_blendshapes_compute_batch(m->blendshaper, m->due_norms,
                                                         faces[m->due_faces[0]].landmark_count, iw,
                                                         ih, due, m->due_scores) == FT_OK;
        for (int k = 0; k < due; k++) {
            ft_face *f = &faces[m->due_faces[k]];
            f->has_blendshapes = ok;
            if (ok)
                memcpy(f->blendshapes, m->due_scores[k], sizeof f->blendshapes);
        }
    }
    timings->blendshapes_ms += ft_now_ms() - t0;
    t0 = ft_now_ms();
    for (int i = 0; i < n; i++) {
        ft_face *f = &faces[i];
        f->has_matrix = m->geometry &&
                        ft_face_geometry_pose(m->geometry, (const float(*)[3])f->landmarks_norm,
                                              f->landmark_count, iw, ih, f->matrix, NULL) == FT_OK;
        if (f->has_matrix)
            ft_face_pose_angles(f->matrix, &f->yaw, &f->pitch, &f->roll);
    }
    timings->geometry_ms += ft_now_ms() - t0;
    return FT_OK;
}

/* Frame N's blendshapes and matrices run beside frame N+1's detection and
 * landmarks (the finish_ahead option, face/face_tracker.h): where the
 * landmark model runs on a GPU, the worker's thread mostly waits for the
 * device meanwhile, and the finish is CPU work that then costs the frame
 * nothing. Its state (the blendshape model's session, the geometry, the
 * due_ arrays) is the finish's alone. Left to the engine (-1),
 * FACETRACK_FINISH_AHEAD=1 or 0 decides instead of the device, for
 * comparison. */
static int wants_finish_ahead(const mediapipe *m)
{
    if (m->opt.finish_ahead >= 0)
        return m->opt.finish_ahead;
    return env_switch("FACETRACK_FINISH_AHEAD", m->place.gpu_device >= 0);
}

/* The detector beside the tracked faces' landmarks (face/face_tracker.h),
 * where the landmark model runs on a GPU: the detector runs on the CPU
 * (detector_place), so its ~2 ms a frame fill the wait for the device. The
 * two stages share nothing but the pool, whose calls take turns.
 * FACETRACK_DETECT_BESIDE=1 (or 0) decides instead, for comparison. */
static int wants_detect_beside(const mediapipe *m)
{
    return env_switch("FACETRACK_DETECT_BESIDE", m->place.gpu_device >= 0);
}

static void reset_stages(void *ctx)
{
    mediapipe *m = ctx;
    m->turned_frame = -m->opt.detect_interval; /* turned passes allowed at once */
}

static const char *stage_error(const void *ctx)
{
    const mediapipe *m = ctx;
    return m->detect_error[0] ? m->detect_error : m->error;
}

/* ----------------------------------------------------------------- class */

static void mediapipe_free(void *priv)
{
    mediapipe *m = priv;
    ft_face_tracker_free(m->tracker);
    ft_face_detector_free(m->detector);
    ft_face_detector_free(m->whole);
    ft_face_landmarker_free(m->landmarker);
    ft_face_blendshaper_free(m->blendshaper);
    ft_face_geometry_free(m->geometry);
    if (m->pool)
        pthreadpool_destroy(m->pool);
    free(m->due_norms);
    free(m->due_faces);
    free(m->due_scores);
}

static ft_status mediapipe_create(void *priv, const ft_face_options *o, char *err, size_t n)
{
    mediapipe *m = priv;
    m->opt = *o;
    m->due_norms = calloc((size_t)o->num_faces, sizeof *m->due_norms);
    m->due_faces = calloc((size_t)o->num_faces, sizeof *m->due_faces);
    m->due_scores = calloc((size_t)o->num_faces, sizeof *m->due_scores);
    /* threads: 1 = the caller's thread, 0 = one per CPU */
    if (o->threads != 1 && !(m->pool = pthreadpool_create(o->threads > 0 ? (size_t)o->threads : 0))) {
        snprintf(err, n, "cannot start %d inference threads", o->threads);
        return FT_ERR_NOMEM;
    }
    if (!m->due_norms || !m->due_faces || !m->due_scores) {
        snprintf(err, n, "out of memory");
        return FT_ERR_NOMEM;
    }
    /* On a GPU the pool still does the crops and warps on the host. */
    m->place = (ft_model_place){.pool = m->pool, .threads = 1, .gpu_device = o->gpu_device,
                                .gpu_fp16 = o->gpu_fp16};
    ft_status st = open_models(m, err, n);
    if (st != FT_OK)
        return st;
    const int points = ft_face_landmarker_count(m->landmarker);
    const ft_face_stages stages = {
        .ctx = m,
        .detect = detect,
        .max_detections = FT_DETECT_MAX_PER_TILE,
        .landmarks = landmarks,
        .next_roi = next_roi,
        .finish = finish,
        .reset = reset_stages,
        .error = stage_error,
        .scheme = points == 478 ? FT_LANDMARKS_478 : FT_LANDMARKS_468,
        .blendshapes = m->blendshaper != NULL,
        .finish_ahead = wants_finish_ahead(m),
        .detect_beside = wants_detect_beside(m),
    };
    return ft_face_tracker_create(o, &stages, &m->tracker, err, n);
}

static const char *const aliases[] = {"mediapipe", NULL};
static const char *const options[] = {
    "detector_model", "landmark_model", "blendshape_model", "geometry_model", "num_faces",
    "min_detection_confidence", "min_presence_confidence", "min_tracking_confidence", "video",
    "detect_interval", "max_tile_px", "smoothing", "smoothing_min_cutoff", "smoothing_beta",
    "smoothing_derivate_cutoff", "max_lost_frames", "blendshape_interval", "threads",
    "whole_frame_pass", "finish_ahead", NULL};

const ft_engine_class ft_mediapipe_landmarker_class = {
    .info = {.name = "mediapipe_landmarker",
             .aliases = aliases,
             .description = "MediaPipe face landmarker: 478 landmarks, 52 blendshapes, "
                            "transformation matrix and head pose",
             .source = "face_landmarker",
             .label = "face",
             .landmarks = FT_LANDMARKS_478,
             .blendshapes = 1,
             .pose = 1,
             .options = options},
    .priv_size = sizeof(mediapipe),
    .takes_device_frames = 1, /* its two models' warps read the frame */
    .create = mediapipe_create,
    FT_TRACKER_ENGINE_CALLS,
    .free = mediapipe_free,
};
