/* The shared tracker with a detector whose boxes and keypoints are the
 * faces (detections_are_faces): the throttle, IDs by overlap, survival of
 * short losses, new IDs after a cut, and faces in pixels of the frame. The
 * detector is a script of boxes per frame. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "face/face_tracker.h"

#define MAX_SCRIPTED 4

typedef struct script {
    int calls;          /* detect calls so far */
    int count;          /* boxes the next call finds */
    ft_box boxes[MAX_SCRIPTED];
} script;

static ft_status scripted_detect(void *ctx, const ft_face_image *image, int tracked, int64_t frame,
                                 ft_roi_detection *out, int capacity, int *found)
{
    (void)image;
    (void)tracked;
    (void)frame;
    script *s = ctx;
    s->calls++;
    *found = s->count < capacity ? s->count : capacity;
    for (int i = 0; i < *found; i++) {
        const ft_box *b = &s->boxes[i];
        out[i] = (ft_roi_detection){.score = 0.9f - 0.1f * (float)i, .box = *b, .point_count = 5};
        for (int p = 0; p < 5; p++) { /* points along the box's diagonal */
            out[i].points[p][0] = b->x0 + (b->x1 - b->x0) * (float)p / 4.0f;
            out[i].points[p][1] = b->y0 + (b->y1 - b->y0) * (float)p / 4.0f;
        }
    }
    return FT_OK;
}

static const uint8_t pixel[3];
static const ft_face_image frame_image = {pixel, 200, 100, 600, 3, NULL};

static ft_face_tracker *make_tracker(script *s, int every)
{
    ft_face_options o;
    ft_face_options_init(&o);
    o.smoothing = 0; /* exact numbers */
    o.detect_every_n = every;
    o.max_lost_frames = 5;
    const ft_face_stages stages = {.ctx = s, .detect = scripted_detect, .max_detections = 8,
                                   .scheme = FT_LANDMARKS_5, .detections_are_faces = 1};
    ft_face_tracker *t = NULL;
    char err[200];
    assert_int_equal(ft_face_tracker_create(&o, &stages, &t, err, sizeof err), FT_OK);
    return t;
}

static int run_frame(ft_face_tracker *t, int64_t index, ft_face *faces)
{
    int count = -1;
    int64_t ts = 0;
    assert_int_equal(ft_face_tracker_send(t, &frame_image, index * 40000), FT_OK);
    assert_int_equal(ft_face_tracker_receive(t, faces, 5, &count, &ts), FT_OK);
    assert_int_equal(ts, index * 40000);
    return count;
}

static ft_box box_at(float x, float y)
{
    return (ft_box){x, y, x + 0.2f, y + 0.4f};
}

/* A face moving 1 % of the frame per frame keeps its ID; its box and points
 * come out in pixels, the score as presence and detection score. */
static void follows_a_moving_face(void **state)
{
    (void)state;
    script s = {.count = 1};
    ft_face_tracker *t = make_tracker(&s, 1);
    ft_face faces[5];
    int id = -1;
    for (int k = 0; k < 10; k++) {
        s.boxes[0] = box_at(0.1f + 0.01f * (float)k, 0.2f);
        assert_int_equal(run_frame(t, k, faces), 1);
        if (k == 0)
            id = faces[0].id;
        assert_int_equal(faces[0].id, id);
        assert_int_equal(faces[0].detected, 1);
    }
    assert_int_equal(s.calls, 10);
    assert_int_equal(faces[0].landmark_scheme, FT_LANDMARKS_5);
    assert_int_equal(faces[0].landmark_count, 5);
    assert_float_equal(faces[0].box[0], 0.19f * 200, 1e-3);
    assert_float_equal(faces[0].box[1], 0.2f * 100, 1e-3);
    assert_float_equal(faces[0].box[2], 0.2f * 200, 1e-3);
    assert_float_equal(faces[0].box[3], 0.4f * 100, 1e-3);
    assert_float_equal(faces[0].landmarks[4][0], 0.39f * 200, 1e-3);
    assert_float_equal(faces[0].landmarks[4][1], 0.6f * 100, 1e-3);
    assert_float_equal(faces[0].landmarks_norm[2][0], 0.29f, 1e-5);
    assert_float_equal(faces[0].presence, 0.9f, 1e-6);
    assert_float_equal(faces[0].detection_score, 0.9f, 1e-6);
    ft_face_tracker_free(t);
}

