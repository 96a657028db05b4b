/* eos: the original's EOS engine. YuNet's boxes (face/yunet_detector.h) are
 * the faces, tracked by the shared tracker in its detection-only mode; each
 * face's box, clipped to the frame, is cropped for FaceMesh 468
 * (face/facemesh.h); the 68 iBUG points are means of fixed mesh point pairs
 * (face/mesh_to_ibug68.h); the Surrey Face Model is fitted to them in the
 * frame scaled to max_width (1280) as eos's fit_shape_and_pose
 * (face/eos_fit.h). A face carries the 68 points (z 0), the shape and
 * expression coefficients, the head pose of the fitted camera and jawOpen
 * from the points (the other blendshapes 0), as the original exported.
 * Faces the tracker repeats between detections (detect_every_n, the
 * original's STEP5_EOS_FIT_EVERY_N) repeat their last fit, as the
 * original reused its whole last detection list. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <pthreadpool.h>

#include "base/clock.h"
#include "engines/tracker_engine.h"
#include "face/eos_assets.h"
#include "face/eos_fit.h"
#include "face/face_tracker.h"
#include "face/facemesh.h"
#include "face/geometry.h"
#include "face/mesh_to_ibug68.h"
#include "face/yunet_detector.h"
#include "models/model_path.h"

#define MAX_DETECTIONS 64
#define EOS_MAX_WIDTH 1280
/* Faces whose last fit is kept for the frames between detections. */
#define MAX_KEPT 64

enum {
    SHAPE = FT_EOS_SHAPE_FILE,
    EXPRESSIONS = FT_EOS_EXPRESSIONS_FILE,
    MAPPER = FT_EOS_MAPPER_FILE,
    EDGES = FT_EOS_EDGES_FILE,
    CONTOUR = FT_EOS_CONTOUR_FILE,
    CONTOUR_LANDMARKS = FT_EOS_CONTOUR_LANDMARKS_FILE,
    FILES = FT_EOS_FILES
};
static const char *const file_names[FILES] = {
    "sfm_shape_3448.bin",         "expression_blendshapes_3448.bin", "ibug_to_sfm.txt",
    "sfm_3448_edge_topology.json", "sfm_model_contours.json",         "ibug_to_sfm.txt",
};

/* What a face's fit gave, kept by ID for the frames it is repeated. */
typedef struct kept_fit {
    int id, used;
    float points[FT_IBUG68_POINTS][2];
    ft_eos_fit fit;
    float jaw_open, error;
} kept_fit;

typedef struct eos_engine {
    ft_face_tracker *tracker; /* first: the class's calls are the tracker's */
    ft_face_options opt;
    pthreadpool_t pool; /* NULL: the caller's thread */
    ft_yunet_detector detector;
    ft_facemesh *mesh;
    const ft_eos_assets *assets; /* shared by the process's eos engines */
    ft_eos_fitter *fitter;
    int jaw_open; /* index of jawOpen among the blendshapes */
    const ft_face_image *frame; /* the frame being sent, for finish */
    int32_t points[FT_FACEMESH_POINTS][3];
    kept_fit kept[MAX_KEPT];
    char error[1280];
} eos_engine;

static ft_status detect(void *ctx, const ft_face_image *img, int tracked, int64_t frame,
                        ft_roi_detection *out, int capacity, int *found)
{
    (void)tracked;
    (void)frame;
    eos_engine *e = ctx;
    /* the original's internal YuNet scales the frame to 640 whatever the
     * EOS width */
    ft_status st = ft_yunet_detector_run(&e->detector, img, FT_YUNET_MAX_WIDTH, out, capacity, found);
    if (st != FT_OK)
        snprintf(e->error, sizeof e->error, "%s", e->detector.error);
    return st;
}

static kept_fit *kept_of(eos_engine *e, int id, int make)
{
    kept_fit *free_slot = NULL;
    for (int i = 0; i < MAX_KEPT; i++) {
        if (e->kept[i].used && e->kept[i].id == id)
            return &e->kept[i];
        if (!e->kept[i].used && !free_slot)
            free_slot = &e->kept[i];
    }
    if (!make)
        return NULL;
    if (!free_slot) { /* every slot taken: the oldest ID goes */
        free_slot = &e->kept[0];
        for (int i = 1; i < MAX_KEPT; i++)
            if (e->kept[i].id < free_slot->id)
                free_slot = &e->kept[i];
    }
    free_slot->used = 1;
    free_slot->id = id;
    return free_slot;
}

