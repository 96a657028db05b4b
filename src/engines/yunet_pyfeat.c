/* opencv_yunet_pyfeat: the original's YuNet + FaceMesh + py-feat engine.
 * YuNet's boxes (face/yunet_detector.h, every frame as the original) are
 * the faces, tracked by the shared tracker in its detection-only mode; each
 * face's box, clipped to the frame, is cropped for FaceMesh 468
 * (face/facemesh.h), whose integer frame-pixel points are padded to 478 by
 * repeating the last, as the original exported them; the blendshapes come
 * from MediaPipe's blendshape network on the 146-point subset of the mesh
 * (py-feat's mp_blendshapes weights are that network), computed every
 * blendshape_interval frames per face by the tracker's schedule. The
 * network reads the iris points too: it gets irises estimated from the
 * eyes (ft_facemesh_estimate_irises), not the padding, which leaves
 * jawOpen near 0.02 whatever the mouth does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthreadpool.h>

#include "base/clock.h"
#include "engines/tracker_engine.h"
#include "face/blendshapes.h"
#include "face/face_tracker.h"
#include "face/facemesh.h"
#include "face/yunet_detector.h"

#define MAX_DETECTIONS 64
/* The original pads the 468 mesh points to MediaPipe's 478 (the iris
 * points repeat the last mesh point) before the blendshapes and export. */
#define PADDED_POINTS 478

typedef struct yunet_pyfeat {
    ft_face_tracker *tracker; /* first: the class's calls are the tracker's */
    ft_face_options opt;
    pthreadpool_t pool; /* NULL: the caller's thread */
    ft_yunet_detector detector;
    ft_facemesh *mesh;
    ft_face_blendshaper *blendshaper; /* NULL: blendshapes disabled ("") */
    /* The frame being sent: the mesh runs in the tracker's finish stage,
     * which sees the frame only through this. */
    const ft_face_image *frame;
    int32_t points[FT_FACEMESH_POINTS][3];
    const float (*due_norms[MAX_DETECTIONS])[3];
    float (*blend_points)[PADDED_POINTS][3]; /* per due face: mesh + irises */
    int due_faces[MAX_DETECTIONS];
    float (*due_scores)[FT_FACE_BLENDSHAPES];
    char error[1280];
} yunet_pyfeat;

static ft_status detect(void *ctx, const ft_face_image *img, int tracked, int64_t frame,
                        ft_roi_detection *out, int capacity, int *found)
{
    (void)tracked;
    (void)frame;
    yunet_pyfeat *e = ctx;
    ft_status st = ft_yunet_detector_run(&e->detector, img, e->opt.max_width, out, capacity, found);
    if (st != FT_OK)
        snprintf(e->error, sizeof e->error, "%s", e->detector.error);
    return st;
}

/* The face's mesh from its box: whole pixels as the original's box, clipped
 * to the frame, the points padded to 478. 0 when the box is off the frame
 * (the face then keeps YuNet's 5 keypoints). */
static ft_status mesh_face(yunet_pyfeat *e, const ft_face_image *img, ft_face *f, int *meshed)
{
    *meshed = 0;
    const ft_crop_box box = {(int)f->box[0], (int)f->box[1], (int)f->box[2], (int)f->box[3]};
    ft_crop_box crop;
    if (!ft_facemesh_clip_box(&box, img->width, img->height, &crop))
        return FT_OK;
    ft_status st = ft_facemesh_run(e->mesh, img, &crop, e->points, NULL);
    if (st != FT_OK) {
        snprintf(e->error, sizeof e->error, "%s", ft_facemesh_error(e->mesh));
        return st;
    }
    const float iw = (float)img->width, ih = (float)img->height;
    for (int i = 0; i < PADDED_POINTS; i++) {
        const int32_t *p = e->points[i < FT_FACEMESH_POINTS ? i : FT_FACEMESH_POINTS - 1];
        for (int k = 0; k < 3; k++)
            f->landmarks[i][k] = (float)p[k];
        f->landmarks_norm[i][0] = (float)p[0] / iw;
        f->landmarks_norm[i][1] = (float)p[1] / ih;
        f->landmarks_norm[i][2] = (float)p[2] / iw;
    }
    f->landmark_scheme = FT_LANDMARKS_478;
    f->landmark_count = PADDED_POINTS;
    *meshed = 1;
    return FT_OK;
}

