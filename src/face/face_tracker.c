/* The shared tracking policy (see face_tracker.h): spec §2.4's loop, with
 * re-detection on loss, on a schedule and after cuts. */
#include "face/face_tracker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/format_error.h"
#include "base/thread_pool.h"
#include "face/geometry.h"
#include "face/one_euro.h"
#include "face/pose_from_points.h"
#include "face/tracker.h"

/* A landmark ROI to run this frame: a tracked face's, or a new detection's.
 * Its ROI and landmarks live in the tracker's parallel arrays, so that the
 * landmarks stage gets them as one batch. */
typedef struct candidate {
    int track;             /* index into tracks, or -1 for a new face */
    float detection_score; /* of a detection, or -1 */
    int detected;
    int accepted;
    int rejected;          /* run, and the presence test failed */
    ft_box box;            /* landmarks' bounds once run */
} candidate;

/* A frame whose finish stage (blendshapes, matrices, poses) runs on a
 * thread of its own while the caller's thread detects and runs the
 * landmarks of the next frame: on a GPU the caller mostly waits for the
 * device then, and the finish is CPU work. Its faces, their tracks and the
 * tracks' generations are copies; what it learns goes into the tracks when
 * the next frame collects it, in the order a frame-at-a-time run has. */
typedef struct finish_ahead {
    ft_thread_pool *thread;  /* of one thread */
    const ft_face_tracker *tracker;
    int under_way;           /* a finish submitted and not collected */
    ft_status status;        /* what the finish gave */
    ft_face_timings spent;   /* its time, added to the tracker's when collected */
    ft_face *faces;          /* the frame being finished, num_faces */
    ft_face *out;            /* the finished frame waiting to be received */
    int *face_track, *due;
    unsigned *generation;
    int count, iw, ih;
    int64_t timestamp;
} finish_ahead;

/* The detector on a thread of its own while the caller's thread runs the
 * tracked faces' landmarks (stages.detect_beside); the new faces it finds
 * get theirs after. */
typedef struct detect_beside {
    ft_thread_pool *thread; /* of one thread */
    const ft_face_tracker *tracker; /* its detections are written in t->dets */
    const ft_face_image *image;
    int tracked, found;
    int64_t frame;
    ft_status status;
    double ms;
} detect_beside;

static finish_ahead *make_ahead(ft_face_tracker *t);
static void free_ahead(finish_ahead *a);
static void drop_finish(finish_ahead *a);
static void make_beside(ft_face_tracker *t);
static void free_beside(detect_beside *b);

struct ft_face_tracker {
    ft_face_options opt;
    ft_face_stages stages;
    ft_one_euro_params smooth;
    int smoothing;
    int track_cap;
    ft_track *tracks;
    int cand_cap;          /* num_faces + max_detections */
    candidate *cands;
    ft_norm_rect *rois;    /* per candidate */
    ft_face_landmarks *lms; /* per candidate */
    ft_roi_detection *dets;
    ft_face *faces;        /* the frame's output, num_faces */
    int *face_track;       /* per output face: its track */
    int *blendshapes_due;  /* per output face */
    int next_id;
    int64_t frame;         /* frames since the last reset */
    int frames_since_detect;
    int need_detect; /* a face was lost, or a cut was signalled */
    int det_count;   /* detections_are_faces: the last detection's faces */
    /* the one finished frame waiting to be received */
    int held, held_count, drained;
    int64_t held_timestamp;
    unsigned *track_generation; /* per track slot: bumped when it starts a new face */
    finish_ahead *ahead;        /* stages.finish_ahead: frame N's finish beside frame N+1 */
    detect_beside *beside;      /* stages.detect_beside */
    ft_face_timings timings;
    ft_face_geometry *pose_geometry; /* pose_from_landmarks: the canonical face */
    char error[768];
};

/* The canonical face for poses fitted from landmarks: the geometry_model
 * option, else the default on the model search path; "" or no default
 * found leaves the faces without a pose, an explicit file that does not
 * load is an error. */
static ft_status open_pose_geometry(ft_face_tracker *t, char *err, size_t err_size)
{
    const char *option = t->opt.geometry_model;
    char path[4096];
    if (option && !*option)
        return FT_OK;
    if (option)
        snprintf(path, sizeof path, "%s", option);
    else if (ft_face_default_model("geometry", path, sizeof path) != FT_OK)
        return FT_OK;
    return ft_face_geometry_load(path, &t->pose_geometry, err, err_size);
}

