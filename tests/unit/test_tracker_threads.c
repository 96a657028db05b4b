/* The tracker's own threads (face_tracker.h). Finish ahead: frame N's
 * finish stage on a thread while frame N+1 is tracked gives the frames a
 * frame-at-a-time tracker gives, one send later: the same faces, IDs,
 * repeated and computed blendshapes, through moving, vanishing and
 * returning faces, a cut, a reset between ranges and the blendshape
 * interval; flush gives a frame without a drain. Detect beside: the
 * detector on a thread while the tracked faces' landmarks run gives the
 * same frames, new faces and faces whose landmarks fail the presence test
 * included. Each does run beside the caller. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "face/face_tracker.h"

#define FRAMES 60
#define MOST_FACES 5

typedef struct script {
    int frame; /* the frame being sent, set by the test's thread */
    pthread_t caller;
    int finishes, finishes_beside; /* by the finish stage: calls, calls off the caller's thread */
} script;

static ft_box box_at(float x, float y)
{
    return (ft_box){x, y, x + 0.15f, y + 0.3f};
}

/* A face A moving right all along; B from frame 5 to 20 and again from 24
 * (a short loss: its ID comes back); C from frame 30; all gone at 50-52. */
static ft_status scripted_detect(void *ctx, const ft_face_image *image, int tracked, int64_t frame,
                                 ft_roi_detection *out, int capacity, int *found)
{
    (void)image;
    (void)tracked;
    (void)frame;
    const script *s = ctx;
    const int k = s->frame;
    ft_box boxes[3];
    int n = 0;
    if (k < 50 || k > 52) {
        boxes[n++] = box_at(0.05f + 0.005f * (float)k, 0.1f);
        if ((k >= 5 && k <= 20) || k >= 24)
            boxes[n++] = box_at(0.5f, 0.4f + 0.002f * (float)k);
        if (k >= 30)
            boxes[n++] = box_at(0.75f - 0.003f * (float)(k - 30), 0.6f);
    }
    *found = n < capacity ? n : capacity;
    for (int i = 0; i < *found; i++) {
        out[i] = (ft_roi_detection){.score = 0.9f, .box = boxes[i], .point_count = 5};
        for (int p = 0; p < 5; p++) {
            out[i].points[p][0] = boxes[i].x0 + 0.03f * (float)p;
            out[i].points[p][1] = boxes[i].y0 + 0.05f * (float)p;
        }
    }
    return FT_OK;
}

/* Blendshapes and a pose that depend on the face alone, and take a while,
 * so that they overlap the next frame's tracking. */
static ft_status slow_finish(void *ctx, ft_face *faces, const int *due, int n, int iw, int ih,
                             ft_face_timings *timings)
{
    (void)iw;
    (void)ih;
    script *s = ctx;
    s->finishes++;
    s->finishes_beside += !pthread_equal(pthread_self(), s->caller);
    const struct timespec pause = {0, 200000};
    nanosleep(&pause, NULL);
    for (int i = 0; i < n; i++) {
        if (due[i]) {
            faces[i].has_blendshapes = 1;
            for (int k = 0; k < FT_FACE_BLENDSHAPE_COUNT; k++)
                faces[i].blendshapes[k] = faces[i].box[0] * 1e-3f + faces[i].box[1] * 1e-5f + (float)k;
        }
        faces[i].has_matrix = 1;
        faces[i].yaw = faces[i].box[0] - faces[i].box[1];
    }
    timings->blendshapes_ms += 0.2;
    return FT_OK;
}

static const uint8_t pixel[3];
static const ft_face_image frame_image = {pixel, 400, 200, 1200, 3, NULL};

static ft_face_tracker *make_tracker(script *s, int ahead)
{
    ft_face_options o;
    ft_face_options_init(&o);
    o.blendshape_interval = 2;
    o.max_lost_frames = 5;
    o.num_faces = MOST_FACES;
    const ft_face_stages stages = {.ctx = s, .detect = scripted_detect, .max_detections = 8,
                                   .finish = slow_finish, .scheme = FT_LANDMARKS_5,
                                   .blendshapes = 1, .detections_are_faces = 1,
                                   .finish_ahead = ahead};
    ft_face_tracker *t = NULL;
    char err[200];
    assert_int_equal(ft_face_tracker_create(&o, &stages, &t, err, sizeof err), FT_OK);
    return t;
}

