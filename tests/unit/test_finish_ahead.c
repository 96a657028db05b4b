/* The tracker's finish ahead (face_tracker.h, finish_ahead): frame N's
 * finish stage on the tracker's own thread while frame N+1 is tracked
 * gives the frames a frame-at-a-time tracker gives, one send later: the
 * same faces, IDs, repeated and computed blendshapes, through moving,
 * vanishing and returning faces, a cut, a reset between ranges and the
 * blendshape interval. Also: flush gives a frame without a drain, and the
 * finish does run beside the caller. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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
static const ft_face_image frame_image = {pixel, 400, 200, 1200, 3};

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

/* The script as two ranges (the second after a reset, as a worker starts
 * one), a cut at frame 15; each range drained. */
static int run_script(int ahead, frame_record *records, script *s)
{
    ft_face_tracker *t = make_tracker(s, ahead);
    int received = 0;
    for (int k = 0; k < FRAMES; k++) {
        if (k == 40) { /* a range ends: drain, then the next starts afresh */
            assert_int_equal(ft_face_tracker_send(t, NULL, 0), FT_OK);
            while (receive_into(t, records, &received) == FT_OK) {
            }
            ft_face_tracker_reset(t);
        }
        if (k == 15)
            ft_face_tracker_signal_cut(t);
        s->frame = k;
        ft_status st;
        while ((st = ft_face_tracker_send(t, &frame_image, (int64_t)k * 40000)) == FT_EAGAIN)
            assert_int_equal(receive_into(t, records, &received), FT_OK);
        assert_int_equal(st, FT_OK);
        st = receive_into(t, records, &received);
        assert_true(st == FT_OK || st == FT_EAGAIN);
        if (ahead && (k == 0 || k == 40))
            assert_int_equal(st, FT_EAGAIN); /* a range's first frame comes out one send later */
    }
    assert_int_equal(ft_face_tracker_send(t, NULL, 0), FT_OK);
    while (receive_into(t, records, &received) == FT_OK) {
    }
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ahead_gives_the_frames_of_one_at_a_time),
        cmocka_unit_test(flush_gives_the_frame_without_a_drain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