ft_status ft_face_tracker_create(const ft_face_options *o, const ft_face_stages *stages,
                                 ft_face_tracker **out, char *err, size_t err_size)
{
    *out = NULL;
    if (!stages->detect || stages->max_detections < 1 ||
        (!stages->detections_are_faces && (!stages->landmarks || !stages->next_roi)))
        return ft_format_error(err, err_size, FT_ERR_INVALID_ARG, "%s", "face tracker: incomplete stages");
    ft_face_tracker *t = calloc(1, sizeof *t);
    if (!t)
        return ft_format_error(err, err_size, FT_ERR_NOMEM, "%s", "out of memory");
    t->opt = *o;
    t->stages = *stages;
    t->smoothing = o->smoothing < 0 ? o->video : o->smoothing != 0;
    t->smooth = (ft_one_euro_params){30.0f, o->smoothing_min_cutoff, o->smoothing_beta,
                                     o->smoothing_derivate_cutoff};
    t->track_cap = 2 * o->num_faces + 8;
    t->cand_cap = o->num_faces + stages->max_detections;
    t->tracks = calloc((size_t)t->track_cap, sizeof *t->tracks);
    t->cands = calloc((size_t)t->cand_cap, sizeof *t->cands);
    t->rois = calloc((size_t)t->cand_cap, sizeof *t->rois);
    t->lms = calloc((size_t)t->cand_cap, sizeof *t->lms);
    t->dets = calloc((size_t)stages->max_detections, sizeof *t->dets);
    t->faces = calloc((size_t)o->num_faces, sizeof *t->faces);
    t->face_track = calloc((size_t)o->num_faces, sizeof *t->face_track);
    t->blendshapes_due = calloc((size_t)o->num_faces, sizeof *t->blendshapes_due);
    t->track_generation = calloc((size_t)t->track_cap, sizeof *t->track_generation);
    if (!t->tracks || !t->cands || !t->rois || !t->lms || !t->dets || !t->faces ||
        !t->face_track || !t->blendshapes_due || !t->track_generation) {
        ft_face_tracker_free(t);
        return ft_format_error(err, err_size, FT_ERR_NOMEM, "%s", "out of memory");
    }
    if (stages->pose_from_landmarks) {
        const ft_status st = open_pose_geometry(t, err, err_size);
        if (st != FT_OK) {
            ft_face_tracker_free(t);
            return st;
        }
    }
    ft_face_tracker_reset(t);
    /* Video only: a picture resets the tracker, and so its finish, each
     * time, and has no tracked faces for the detector to run beside. */
    if (stages->finish_ahead && o->video)
        make_ahead(t);
    if (stages->detect_beside && o->video)
        make_beside(t);
    *out = t;
    return FT_OK;
}

void ft_face_tracker_free(ft_face_tracker *t)
{
    if (!t)
        return;
    free_ahead(t->ahead); /* the threads first: they read the stages */
    free_beside(t->beside);
    free(t->tracks);
    free(t->cands);
    free(t->rois);
    free(t->lms);
    free(t->dets);
    free(t->faces);
    free(t->face_track);
    free(t->blendshapes_due);
    free(t->track_generation);
    ft_face_geometry_free(t->pose_geometry);
    free(t);
}

const char *ft_face_tracker_error(const ft_face_tracker *t)
{
    return t ? t->error : "";
}

void ft_face_tracker_timings(const ft_face_tracker *t, ft_face_timings *out)
{
    *out = t->timings;
}

void ft_face_tracker_reset(ft_face_tracker *t)
{
    if (t->ahead)
        drop_finish(t->ahead);
    for (int i = 0; i < t->track_cap; i++) {
        t->tracks[i].state = FT_TRACK_FREE;
        t->track_generation[i]++;
    }
    t->next_id = 0;
    t->need_detect = 1;
    t->frames_since_detect = 0;
    t->det_count = 0;
    t->frame = 0;
    t->held = 0;
    t->drained = 0;
    if (t->stages.reset)
        t->stages.reset(t->stages.ctx);
}

void ft_face_tracker_signal_cut(ft_face_tracker *t)
{
    /* A new shot shows other people (or the same from elsewhere): no
     * identity carries over a cut. */
    for (int i = 0; i < t->track_cap; i++) {
        t->tracks[i].state = FT_TRACK_FREE;
        t->track_generation[i]++;
    }
    t->need_detect = 1;
}

static ft_status stage_failed(ft_face_tracker *t, ft_status st)
{
    snprintf(t->error, sizeof t->error, "%s",
             t->stages.error ? t->stages.error(t->stages.ctx) : ft_status_str(st));
    return st;
}

/* The tracked faces' ROIs for this frame. */
static int tracked_candidates(ft_face_tracker *t)
{
    int n = 0;
    for (int i = 0; i < t->track_cap && n < t->opt.num_faces; i++)
        if (t->tracks[i].state == FT_TRACK_ACTIVE) {
            t->rois[n] = t->tracks[i].next_roi;
            t->cands[n++] = (candidate){.track = i, .detection_score = -1.0f};
        }
    return n;
}