static ft_status finish(void *ctx, ft_face *faces, const int *blendshapes_due, int n, int iw,
                        int ih, ft_face_timings *timings)
{
    yunet_pyfeat *e = ctx;
    (void)iw;
    (void)ih;
    const ft_face_image *img = e->frame;
    if (!img)
        return FT_OK;
    int due = 0;
    const double t0 = ft_now_ms();
    for (int i = 0; i < n; i++) {
        int meshed = 0;
        ft_status st = mesh_face(e, img, &faces[i], &meshed);
        if (st != FT_OK)
            return st;
        if (meshed && blendshapes_due[i] && e->blendshaper && due < MAX_DETECTIONS) {
            float(*p)[3] = e->blend_points[due];
            memcpy(p, faces[i].landmarks_norm, sizeof(float) * 3 * FT_FACEMESH_POINTS);
            ft_facemesh_estimate_irises((const float(*)[3])p, p + FT_FACEMESH_POINTS);
            e->due_norms[due] = (const float(*)[3])p;
            e->due_faces[due++] = i;
        }
    }
    const double t1 = ft_now_ms();
    timings->landmarks_ms += t1 - t0;
    if (due == 0)
        return FT_OK;
    ft_status st = ft_face_blendshapes_compute_batch(e->blendshaper, e->due_norms, PADDED_POINTS,
                                                     img->width, img->height, due, e->due_scores);
    timings->blendshapes_ms += ft_now_ms() - t1;
    if (st != FT_OK) {
        snprintf(e->error, sizeof e->error, "%s", ft_face_blendshaper_error(e->blendshaper));
        return st;
    }
    for (int k = 0; k < due; k++) {
        ft_face *f = &faces[e->due_faces[k]];
        memcpy(f->blendshapes, e->due_scores[k], sizeof f->blendshapes);
        f->has_blendshapes = 1;
    }
    return FT_OK;
}

static ft_status pyfeat_send(void *priv, const ft_face_image *image, int64_t timestamp_us)
{
    yunet_pyfeat *e = priv;
    e->frame = image;
    ft_status st = ft_tracker_engine_send(priv, image, timestamp_us);
    e->frame = NULL;
    return st;
}

static const char *stage_error(const void *ctx)
{
    return ((const yunet_pyfeat *)ctx)->error;
}

/* ----------------------------------------------------------------- class */

#define NAMED_BY "track's STEP5_YUNET_MODEL_PATH"

static int find_model(const char *role, const char *file, char *path, size_t size, char *why,
                      size_t n)
{
    if (ft_face_default_model(role, path, size) == FT_OK)
        return 1;
    if (why && n)
        snprintf(why, n,
                 "model %s not found on the model search path (add its folder to "
                 "FACETRACK_MODEL_PATH)",
                 file);
    return 0;
}

static int pyfeat_available(char *why, size_t n)
{
    char path[4096];
    return ft_yunet_default_model(path, sizeof path, NAMED_BY, why, n) &&
           find_model("facemesh", "facemesh_face_landmark.onnx", path, sizeof path, why, n) &&
           find_model("mesh_blendshapes", "face_blendshapes.onnx", path, sizeof path, why, n);
}

static void pyfeat_free(void *priv)
{
    yunet_pyfeat *e = priv;
    ft_face_tracker_free(e->tracker);
    ft_yunet_detector_close(&e->detector);
    ft_facemesh_free(e->mesh);
    ft_face_blendshaper_free(e->blendshaper);
    free(e->due_scores);
    free(e->blend_points);
    if (e->pool)
        pthreadpool_destroy(e->pool);
}

/* The model named in the options, else the default of ROLE. */
static int model_path(const char *given, const char *role, const char *file, char *path,
                      size_t size, char *err, size_t n)
{
    if (given && *given) {
        snprintf(path, size, "%s", given);
        return 1;
    }
    return find_model(role, file, path, size, err, n);
}