/* The face's 68 points and fit into K: mesh on its box, points, the model
 * fitted in the frame scaled to max_width (no fit, shape_count 0, when the
 * points are degenerate). *FITTED 0 when the box is off the frame. */
static ft_status fit_face(eos_engine *e, const ft_face_image *img, const ft_face *f, kept_fit *k,
                          int *fitted)
{
    *fitted = 0;
    const ft_crop_box box = {(int)f->box[0], (int)f->box[1], (int)f->box[2], (int)f->box[3]};
    ft_crop_box crop;
    if (!ft_facemesh_clip_box(&box, img->width, img->height, &crop))
        return FT_OK;
    ft_status st = ft_facemesh_run(e->mesh, img, &crop, e->points, NULL);
    if (st != FT_OK) {
        snprintf(e->error, sizeof e->error, "%s", ft_facemesh_error(e->mesh));
        return st;
    }
    ft_ibug68_from_mesh((const int32_t(*)[3])e->points, k->points);
    k->jaw_open = ft_ibug68_jaw_open((const float(*)[2])k->points);
    /* the original fits in its working frame: width max_width at most */
    const int max_width = e->opt.max_width > 0 ? e->opt.max_width : EOS_MAX_WIDTH;
    const float scale = img->width > max_width ? (float)max_width / (float)img->width : 1.0f;
    const int work_w = img->width > max_width ? max_width : img->width;
    const int work_h = img->width > max_width ? (int)((float)img->height * scale) : img->height;
    float work[FT_IBUG68_POINTS][2];
    for (int i = 0; i < FT_IBUG68_POINTS; i++) {
        work[i][0] = k->points[i][0] * scale;
        work[i][1] = k->points[i][1] * scale;
    }
    st = ft_eos_fitter_fit(e->fitter, (const float(*)[2])work, work_w, work_h, FT_EOS_ITERATIONS,
                           FT_EOS_LAMBDA_IDENTITY, 1, &k->fit);
    if (st == FT_ERR_INVALID_ARG) { /* degenerate points: the face keeps them, unfitted */
        memset(&k->fit, 0, sizeof k->fit);
        k->error = 0.0f;
        *fitted = 1;
        return FT_OK;
    }
    if (st != FT_OK) {
        snprintf(e->error, sizeof e->error, "eos: out of memory");
        return st;
    }
    /* how far the mesh lands from the points, in frame pixels */
    const float *mesh = ft_eos_fitter_mesh(e->fitter);
    double sum = 0;
    int n = 0;
    for (int i = 1; i <= FT_IBUG68_POINTS; i++) {
        const int v = e->assets->mapper.vertex_of[i];
        if (v < 0)
            continue;
        float p[2];
        ft_eos_project(&k->fit, mesh, v, work_h, p);
        sum += hypot(p[0] - work[i - 1][0], p[1] - work[i - 1][1]);
        n++;
    }
    k->error = n ? (float)(sum / n / scale) : 0.0f;
    *fitted = 1;
    return FT_OK;
}

/* K's results on the face F. */
static void apply_fit(eos_engine *e, const kept_fit *k, int iw, int ih, ft_face *f)
{
    f->landmark_scheme = FT_LANDMARKS_68;
    f->landmark_count = FT_IBUG68_POINTS;
    for (int i = 0; i < FT_IBUG68_POINTS; i++) {
        f->landmarks[i][0] = k->points[i][0];
        f->landmarks[i][1] = k->points[i][1];
        f->landmarks[i][2] = 0.0f;
        f->landmarks_norm[i][0] = k->points[i][0] / (float)iw;
        f->landmarks_norm[i][1] = k->points[i][1] / (float)ih;
        f->landmarks_norm[i][2] = 0.0f;
    }
    memset(f->blendshapes, 0, sizeof f->blendshapes);
    f->blendshapes[e->jaw_open] = k->jaw_open;
    f->has_blendshapes = 1;
    const ft_eos_fit *fit = &k->fit;
    if (fit->shape_count == 0)
        return; /* points without a fit */
    /* the fitted rotation as the transformation matrix (column-major); a
     * scaled orthographic camera has no depth, so no translation */
    memset(f->matrix, 0, sizeof f->matrix);
    for (int c = 0; c < 3; c++)
        for (int r = 0; r < 3; r++)
            f->matrix[c * 4 + r] = fit->rotation[r][c];
    f->matrix[15] = 1.0f;
    f->has_matrix = 1;
    ft_face_pose_angles(f->matrix, &f->yaw, &f->pitch, &f->roll);
    f->shape_coeff_count = fit->shape_count;
    memcpy(f->shape_coeffs, fit->shape, sizeof(float) * (size_t)fit->shape_count);
    f->expression_coeff_count = fit->expression_count;
    memcpy(f->expression_coeffs, fit->expression, sizeof(float) * (size_t)fit->expression_count);
    f->fit_error = k->error;
}