/* Appends to the candidates [0..*count) the FOUND detections (in t->dets)
 * that no live candidate explains (SKIP_REJECTED: one whose landmarks
 * failed the presence test is not live); a detection on a tracked face
 * confirms it instead. */
static void merge_detections(ft_face_tracker *t, const ft_face_image *img, int *count, int found,
                             int skip_rejected)
{
    int n = *count;
    for (int d = 0; d < found && n < t->cand_cap; d++) {
        const ft_norm_rect roi = t->dets[d].roi;
        const ft_box box = ft_box_of_roi(&roi, img->width, img->height);
        int same = -1;
        for (int c = 0; c < n && same < 0; c++) {
            if (skip_rejected && t->cands[c].rejected)
                continue;
            const ft_box other = ft_box_of_roi(&t->rois[c], img->width, img->height);
            if (ft_box_iou(&box, &other) > t->opt.min_tracking_confidence)
                same = c;
        }
        if (same >= 0) { /* a tracked face (or a duplicate detection) */
            if (t->cands[same].detection_score < 0) {
                t->cands[same].detection_score = t->dets[d].score;
                t->cands[same].detected = 1;
            }
            continue;
        }
        t->rois[n] = roi;
        t->cands[n++] = (candidate){.track = -1, .detection_score = t->dets[d].score,
                                    .detected = 1};
    }
    *count = n;
}

static int tracked_among(const ft_face_tracker *t, int n)
{
    int tracked = 0;
    for (int c = 0; c < n; c++)
        tracked += t->cands[c].track >= 0;
    return tracked;
}

/* The detector on the frame, then its detections among the candidates
 * [0..*count). */
static ft_status add_detections(ft_face_tracker *t, const ft_face_image *img, int *count)
{
    t->frames_since_detect = 0;
    t->need_detect = 0;
    int found = 0;
    const double t0 = ft_now_ms();
    ft_status st = t->stages.detect(t->stages.ctx, img, tracked_among(t, *count), t->frame,
                                    t->dets, t->stages.max_detections, &found);
    t->timings.detection_ms += ft_now_ms() - t0;
    if (st != FT_OK)
        return stage_failed(t, st);
    merge_detections(t, img, count, found, 1);
    return FT_OK;
}

static ft_status run_landmarks(ft_face_tracker *t, const ft_face_image *img, int from, int to);

/* ------------------------------------------------------- detect beside */

static void detect_job(void *arg)
{
    detect_beside *b = arg;
    const ft_face_tracker *t = b->tracker;
    const double t0 = ft_now_ms();
    b->found = 0;
    b->status = t->stages.detect(t->stages.ctx, b->image, b->tracked, b->frame, t->dets,
                                 t->stages.max_detections, &b->found);
    b->ms = ft_now_ms() - t0;
}

static void free_beside(detect_beside *b)
{
    if (!b)
        return;
    if (b->thread)
        ft_thread_pool_destroy(b->thread);
    free(b);
}

/* The detector's thread of T; none when lacking memory or a thread (the
 * detector then runs before the landmarks, as without it). */
static void make_beside(ft_face_tracker *t)
{
    detect_beside *b = calloc(1, sizeof *b);
    if (b && ft_thread_pool_create(1, &b->thread) == FT_OK) {
        b->tracker = t;
        t->beside = b;
    } else {
        free_beside(b);
    }
}

/* The detector on its thread while the tracked candidates [0..*count) get
 * their landmarks here, then the new faces it found get theirs: the same
 * candidates, detections and landmarks as detecting first (a candidate's
 * landmarks do not depend on the others run with it), in the time of the
 * longer of the two. */
static ft_status detect_beside_landmarks(ft_face_tracker *t, const ft_face_image *img, int *count)
{
    detect_beside *b = t->beside;
    t->frames_since_detect = 0;
    t->need_detect = 0;
    b->image = img;
    b->tracked = tracked_among(t, *count);
    b->frame = t->frame;
    if (ft_thread_pool_submit(b->thread, detect_job, b) != FT_OK)
        detect_job(b);
    ft_status st = run_landmarks(t, img, 0, *count);
    ft_thread_pool_wait(b->thread); /* it reads IMG and writes t->dets */
    t->timings.detection_ms += b->ms;
    if (st != FT_OK)
        return st;
    if (b->status != FT_OK)
        return stage_failed(t, b->status);
    /* As detecting first would have: no candidate had run, so none was
     * rejected yet. */
    const int before = *count;
    merge_detections(t, img, count, b->found, 0);
    return run_landmarks(t, img, before, *count);
}