/* What a received frame says, compared across the two ways. */
typedef struct frame_record {
    int64_t timestamp;
    int count;
    int id[MOST_FACES], has_blendshapes[MOST_FACES];
    float box[MOST_FACES][4], blendshapes[MOST_FACES][3], yaw[MOST_FACES];
} frame_record;

static int receive_into(ft_face_tracker *t, frame_record *records, int *received)
{
    ft_face faces[MOST_FACES];
    int count = 0;
    int64_t ts = 0;
    const ft_status st = ft_face_tracker_receive(t, faces, MOST_FACES, &count, &ts);
    if (st != FT_OK)
        return st;
    frame_record *r = &records[(*received)++];
    memset(r, 0, sizeof *r);
    r->timestamp = ts;
    r->count = count;
    for (int i = 0; i < count; i++) {
        r->id[i] = faces[i].id;
        r->has_blendshapes[i] = faces[i].has_blendshapes;
        memcpy(r->box[i], faces[i].box, sizeof r->box[i]);
        memcpy(r->blendshapes[i], faces[i].blendshapes, sizeof r->blendshapes[i]);
        r->yaw[i] = faces[i].yaw;
    }
    return FT_OK;
}

/* Frame K to T, taking the frames it has ready; the status of the last
 * receive (FT_EAGAIN when the frame stays under way). */
static ft_status send_frame(ft_face_tracker *t, int k, frame_record *records, int *received)
{
    ft_status st;
    while ((st = ft_face_tracker_send(t, &frame_image, (int64_t)k * 40000)) == FT_EAGAIN)
        assert_int_equal(receive_into(t, records, received), FT_OK);
    assert_int_equal(st, FT_OK);
    st = receive_into(t, records, received);
    assert_true(st == FT_OK || st == FT_EAGAIN);
    return st;
}

/* The frames T still holds. */
static void drain_into(ft_face_tracker *t, frame_record *records, int *received)
{
    assert_int_equal(ft_face_tracker_send(t, NULL, 0), FT_OK);
    while (receive_into(t, records, received) == FT_OK) {
    }
}

/* The script as two ranges (the second after a reset, as a worker starts
 * one), a cut at frame 15; each range drained. */
static int run_script(int ahead, frame_record *records, script *s)
{
    ft_face_tracker *t = make_tracker(s, ahead);
    int received = 0;
    for (int k = 0; k < FRAMES; k++) {
        if (k == 40) { /* a range ends: drain, then the next starts afresh */
            drain_into(t, records, &received);
            ft_face_tracker_reset(t);
        }
        if (k == 15)
            ft_face_tracker_signal_cut(t);
        s->frame = k;
        const ft_status st = send_frame(t, k, records, &received);
        if (ahead && (k == 0 || k == 40))
            assert_int_equal(st, FT_EAGAIN); /* a range's first frame comes out one send later */
    }
    drain_into(t, records, &received);
    ft_face_timings timings;
    ft_face_tracker_timings(t, &timings);
    assert_int_equal(timings.frames, FRAMES);
    assert_true(timings.blendshapes_ms > 0);
    ft_face_tracker_free(t);
    return received;
}

static void ahead_gives_the_frames_of_one_at_a_time(void **state)
{
    (void)state;
    static frame_record one[FRAMES + 1], ahead[FRAMES + 1];
    script s1 = {.caller = pthread_self()}, s2 = {.caller = pthread_self()};
    assert_int_equal(run_script(0, one, &s1), FRAMES);
    assert_int_equal(run_script(1, ahead, &s2), FRAMES);
    for (int k = 0; k < FRAMES; k++) {
        assert_int_equal(one[k].timestamp, (int64_t)k * 40000);
        if (memcmp(&one[k], &ahead[k], sizeof one[k]) != 0)
            fail_msg("frame %d differs: %d faces (first id %d) against %d (first id %d)", k,
                     one[k].count, one[k].id[0], ahead[k].count, ahead[k].id[0]);
    }
    /* The script is rich enough: three faces at once, a returning ID, a
     * repeated (not computed) blendshape set. */
    assert_int_equal(one[35].count, 3);
    assert_int_equal(s1.finishes_beside, 0);
    assert_int_equal(s2.finishes_beside, s2.finishes);
    assert_true(s2.finishes > 0);
}