static ft_status finish(void *ctx, ft_face *faces, const int *blendshapes_due, int n, int iw,
                        int ih, ft_face_timings *timings)
{
    (void)blendshapes_due; /* jawOpen comes with every fit */
    eos_engine *e = ctx;
    const ft_face_image *img = e->frame;
    if (!img)
        return FT_OK;
    const double t0 = ft_now_ms();
    for (int i = 0; i < n; i++) {
        ft_face *f = &faces[i];
        f->shape_coeff_count = f->expression_coeff_count = 0;
        f->fit_error = 0.0f;
        kept_fit *k = f->detected ? NULL : kept_of(e, f->id, 0);
        if (!k) {
            k = kept_of(e, f->id, 1);
            int fitted = 0;
            ft_status st = fit_face(e, img, f, k, &fitted);
            if (st != FT_OK)
                return st;
            if (!fitted) {
                k->used = 0;
                continue;
            }
        }
        apply_fit(e, k, iw, ih, f);
    }
    /* forget the fits of faces no longer here */
    for (int s = 0; s < MAX_KEPT; s++) {
        int here = 0;
        for (int i = 0; i < n && !here; i++)
            here = e->kept[s].id == faces[i].id;
        if (!here)
            e->kept[s].used = 0;
    }
    timings->landmarks_ms += ft_now_ms() - t0;
    return FT_OK;
}

static ft_status eos_send(void *priv, const ft_face_image *image, int64_t timestamp_us)
{
    eos_engine *e = priv;
    e->frame = image;
    ft_status st = ft_tracker_engine_send(priv, image, timestamp_us);
    e->frame = NULL;
    return st;
}

static void eos_reset_stage(void *ctx)
{
    eos_engine *e = ctx;
    memset(e->kept, 0, sizeof e->kept);
}

static const char *stage_error(const void *ctx)
{
    return ((const eos_engine *)ctx)->error;
}

/* ----------------------------------------------------------------- class */