static void lose_track(ft_face_tracker *t, ft_track *track)
{
    track->state = FT_TRACK_LOST;
    track->lost_frames = 0;
    t->need_detect = 1;
}

/* Landmarks for candidates [from, to), as one batch; presence gates them
 * (strict >). */
static ft_status run_landmarks(ft_face_tracker *t, const ft_face_image *img, int from, int to)
{
    if (to <= from)
        return FT_OK;
    const double t0 = ft_now_ms();
    ft_status st = t->stages.landmarks(t->stages.ctx, img, &t->rois[from], to - from, &t->lms[from]);
    t->timings.landmarks_ms += ft_now_ms() - t0;
    if (st != FT_OK)
        return stage_failed(t, st);
    for (int i = from; i < to; i++) {
        candidate *c = &t->cands[i];
        const ft_face_landmarks *lm = &t->lms[i];
        c->accepted = lm->presence > t->opt.min_presence_confidence;
        c->rejected = !c->accepted;
        c->box = ft_box_of_points((const float(*)[3])lm->norm, lm->count);
        if (c->rejected && c->track >= 0)
            lose_track(t, &t->tracks[c->track]);
    }
    return FT_OK;
}

/* Two accepted candidates on one face: keep one. */
static void deduplicate(ft_face_tracker *t, int n)
{
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n && t->cands[i].accepted; j++) {
            candidate *a = &t->cands[i], *b = &t->cands[j];
            if (!b->accepted || ft_box_iou(&a->box, &b->box) <= 0.5f)
                continue;
            int drop_a;
            if (a->track >= 0 && b->track >= 0)
                drop_a = ft_track_pick_survivor(&t->tracks[a->track], &a->box,
                                                &t->tracks[b->track], &b->box) == 1;
            else
                drop_a = a->track < 0 && (b->track >= 0 || b->detection_score > a->detection_score);
            candidate *drop = drop_a ? a : b;
            drop->accepted = 0;
            if (drop->track >= 0)
                lose_track(t, &t->tracks[drop->track]);
        }
}

static int free_track_slot(ft_face_tracker *t)
{
    int oldest = -1;
    for (int i = 0; i < t->track_cap; i++) {
        if (t->tracks[i].state == FT_TRACK_FREE)
            return i;
        if (t->tracks[i].state == FT_TRACK_LOST &&
            (oldest < 0 || t->tracks[i].lost_frames > t->tracks[oldest].lost_frames))
            oldest = i;
    }
    return oldest; /* forget the longest-lost face */
}

/* A new face: the lost face it continues, else a new identity. */
static int adopt(ft_face_tracker *t, const candidate *c)
{
    int k = ft_track_reidentify(t->tracks, t->track_cap, &c->box);
    if (k < 0) {
        k = free_track_slot(t);
        if (k < 0)
            return -1;
        t->tracks[k] = (ft_track){.id = t->next_id++};
    }
    ft_track *tr = &t->tracks[k];
    tr->state = FT_TRACK_LOST; /* observe() treats it as a fresh sighting */
    tr->filters_ready = 0;
    tr->blendshapes_age = -1;
    t->track_generation[k]++;
    return k;
}

/* Smoothed landmarks (spec §6: in pixels x W, y H, z W) and the box. */
static void fill_face(ft_face_tracker *t, const candidate *c, const ft_face_landmarks *lm,
                      ft_track *tr, int64_t ts_us, int iw, int ih, ft_face *f)
{
    const int n = lm->count;
    float (*px)[3] = f->landmarks_norm; /* scratch in pixel units first */
    for (int i = 0; i < n; i++) {
        px[i][0] = lm->norm[i][0] * (float)iw;
        px[i][1] = lm->norm[i][1] * (float)ih;
        px[i][2] = lm->norm[i][2] * (float)iw;
    }
    if (t->smoothing) {
        if (!tr->filters_ready) {
            for (int i = 0; i < 3 * n; i++)
                ft_one_euro_reset(&tr->filters[i], &t->smooth);
            tr->filters_ready = 1;
        }
        ft_one_euro_apply_points(tr->filters, &t->smooth, px, n, ts_us * 1000);
    }
    f->id = tr->id;
    f->detection_score = tr->detection_score;
    f->presence = lm->presence;
    f->detected = c->detected;
    f->landmark_scheme = t->stages.scheme;
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
    f->has_blendshapes = 0;
    f->has_matrix = 0;
    f->yaw = f->pitch = f->roll = 0.0f;
}

/* With pose_from_landmarks, the pose of every face the finish stage left
 * without one: MediaPipe's geometry pipeline for a face mesh, a
 * perspective-n-point fit of named points otherwise. A face whose fit fails
 * (points collapsed) simply has no pose. */