static ft_status pyfeat_create(void *priv, const ft_face_options *o, char *err, size_t n)
{
    yunet_pyfeat *e = priv;
    e->opt = *o;
    char path[4096];
    if (o->detector_model && *o->detector_model)
        snprintf(path, sizeof path, "%s", o->detector_model);
    else if (!ft_yunet_default_model(path, sizeof path, NAMED_BY, err, n))
        return FT_ERR_NOT_FOUND;
    if (o->threads != 1 && !(e->pool = pthreadpool_create(o->threads > 0 ? (size_t)o->threads : 0))) {
        snprintf(err, n, "cannot start %d inference threads", o->threads);
        return FT_ERR_NOMEM;
    }
    const ft_model_place place = {.pool = e->pool, .threads = 1,
                                  .gpu_device = o->gpu_device, .gpu_fp16 = o->gpu_fp16};
    ft_status st = ft_yunet_detector_open(&e->detector, path, &place, err, n);
    if (st != FT_OK)
        return st;
    if (!model_path(o->landmark_model, "facemesh", "facemesh_face_landmark.onnx", path,
                    sizeof path, err, n))
        return FT_ERR_NOT_FOUND;
    if ((st = ft_facemesh_create_on(path, &place, &e->mesh, err, n)) != FT_OK)
        return st;
    /* "" turns the blendshapes off (nothing asks for them) */
    const int blendshapes = !(o->blendshape_model && !*o->blendshape_model);
    if (blendshapes) {
        if (!model_path(o->blendshape_model, "mesh_blendshapes", "face_blendshapes.onnx", path,
                        sizeof path, err, n))
            return FT_ERR_NOT_FOUND;
        st = ft_face_blendshaper_create_on(path, &place, &e->blendshaper, err, n);
        if (st != FT_OK)
            return st;
        e->due_scores = calloc(MAX_DETECTIONS, sizeof *e->due_scores);
        e->blend_points = calloc(MAX_DETECTIONS, sizeof *e->blend_points);
        if (!e->due_scores || !e->blend_points) {
            snprintf(err, n, "out of memory");
            return FT_ERR_NOMEM;
        }
    }
    const ft_face_stages stages = {
        .ctx = e,
        .detect = detect,
        .max_detections = MAX_DETECTIONS,
        .finish = finish,
        .error = stage_error,
        .scheme = FT_LANDMARKS_5,
        .blendshapes = blendshapes,
        .detections_are_faces = 1,
        .pose_from_landmarks = 1,
    };
    return ft_face_tracker_create(o, &stages, &e->tracker, err, n);
}

static const char *const no_aliases[] = {NULL};
static const char *const options[] = {
    "detector_model", "geometry_model", "landmark_model", "blendshape_model", "num_faces",
    "min_tracking_confidence", "video", "detect_every_n", "max_width", "smoothing",
    "smoothing_min_cutoff", "smoothing_beta", "smoothing_derivate_cutoff", "max_lost_frames",
    "blendshape_interval", "threads", NULL};

const ft_engine_class ft_opencv_yunet_pyfeat_class = {
    .info = {.name = "opencv_yunet_pyfeat",
             .aliases = no_aliases,
             .description = "YuNet boxes, FaceMesh 468 (padded to 478) and blendshapes",
             .source = "face_landmarker",
             .label = "face",
             .landmarks = FT_LANDMARKS_468,
             .pose = 1,
             .blendshapes = 1,
             .options = options},
    .available = pyfeat_available,
    .available_with_model = 1,
    .priv_size = sizeof(yunet_pyfeat),
    .create = pyfeat_create,
    /* FT_TRACKER_ENGINE_CALLS, with send keeping the frame for the mesh */
    .send = pyfeat_send,
    .receive = ft_tracker_engine_receive,
    .signal_cut = ft_tracker_engine_signal_cut,
    .reset = ft_tracker_engine_reset,
    .timings = ft_tracker_engine_timings,
    .error = ft_tracker_engine_error,
    .free = pyfeat_free,
};