#define NAMED_BY "track's STEP5_YUNET_MODEL_PATH"

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* FILE in a folder of the model search path, or in its eos/ subfolder (where
 * eos's share/ files are kept beside the other models). */
static int find_eos_file(const char *file, char *path, size_t size)
{
    ft_model_dir dirs[16];
    const int n = ft_model_search_dirs(dirs, 16);
    for (int i = 0; i < n; i++) {
        const char *sub[2] = {"", "eos/"};
        for (int k = 0; k < 2; k++) {
            const int len = snprintf(path, size, "%s/%s%s", dirs[i].path, sub[k], file);
            if (len > 0 && (size_t)len < size && is_file(path))
                return 1;
        }
    }
    return 0;
}

/* Which file of ROLE to read: the option naming it; else that name in
 * eos_models_dir; else on the model search path. */
static int eos_file(const ft_face_options *o, int role, char *path, size_t size, char *why,
                    size_t n)
{
    const char *given[FILES] = {o ? o->eos_shape_model : NULL,
                                o ? o->eos_expression_model : NULL,
                                o ? o->eos_landmark_mapper : NULL,
                                o ? o->eos_edge_topology : NULL,
                                o ? o->eos_model_contour : NULL,
                                o ? o->eos_contour_landmarks : NULL};
    if (role == CONTOUR_LANDMARKS && !(given[role] && *given[role]))
        return eos_file(o, MAPPER, path, size, why, n);
    if (given[role] && *given[role]) {
        snprintf(path, size, "%s", given[role]);
        return 1;
    }
    if (o && o->eos_models_dir && *o->eos_models_dir) {
        snprintf(path, size, "%s/%s", o->eos_models_dir, file_names[role]);
        return 1; /* a missing file is the reader's error, naming it */
    }
    if (find_eos_file(file_names[role], path, size))
        return 1;
    if (why && n)
        snprintf(why, n,
                 "model %s not found on the model search path or its eos/ folder (add its "
                 "folder to FACETRACK_MODEL_PATH, or set STEP5_EOS_MODELS_DIR)",
                 file_names[role]);
    return 0;
}

static int eos_available(char *why, size_t n)
{
    char path[4096];
    if (!ft_yunet_default_model(path, sizeof path, NAMED_BY, why, n))
        return 0;
    if (ft_face_default_model("facemesh", path, sizeof path) != FT_OK) {
        if (why && n)
            snprintf(why, n,
                     "model facemesh_face_landmark.onnx not found on the model search path "
                     "(add its folder to FACETRACK_MODEL_PATH)");
        return 0;
    }
    for (int role = 0; role < FILES; role++)
        if (!eos_file(NULL, role, path, sizeof path, why, n))
            return 0;
    return 1;
}

static void eos_free(void *priv)
{
    eos_engine *e = priv;
    ft_face_tracker_free(e->tracker);
    ft_yunet_detector_close(&e->detector);
    ft_facemesh_free(e->mesh);
    ft_eos_fitter_free(e->fitter);
    ft_eos_assets_release(e->assets);
    if (e->pool)
        pthreadpool_destroy(e->pool);
}

static ft_status load_model(eos_engine *e, const ft_face_options *o, char *err, size_t n)
{
    char paths[FILES][4096];
    const char *list[FILES];
    for (int role = 0; role < FILES; role++) {
        if (!eos_file(o, role, paths[role], sizeof paths[role], err, n))
            return FT_ERR_NOT_FOUND;
        list[role] = paths[role];
    }
    ft_status st = ft_eos_assets_acquire(list, &e->assets, err, n);
    if (st != FT_OK)
        return st;
    const ft_eos_assets *a = e->assets;
    return ft_eos_fitter_create(&a->model, &a->mapper, &a->contour, &a->edges, &e->fitter, err,
                                n);
}

static ft_status eos_create(void *priv, const ft_face_options *o, char *err, size_t n)
{
    eos_engine *e = priv;
    e->opt = *o;
    e->jaw_open = -1;
    for (int i = 0; i < FT_FACE_BLENDSHAPE_COUNT; i++)
        if (strcmp(ft_face_blendshape_name(i), "jawOpen") == 0)
            e->jaw_open = i;
    if (e->jaw_open < 0) {
        snprintf(err, n, "no jawOpen among the blendshape names");
        return FT_ERR_INVALID_ARG;
    }
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
    if (o->landmark_model && *o->landmark_model) {
        snprintf(path, sizeof path, "%s", o->landmark_model);
    } else if (ft_face_default_model("facemesh", path, sizeof path) != FT_OK) {
        snprintf(err, n,
                 "model facemesh_face_landmark.onnx not found on the model search path (add "
                 "its folder to FACETRACK_MODEL_PATH)");
        return FT_ERR_NOT_FOUND;
    }
    if ((st = ft_facemesh_create_on(path, &place, &e->mesh, err, n)) != FT_OK)
        return st;
    if ((st = load_model(e, o, err, n)) != FT_OK)
        return st;
    const ft_face_stages stages = {
        .ctx = e,
        .detect = detect,
        .max_detections = MAX_DETECTIONS,
        .finish = finish,
        .reset = eos_reset_stage,
        .error = stage_error,
        .scheme = FT_LANDMARKS_5,
        .blendshapes = 1,
        .detections_are_faces = 1,
    };
    return ft_face_tracker_create(o, &stages, &e->tracker, err, n);
}

static const char *const no_aliases[] = {NULL};
static const char *const options[] = {
    "detector_model", "landmark_model", "eos_models_dir", "eos_shape_model",
    "eos_expression_model", "eos_landmark_mapper", "eos_edge_topology", "eos_model_contour",
    "eos_contour_landmarks", "num_faces", "min_tracking_confidence", "video", "detect_every_n",
    "max_width", "smoothing", "smoothing_min_cutoff", "smoothing_beta",
    "smoothing_derivate_cutoff", "max_lost_frames", "threads", NULL};

const ft_engine_class ft_eos_class = {
    .info = {.name = "eos",
             .aliases = no_aliases,
             .description = "EOS 3D morphable model fitting on 68 landmarks (YuNet, FaceMesh)",
             .source = "face_landmarker",
             .label = "face",
             .landmarks = FT_LANDMARKS_68,
             .blendshapes = 1,
             .pose = 1,
             .options = options},
    .available = eos_available,
    .available_with_model = 1,
    .priv_size = sizeof(eos_engine),
    .create = eos_create,
    /* FT_TRACKER_ENGINE_CALLS, with send keeping the frame for the fits */
    .send = eos_send,
    .receive = ft_tracker_engine_receive,
    .signal_cut = ft_tracker_engine_signal_cut,
    .reset = ft_tracker_engine_reset,
    .timings = ft_tracker_engine_timings,
    .error = ft_tracker_engine_error,
    .free = eos_free,
};