static void fit_poses(const ft_face_tracker *t, ft_face *faces, int n, int iw, int ih,
                      ft_face_timings *timings)
{
    if (!t->pose_geometry)
        return;
    const double t0 = ft_now_ms();
    for (int i = 0; i < n; i++) {
        ft_face *f = &faces[i];
        if (f->has_matrix)
            continue;
        ft_status st = FT_ERR_UNSUPPORTED;
        if (f->landmark_count >= FT_FACE_GEOMETRY_VERTICES)
            st = ft_face_geometry_pose(t->pose_geometry, (const float(*)[3])f->landmarks_norm,
                                       f->landmark_count, iw, ih, f->matrix, NULL);
        else if (ft_pose_points_supported(f->landmark_scheme))
            st = ft_face_pose_from_points(t->pose_geometry, f->landmark_scheme,
                                          (const float(*)[3])f->landmarks, f->landmark_count, iw,
                                          ih, f->matrix, NULL);
        f->has_matrix = st == FT_OK;
        if (f->has_matrix)
            ft_face_pose_angles(f->matrix, &f->yaw, &f->pitch, &f->roll);
    }
    timings->geometry_ms += ft_now_ms() - t0;
}

/* Blendshapes are computed every blendshape_interval frames per face and
 * repeated from its track in between: which of FACES[0..n) (of tracks
 * FACE_TRACK) are due, the others getting their track's. */
static void choose_blendshapes(ft_face_tracker *t, ft_face *faces, const int *face_track,
                               int *due, int n)
{
    for (int i = 0; i < n; i++) {
        ft_track *tr = &t->tracks[face_track[i]];
        due[i] = 0;
        if (!t->stages.blendshapes)
            continue;
        if (t->opt.video && tr->blendshapes_age >= 0 &&
            tr->blendshapes_age + 1 < t->opt.blendshape_interval) {
            tr->blendshapes_age++;
            memcpy(faces[i].blendshapes, tr->blendshapes, sizeof tr->blendshapes);
            faces[i].has_blendshapes = 1;
        } else {
            due[i] = 1;
        }
    }
}

/* The finish stage: the due blendshapes, the matrices, the fitted poses.
 * Touches FACES and TIMINGS only (and the stages' finish state). */
static ft_status compute_finish(const ft_face_tracker *t, ft_face *faces, const int *due, int n,
                                int iw, int ih, ft_face_timings *timings)
{
    if (t->stages.finish) {
        ft_status st = t->stages.finish(t->stages.ctx, faces, due, n, iw, ih, timings);
        if (st != FT_OK)
            return st;
    }
    fit_poses(t, faces, n, iw, ih, timings);
    return FT_OK;
}

/* The tracks remember what was computed. GENERATION (NULL: the tracks are
 * as they were) skips a track that has since started another face. */
static void remember_blendshapes(ft_face_tracker *t, const ft_face *faces, const int *face_track,
                                 const int *due, const unsigned *generation, int n)
{
    for (int i = 0; i < n; i++) {
        const int k = face_track[i];
        if (!due[i] || (generation && generation[i] != t->track_generation[k]))
            continue;
        ft_track *tr = &t->tracks[k];
        tr->blendshapes_age = faces[i].has_blendshapes ? 0 : -1;
        if (faces[i].has_blendshapes)
            memcpy(tr->blendshapes, faces[i].blendshapes, sizeof tr->blendshapes);
    }
}

static void forget_long_lost(ft_face_tracker *t)
{
    for (int i = 0; i < t->track_cap; i++)
        if (t->tracks[i].state == FT_TRACK_LOST && t->tracks[i].lost_frames > t->opt.max_lost_frames)
            t->tracks[i].state = FT_TRACK_FREE;
}

static void sort_by_id(ft_face *faces, int *tracks, int n)
{
    /* insertion sort: a handful of faces, and TRACKS moves along */
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && faces[j - 1].id > faces[j].id; j--) {
            ft_face f = faces[j];
            faces[j] = faces[j - 1];
            faces[j - 1] = f;
            int k = tracks[j];
            tracks[j] = tracks[j - 1];
            tracks[j - 1] = k;
        }
}

/* ---------------------------------------------- detections are the faces */

/* Box corners then keypoints, in pixels, as one point list for smoothing. */
#define DETECTION_SMOOTHED_POINTS (2 + FT_DETECTION_MAX_POINTS)