/* One frame in, its faces out: flush finishes the frame under way. */
static void flush_gives_the_frame_without_a_drain(void **state)
{
    (void)state;
    script s = {.caller = pthread_self()};
    ft_face_tracker *t = make_tracker(&s, 1);
    frame_record records[4];
    int received = 0;
    for (int k = 0; k < 3; k++) {
        s.frame = k;
        assert_int_equal(ft_face_tracker_send(t, &frame_image, (int64_t)k * 40000), FT_OK);
        assert_int_equal(receive_into(t, records, &received), FT_EAGAIN);
        assert_int_equal(ft_face_tracker_flush(t), FT_OK);
        assert_int_equal(receive_into(t, records, &received), FT_OK);
        assert_int_equal(records[received - 1].timestamp, (int64_t)k * 40000);
        assert_int_equal(records[received - 1].count, 1);
    }
    ft_face_tracker_free(t);
}

/* ------------------------------------------------ detect beside */

typedef struct mesh_script {
    int frame;
    pthread_t caller;
    int detects, detects_beside, landmark_runs;
} mesh_script;

static ft_norm_rect square_at(float x, float y, float size)
{
    return (ft_norm_rect){x, y, size, size, 0.0f};
}

/* The faces of frame K: A from the start, moving; B from frame 8 (found
 * while A is tracked); C from frame 30 to 39. */
static int true_faces(int k, ft_norm_rect *rois)
{
    int n = 0;
    rois[n++] = square_at(0.2f + 0.004f * (float)k, 0.3f, 0.2f);
    if (k >= 8)
        rois[n++] = square_at(0.7f, 0.6f - 0.003f * (float)k, 0.25f);
    if (k >= 30 && k < 40)
        rois[n++] = square_at(0.45f, 0.8f, 0.15f);
    return n;
}

static ft_status mesh_detect(void *ctx, const ft_face_image *image, int tracked, int64_t frame,
                             ft_roi_detection *out, int capacity, int *found)
{
    (void)image;
    (void)tracked;
    (void)frame;
    mesh_script *s = ctx;
    s->detects++;
    s->detects_beside += !pthread_equal(pthread_self(), s->caller);
    ft_norm_rect rois[3];
    const int n = true_faces(s->frame, rois);
    *found = n < capacity ? n : capacity;
    for (int i = 0; i < *found; i++)
        out[i] = (ft_roi_detection){.roi = rois[i], .score = 0.9f - 0.1f * (float)i};
    return FT_OK;
}

/* Five points on the face whose centre the ROI holds (none: presence 0.1).
 * In frames 20 to 22, A's landmarks fail the presence test in any ROI but
 * the detector's own: its tracked candidate is rejected while a detection
 * overlaps it, which must then not become a new candidate (the detection
 * confirmed that candidate before its landmarks ran). */
static ft_status mesh_landmarks(void *ctx, const ft_face_image *image, const ft_norm_rect *rois,
                                int n, ft_face_landmarks *out)
{
    mesh_script *s = ctx;
    s->landmark_runs++;
    ft_norm_rect faces[3];
    const int count = true_faces(s->frame, faces);
    for (int i = 0; i < n; i++) {
        const ft_norm_rect *r = &rois[i];
        const ft_norm_rect *f = r;
        int which = -1;
        for (int j = 0; j < count && which < 0; j++)
            if (fabsf(faces[j].x_center - r->x_center) < r->width / 2 &&
                fabsf(faces[j].y_center - r->y_center) < r->height / 2)
                which = j;
        if (which >= 0)
            f = &faces[which];
        ft_face_landmarks *lm = &out[i];
        lm->count = 5;
        lm->roi = *r;
        const int tracked_roi = r->x_center != f->x_center || r->y_center != f->y_center;
        lm->presence = which < 0 ? 0.1f
                       : which == 0 && s->frame >= 20 && s->frame <= 22 && tracked_roi ? 0.2f
                                                                                       : 0.9f;
        for (int p = 0; p < 5; p++) {
            lm->norm[p][0] = f->x_center + 0.3f * f->width * (float)(p - 2) / 2.0f;
            lm->norm[p][1] = f->y_center + 0.3f * f->height * (float)((p % 3) - 1);
            lm->norm[p][2] = 0.0f;
            lm->points[p][0] = lm->norm[p][0] * (float)image->width;
            lm->points[p][1] = lm->norm[p][1] * (float)image->height;
            lm->points[p][2] = 0.0f;
        }
    }
    return FT_OK;
}