/* Every 3rd frame detects; the frames between repeat its faces. */
static void throttle_repeats_faces(void **state)
{
    (void)state;
    script s = {.count = 1};
    ft_face_tracker *t = make_tracker(&s, 3);
    ft_face faces[5];
    for (int k = 0; k < 7; k++) {
        s.boxes[0] = box_at(0.1f + 0.01f * (float)k, 0.2f);
        assert_int_equal(run_frame(t, k, faces), 1);
        const int fresh = k % 3 == 0;
        assert_int_equal(faces[0].detected, fresh);
        /* the box of the frame that last detected */
        assert_float_equal(faces[0].box[0], (0.1f + 0.01f * (float)(k - k % 3)) * 200, 1e-3);
    }
    assert_int_equal(s.calls, 3); /* frames 0, 3, 6 */
    /* a cut detects at once */
    ft_face_tracker_signal_cut(t);
    run_frame(t, 7, faces);
    assert_int_equal(s.calls, 4);
    ft_face_tracker_free(t);
}

/* Missed for 3 frames: the ID comes back; missed for longer than
 * max_lost_frames (5): a new one. After a cut: a new one. */
static void ids_survive_short_losses(void **state)
{
    (void)state;
    script s = {.count = 1, .boxes = {box_at(0.3f, 0.3f)}};
    ft_face_tracker *t = make_tracker(&s, 1);
    ft_face faces[5];
    int64_t k = 0;
    assert_int_equal(run_frame(t, k++, faces), 1);
    const int first = faces[0].id;
    s.count = 0;
    for (int i = 0; i < 3; i++)
        assert_int_equal(run_frame(t, k++, faces), 0);
    s.count = 1;
    assert_int_equal(run_frame(t, k++, faces), 1);
    assert_int_equal(faces[0].id, first);
    s.count = 0;
    for (int i = 0; i < 7; i++)
        run_frame(t, k++, faces);
    s.count = 1;
    assert_int_equal(run_frame(t, k++, faces), 1);
    const int second = faces[0].id;
    assert_int_not_equal(second, first);
    ft_face_tracker_signal_cut(t);
    run_frame(t, k++, faces);
    assert_int_not_equal(faces[0].id, second);
    ft_face_tracker_free(t);
}

/* Two faces found in swapped order keep their IDs (overlap decides, not
 * order); the output is sorted by ID. */
static void ids_follow_boxes_not_order(void **state)
{
    (void)state;
    script s = {.count = 2, .boxes = {box_at(0.1f, 0.1f), box_at(0.6f, 0.5f)}};
    ft_face_tracker *t = make_tracker(&s, 1);
    ft_face faces[5];
    assert_int_equal(run_frame(t, 0, faces), 2);
    const int left = faces[0].box[0] < faces[1].box[0] ? faces[0].id : faces[1].id;
    s.boxes[0] = box_at(0.62f, 0.5f);
    s.boxes[1] = box_at(0.11f, 0.1f);
    assert_int_equal(run_frame(t, 1, faces), 2);
    assert_true(faces[0].id < faces[1].id);
    for (int i = 0; i < 2; i++)
        if (faces[i].box[0] < 100)
            assert_int_equal(faces[i].id, left);
    ft_face_tracker_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(follows_a_moving_face),
        cmocka_unit_test(throttle_repeats_faces),
        cmocka_unit_test(ids_survive_short_losses),
        cmocka_unit_test(ids_follow_boxes_not_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