static void fill_detected_face(ft_face_tracker *t, const ft_roi_detection *d, int fresh,
                               ft_track *tr, int64_t ts_us, int iw, int ih, ft_face *f)
{
    float px[DETECTION_SMOOTHED_POINTS][3] = {{d->box.x0 * (float)iw, d->box.y0 * (float)ih, 0.0f},
                                              {d->box.x1 * (float)iw, d->box.y1 * (float)ih, 0.0f}};
    const int n = d->point_count;
    for (int i = 0; i < n; i++) {
        px[2 + i][0] = d->points[i][0] * (float)iw;
        px[2 + i][1] = d->points[i][1] * (float)ih;
    }
    if (t->smoothing) {
        if (!tr->filters_ready) {
            for (int i = 0; i < 3 * DETECTION_SMOOTHED_POINTS; i++)
                ft_one_euro_reset(&tr->filters[i], &t->smooth);
            tr->filters_ready = 1;
        }
        ft_one_euro_apply_points(tr->filters, &t->smooth, px, 2 + n, ts_us * 1000);
    }
    f->id = tr->id;
    f->detection_score = tr->detection_score;
    f->presence = d->score; /* the detector's score is all it says of the face */
    f->detected = fresh;
    f->landmark_scheme = t->stages.scheme;
    f->landmark_count = n;
    for (int i = 0; i < n; i++) {
        f->landmarks[i][0] = px[2 + i][0];
        f->landmarks[i][1] = px[2 + i][1];
        f->landmarks[i][2] = 0.0f;
        f->landmarks_norm[i][0] = px[2 + i][0] / (float)iw;
        f->landmarks_norm[i][1] = px[2 + i][1] / (float)ih;
        f->landmarks_norm[i][2] = 0.0f;
    }
    f->box[0] = px[0][0];
    f->box[1] = px[0][1];
    f->box[2] = px[1][0] - px[0][0];
    f->box[3] = px[1][1] - px[0][1];
    f->has_blendshapes = 0;
    f->has_matrix = 0;
    f->yaw = f->pitch = f->roll = 0.0f;
}

/* Detection every detect_every_n frames (and at once after a reset or a
 * cut), its faces repeated in between as the original's throttle does;
 * each face keeps the ID of the tracked face its box overlaps most (IoU >
 * min_tracking_confidence, greedy from the largest overlap), else of a lost
 * face it continues, else a new one. */
static ft_status track_detections(ft_face_tracker *t, const ft_face_image *img, int64_t ts_us,
                                  int *count)
{
    *count = 0;
    if (!t->opt.video)
        ft_face_tracker_reset(t);
    for (int i = 0; i < t->track_cap; i++)
        if (t->tracks[i].state == FT_TRACK_LOST)
            t->tracks[i].lost_frames++;
    t->frame++;
    const int every = t->opt.detect_every_n > 1 ? t->opt.detect_every_n : 1;
    const int fresh = !t->opt.video || t->need_detect || t->frames_since_detect + 1 >= every;
    if (fresh) {
        int tracked = 0, found = 0;
        for (int i = 0; i < t->track_cap; i++)
            tracked += t->tracks[i].state == FT_TRACK_ACTIVE;
        const double t0 = ft_now_ms();
        ft_status st = t->stages.detect(t->stages.ctx, img, tracked, t->frame, t->dets,
                                        t->stages.max_detections, &found);
        t->timings.detection_ms += ft_now_ms() - t0;
        if (st != FT_OK)
            return stage_failed(t, st);
        t->det_count = found < t->opt.num_faces ? found : t->opt.num_faces;
        t->frames_since_detect = 0;
        t->need_detect = 0;
    } else {
        t->frames_since_detect++;
    }
    const int n = t->det_count;
    int *det_track = t->face_track; /* per detection: its track, or -1 */
    for (int d = 0; d < n; d++)
        det_track[d] = -1;
    /* Greedy association, largest overlap first: n and the tracks are few. */
    for (;;) {
        float best = t->opt.min_tracking_confidence;
        int bd = -1, bk = -1;
        for (int k = 0; k < t->track_cap; k++) {
            if (t->tracks[k].state != FT_TRACK_ACTIVE)
                continue;
            int taken = 0;
            for (int d = 0; d < n && !taken; d++)
                taken = det_track[d] == k;
            for (int d = 0; d < n && !taken; d++) {
                if (det_track[d] >= 0)
                    continue;
                const float iou = ft_box_iou(&t->dets[d].box, &t->tracks[k].box);
                if (iou > best) {
                    best = iou;
                    bd = d;
                    bk = k;
                }
            }
        }
        if (bd < 0)
            break;
        det_track[bd] = bk;
    }
    for (int k = 0; k < t->track_cap; k++) {
        if (t->tracks[k].state != FT_TRACK_ACTIVE)
            continue;
        int seen = 0;
        for (int d = 0; d < n && !seen; d++)
            seen = det_track[d] == k;
        if (!seen)
            lose_track(t, &t->tracks[k]);
    }
    int out = 0;
    for (int d = 0; d < n; d++) {
        const ft_roi_detection *det = &t->dets[d];
        int k = det_track[d];
        if (k < 0) {
            const candidate c = {.track = -1, .box = det->box};
            if ((k = adopt(t, &c)) < 0)
                continue;
        }
        ft_track *tr = &t->tracks[k];
        if (fresh)
            tr->detection_score = det->score;
        ft_track_observe(tr, &det->box);
        tr->state = FT_TRACK_ACTIVE;
        /* face_track doubles as det_track: entries before OUT are final */
        t->face_track[out] = k;
        fill_detected_face(t, det, fresh, tr, ts_us, img->width, img->height, &t->faces[out++]);
    }
    forget_long_lost(t);
    *count = out;
    return FT_OK;
}