static ft_norm_rect mesh_next_roi(void *ctx, const ft_face_landmarks *lm, int iw, int ih)
{
    (void)ctx;
    (void)iw;
    (void)ih;
    float x0 = 1e9f, x1 = -1e9f, y0 = 1e9f, y1 = -1e9f;
    for (int p = 0; p < lm->count; p++) {
        x0 = lm->norm[p][0] < x0 ? lm->norm[p][0] : x0;
        x1 = lm->norm[p][0] > x1 ? lm->norm[p][0] : x1;
        y0 = lm->norm[p][1] < y0 ? lm->norm[p][1] : y0;
        y1 = lm->norm[p][1] > y1 ? lm->norm[p][1] : y1;
    }
    const float size = (x1 - x0 > y1 - y0 ? x1 - x0 : y1 - y0) / 0.6f; /* the ROI again */
    return square_at((x0 + x1) / 2.0f, (y0 + y1) / 2.0f, size);
}

static int run_mesh_script(int beside, int ahead, frame_record *records, mesh_script *s)
{
    ft_face_options o;
    ft_face_options_init(&o);
    o.smoothing = 0;
    o.detect_interval = 1; /* while fewer than num_faces are tracked: every frame */
    o.max_lost_frames = 5;
    o.num_faces = MOST_FACES;
    const ft_face_stages stages = {.ctx = s, .detect = mesh_detect, .max_detections = 8,
                                   .landmarks = mesh_landmarks, .next_roi = mesh_next_roi,
                                   .scheme = FT_LANDMARKS_5, .finish_ahead = ahead,
                                   .detect_beside = beside};
    ft_face_tracker *t = NULL;
    char err[200];
    assert_int_equal(ft_face_tracker_create(&o, &stages, &t, err, sizeof err), FT_OK);
    int received = 0;
    for (int k = 0; k < FRAMES; k++) {
        if (k == 45)
            ft_face_tracker_signal_cut(t);
        s->frame = k;
        send_frame(t, k, records, &received);
    }
    drain_into(t, records, &received);
    ft_face_tracker_free(t);
    return received;
}

static void detect_beside_gives_the_frames_of_detecting_first(void **state)
{
    (void)state;
    static frame_record first[FRAMES + 1], beside[FRAMES + 1], both[FRAMES + 1];
    mesh_script s1 = {.caller = pthread_self()}, s2 = {.caller = pthread_self()},
                s3 = {.caller = pthread_self()};
    assert_int_equal(run_mesh_script(0, 0, first, &s1), FRAMES);
    assert_int_equal(run_mesh_script(1, 0, beside, &s2), FRAMES);
    assert_int_equal(run_mesh_script(1, 1, both, &s3), FRAMES);
    for (int k = 0; k < FRAMES; k++) {
        if (memcmp(&first[k], &beside[k], sizeof first[k]) != 0 ||
            memcmp(&first[k], &both[k], sizeof first[k]) != 0)
            fail_msg("frame %d differs: %d faces against %d (beside) and %d (and ahead)", k,
                     first[k].count, beside[k].count, both[k].count);
    }
    /* the script's cases happened: three faces; A lost at 20, found again
     * at 21 in the detector's ROI */
    assert_int_equal(first[35].count, 3);
    assert_int_equal(first[20].count, 1);
    assert_int_equal(first[21].count, 2);
    assert_int_equal(s1.detects_beside, 0);
    assert_true(s2.detects_beside > 0);
    assert_int_equal(s2.detects, s1.detects);
    /* new faces found beside the landmarks get theirs in a run after */
    assert_true(s2.landmark_runs > s1.landmark_runs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ahead_gives_the_frames_of_one_at_a_time),
        cmocka_unit_test(flush_gives_the_frame_without_a_drain),
        cmocka_unit_test(detect_beside_gives_the_frames_of_detecting_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