static ft_status track_frame(ft_face_tracker *t, const ft_face_image *img, int64_t ts_us,
                             int *count)
{
    if (t->stages.detections_are_faces)
        return track_detections(t, img, ts_us, count);
    *count = 0;
    if (!t->opt.video)
        ft_face_tracker_reset(t);
    for (int i = 0; i < t->track_cap; i++)
        if (t->tracks[i].state == FT_TRACK_LOST)
            t->tracks[i].lost_frames++;
    t->frame++;
    int n = tracked_candidates(t);
    const int detected =
        !t->opt.video || t->need_detect || n == 0 ||
        (t->frames_since_detect + 1 >= t->opt.detect_interval && n < t->opt.num_faces);
    ft_status st = FT_OK;
    if (detected && t->beside && n > 0) {
        st = detect_beside_landmarks(t, img, &n);
    } else {
        if (detected)
            st = add_detections(t, img, &n);
        else
            t->frames_since_detect++;
        if (st == FT_OK)
            st = run_landmarks(t, img, 0, n);
    }
    /* A face lost this frame may have moved fast: look for it at once. */
    if (st == FT_OK && !detected && t->need_detect) {
        const int before = n;
        st = add_detections(t, img, &n);
        if (st == FT_OK)
            st = run_landmarks(t, img, before, n);
    }
    if (st != FT_OK)
        return st;
    deduplicate(t, n);
    int out = 0;
    for (int i = 0; i < n && out < t->opt.num_faces; i++) {
        candidate *c = &t->cands[i];
        if (!c->accepted)
            continue;
        const int k = c->track >= 0 ? c->track : adopt(t, c);
        if (k < 0)
            continue;
        ft_track *tr = &t->tracks[k];
        if (c->detection_score >= 0)
            tr->detection_score = c->detection_score;
        ft_track_observe(tr, &c->box);
        tr->state = FT_TRACK_ACTIVE;
        tr->next_roi = t->stages.next_roi(t->stages.ctx, &t->lms[i], img->width, img->height);
        t->face_track[out] = k;
        fill_face(t, c, &t->lms[i], tr, ts_us, img->width, img->height, &t->faces[out++]);
    }
    forget_long_lost(t);
    *count = out;
    return FT_OK;
}

/* ------------------------------------------------------- finish ahead */

static void finish_job(void *arg)
{
    finish_ahead *a = arg;
    a->spent = (ft_face_timings){0};
    a->status = compute_finish(a->tracker, a->faces, a->due, a->count, a->iw, a->ih, &a->spent);
}

static void free_ahead(finish_ahead *a)
{
    if (!a)
        return;
    if (a->thread)
        ft_thread_pool_destroy(a->thread); /* after the finish under way */
    free(a->faces);
    free(a->out);
    free(a->face_track);
    free(a->due);
    free(a->generation);
    free(a);
}

/* The finisher of T, its thread started. NULL when memory or a thread is
 * lacking: the frames are then finished as they come. */
static finish_ahead *make_ahead(ft_face_tracker *t)
{
    finish_ahead *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    const size_t n = (size_t)t->opt.num_faces;
    a->tracker = t;
    a->faces = calloc(n, sizeof *a->faces);
    a->out = calloc(n, sizeof *a->out);
    a->face_track = calloc(n, sizeof *a->face_track);
    a->due = calloc(n, sizeof *a->due);
    a->generation = calloc(n, sizeof *a->generation);
    if (!a->faces || !a->out || !a->face_track || !a->due || !a->generation ||
        ft_thread_pool_create(1, &a->thread) != FT_OK) {
        free_ahead(a);
        return NULL;
    }
    return t->ahead = a;
}

/* The frame being finished, once done: its tracks remember it, and it
 * becomes the frame to receive. Returns the finish's status (FT_OK when
 * none was under way). */
static ft_status collect_finish(ft_face_tracker *t)
{
    finish_ahead *a = t->ahead;
    if (!a->under_way)
        return FT_OK;
    ft_thread_pool_wait(a->thread);
    a->under_way = 0;
    t->timings.blendshapes_ms += a->spent.blendshapes_ms;
    t->timings.geometry_ms += a->spent.geometry_ms;
    if (a->status != FT_OK)
        return stage_failed(t, a->status);
    remember_blendshapes(t, a->faces, a->face_track, a->due, a->generation, a->count);
    sort_by_id(a->faces, a->face_track, a->count);
    ft_face *finished = a->faces; /* to receive; the other buffer takes the next frame */
    a->faces = a->out;
    a->out = finished;
    t->held = 1;
    t->held_count = a->count;
    t->held_timestamp = a->timestamp;
    return FT_OK;
}

/* Hands the frame just tracked (COUNT faces in t->faces) to the finisher;
 * where the thread cannot take it, it is finished here. */
static ft_status start_finish(ft_face_tracker *t, int count, int iw, int ih, int64_t ts_us)
{
    finish_ahead *a = t->ahead;
    choose_blendshapes(t, t->faces, t->face_track, t->blendshapes_due, count);
    memcpy(a->faces, t->faces, (size_t)count * sizeof *a->faces);
    memcpy(a->face_track, t->face_track, (size_t)count * sizeof *a->face_track);
    memcpy(a->due, t->blendshapes_due, (size_t)count * sizeof *a->due);
    for (int i = 0; i < count; i++)
        a->generation[i] = t->track_generation[t->face_track[i]];
    a->count = count;
    a->iw = iw;
    a->ih = ih;
    a->timestamp = ts_us;
    a->under_way = 1;
    if (ft_thread_pool_submit(a->thread, finish_job, a) != FT_OK)
        finish_job(a);
    return FT_OK;
}

/* Drops the frame being finished (a reset). */
static void drop_finish(finish_ahead *a)
{
    ft_thread_pool_wait(a->thread);
    a->under_way = 0;
}

ft_status ft_face_tracker_flush(ft_face_tracker *t)
{
    if (!t->ahead || t->held)
        return FT_OK;
    return collect_finish(t);
}

/* ------------------------------------------------------- send, receive */

ft_status ft_face_tracker_send(ft_face_tracker *t, const ft_face_image *img, int64_t ts_us)
{
    t->error[0] = '\0';
    if (!img) {
        t->drained = 1;
        return FT_OK;
    }
    if (t->held)
        return FT_EAGAIN;
    if (t->drained)
        return FT_EOF;
    const double t0 = ft_now_ms();
    int count = 0;
    ft_status st = track_frame(t, img, ts_us, &count);
    if (t->ahead) {
        /* The frame before this one: finished meanwhile, it is the one to
         * receive; this one's finish starts. */
        const ft_status before = collect_finish(t);
        if (st != FT_OK || before != FT_OK)
            return st != FT_OK ? st : before;
        if ((st = start_finish(t, count, img->width, img->height, ts_us)) != FT_OK)
            return st;
    } else {
        if (st != FT_OK)
            return st;
        choose_blendshapes(t, t->faces, t->face_track, t->blendshapes_due, count);
        if ((st = compute_finish(t, t->faces, t->blendshapes_due, count, img->width, img->height,
                                 &t->timings)) != FT_OK)
            return stage_failed(t, st);
        remember_blendshapes(t, t->faces, t->face_track, t->blendshapes_due, NULL, count);
        sort_by_id(t->faces, t->face_track, count);
        t->held = 1;
        t->held_count = count;
        t->held_timestamp = ts_us;
    }
    t->timings.frames++;
    t->timings.total_ms += ft_now_ms() - t0;
    return FT_OK;
}

ft_status ft_face_tracker_receive(ft_face_tracker *t, ft_face *faces, int capacity, int *count,
                                  int64_t *ts_us)
{
    *count = 0;
    if (!t->held && t->ahead && t->drained) {
        const ft_status st = collect_finish(t); /* the last frame, when drained */
        if (st != FT_OK)
            return st;
    }
    if (!t->held)
        return t->drained ? FT_EOF : FT_EAGAIN;
    if (capacity < t->held_count) {
        snprintf(t->error, sizeof t->error, "receive: room for %d faces, %d found", capacity,
                 t->held_count);
        return FT_ERR_INVALID_ARG;
    }
    const ft_face *from = t->ahead ? t->ahead->out : t->faces;
    if (faces != from)
        memcpy(faces, from, (size_t)t->held_count * sizeof *faces);
    *count = t->held_count;
    if (ts_us)
        *ts_us = t->held_timestamp;
    t->held = 0;
    return FT_OK;
}
