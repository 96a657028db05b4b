/* The face engine on real clips: every visible face is found in every
 * frame and keeps one ID from start to end (these clips have no cuts); the
 * eye corners and the mouth stay inside an independent detector's box;
 * frames without faces are harmless; rotated video is tracked upright;
 * cuts and resets start new identities. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "face/detect_tiles.h"
#include "face/detector.h"
#include "face_test_util.h"
#include "facetrack.h"

#if defined(__SANITIZE_ADDRESS__)
#define FRAME_LIMIT 40 /* sanitizers are ~10x slower: the start of each clip */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FRAME_LIMIT 40
#endif
#endif
#ifndef FRAME_LIMIT
#define FRAME_LIMIT 100000
#endif

static char detector_spec[2048], landmark_spec[2048], blendshape_spec[2048], geometry_spec[2048];

static ft_face_engine *open_engine(int video)
{
    ft_face_options o;
    ft_face_options_init(&o);
    o.video = video;
    o.detector_model = detector_spec;
    o.landmark_model = landmark_spec;
    o.blendshape_model = blendshape_spec;
    o.geometry_model = geometry_spec;
    ft_face_engine *e = NULL;
    char err[768];
    if (ft_face_engine_create(&o, &e, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    return e;
}

typedef struct clip_stats {
    int frames;
    int frames_with_expected; /* frames with exactly the expected face count */
    int ids[64], id_count;    /* distinct IDs seen */
    int checked, inside;      /* landmark checks against the detector */
    double roll_sum;
    int roll_count;
} clip_stats;

static void note_id(clip_stats *s, int id)
{
    for (int i = 0; i < s->id_count; i++)
        if (s->ids[i] == id)
            return;
    if (s->id_count < 64)
        s->ids[s->id_count++] = id;
}

/* Landmarks 33, 263 (eye corners), 13, 14 (lips) inside the independent
 * detection whose box overlaps the face most (box grown by 10 %). */
static void check_inside(clip_stats *s, const ft_face *f, const ft_face_detection *d, int nd)
{
    int best = -1;
    float best_overlap = 0.0f;
    for (int i = 0; i < nd; i++) {
        const float ix = fminf(f->box[0] + f->box[2], d[i].xmin + d[i].width) - fmaxf(f->box[0], d[i].xmin);
        const float iy = fminf(f->box[1] + f->box[3], d[i].ymin + d[i].height) - fmaxf(f->box[1], d[i].ymin);
        const float overlap = ix > 0 && iy > 0 ? ix * iy / (d[i].width * d[i].height) : 0.0f;
        if (overlap > best_overlap) {
            best_overlap = overlap;
            best = i;
        }
    }
    if (best < 0)
        return;
    const ft_face_detection *b = &d[best];
    const float gx = 0.1f * b->width, gy = 0.1f * b->height;
    static const int idx[4] = {33, 263, 13, 14};
    s->checked++;
    int ok = 1;
    for (int k = 0; k < 4; k++) {
        const float x = f->landmarks[idx[k]][0], y = f->landmarks[idx[k]][1];
        ok &= x >= b->xmin - gx && x <= b->xmin + b->width + gx && y >= b->ymin - gy &&
              y <= b->ymin + b->height + gy;
    }
    s->inside += ok;
}

/* Runs CLIP through a video engine; every 5th frame the detector runs
 * alone (tiled, as the engine does) for the landmark check. */
static int run_clip_with(const char *rel, int expected_faces, int apply_rotation, clip_stats *s)
{
    memset(s, 0, sizeof *s);
    const char *path = ft_test_shared_path(rel);
    if (!ft_test_have(path))
        return -1;
    ft_video_options vo;
    ft_video_options_init(&vo);
    vo.decode_threads = 1;
    vo.apply_rotation = apply_rotation;
    ft_video *v = NULL;
    char err[512];
    if (ft_video_open(path, &vo, &v, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    ft_face_engine *e = open_engine(1);
    ft_face_detector *det = NULL;
    if (ft_face_detector_create(detector_spec, FT_FACE_DETECTOR_FULL_RANGE, NULL, 1, &det, err,
                                sizeof err) != FT_OK)
        fail_msg("%s", err);
    static ft_detect_scratch scratch;
    ft_frame fr;
    while (s->frames < FRAME_LIMIT && ft_video_read(v, &fr) == FT_OK) {
        const ft_image im = {fr.data[0], fr.width, fr.height, fr.linesize[0], FT_PIXFMT_RGB24};
        const ft_face *faces;
        int n = 0;
        assert_int_equal(ft_face_engine_process(e, &im, (int64_t)llround(fr.time * 1e6), &faces, &n),
                         FT_OK);
        s->frames++;
        s->frames_with_expected += n == expected_faces;
        for (int i = 0; i < n; i++) {
            note_id(s, faces[i].id);
            assert_int_equal(faces[i].landmark_count, 478);
            assert_true(faces[i].presence > 0.5f && faces[i].presence <= 1.0f);
            assert_true(faces[i].detection_score >= 0.5f && faces[i].detection_score <= 1.0f);
            if (faces[i].has_matrix) {
                s->roll_sum += fabsf(faces[i].roll);
                s->roll_count++;
            }
        }
        if (s->frames % 5 == 1) {
            const ft_face_image img = {fr.data[0], fr.width, fr.height, fr.linesize[0], 3, NULL};
            ft_detect_plan plan;
            ft_detect_plan_tiles(fr.width, fr.height, 1088, &plan);
            ft_face_detection d[FT_DETECT_MAX_PER_TILE];
            int nd = 0;
            assert_int_equal(ft_face_detect_tiled(det, &img, &plan, 0.3f, &scratch, d,
                                                  FT_DETECT_MAX_PER_TILE, &nd), FT_OK);
            for (int i = 0; i < n; i++)
                check_inside(s, &faces[i], d, nd);
        }
    }
    printf("%s: %d frames, %d with %d face(s), %d id(s), landmarks inside the detector's box "
           "%d/%d, mean |roll| %.1f deg\n", rel, s->frames, s->frames_with_expected, expected_faces,
           s->id_count, s->inside, s->checked, s->roll_count ? s->roll_sum / s->roll_count : 0.0);
    ft_face_detector_free(det);
    ft_face_engine_free(e);
    ft_video_close(v);
    return 0;
}

static int run_clip(const char *rel, int expected_faces, clip_stats *s)
{
    return run_clip_with(rel, expected_faces, 1, s);
}

/* Every frame has the faces, one ID each from start to end, landmarks on
 * the face whenever the detector sees it. */
static void expect_steady(const char *rel, int faces)
{
    clip_stats s;
    if (run_clip(rel, faces, &s) != 0)
        skip();
    assert_true(s.frames > 0);
    assert_int_equal(s.frames_with_expected, s.frames);
    assert_int_equal(s.id_count, faces);
    assert_int_equal(s.inside, s.checked);
}

static void one_face_expressions(void **state) { (void)state; expect_steady("media/faces/liveportrait_driving_d0.mp4", 1); }
static void one_face_head_motion(void **state) { (void)state; expect_steady("media/faces/liveportrait_driving_d6.mp4", 1); }
static void one_face_vertical(void **state) { (void)state; expect_steady("media/faces/liveportrait_driving_d13.mp4", 1); }
static void small_face_wide_frame(void **state) { (void)state; expect_steady("media/faces/liveportrait_source_s13.mp4", 1); }
static void irregular_timestamps(void **state) { (void)state; expect_steady("media/faces/videoretalking_face_1.mp4", 1); }
static void low_resolution(void **state) { (void)state; expect_steady("media/faces/fom_demo_old_08.mp4", 1); }
static void three_faces_1080p(void **state) { (void)state; expect_steady("media/bench/bench_1080p25_3faces_20s.mp4", 3); }

/* A crowd of many sizes: no crash, landmarks on the faces. */
static void crowd(void **state)
{
    (void)state;
    clip_stats s;
    if (run_clip("media/faces/facenet_pytorch_examples_video.mp4", 0, &s) != 0)
        skip();
    assert_true(s.id_count >= 2);
    assert_true(s.inside >= s.checked * 9 / 10);
}

/* A cartoon face in a clip whose display matrix turns the stored upright
 * picture by 90 degrees: shown as players show it (rotation applied) the
 * face lies on its side and is found by the turned detection passes, its
 * landmarks turned with it (roll near 90 degrees); in the stored
 * orientation it is upright (roll near 0). */
static void rotated_video(void **state)
{
    (void)state;
    const char *clip = "media/edge/pyscenedetect_issue-134-rotate.mp4";
    clip_stats turned, stored;
    if (run_clip_with(clip, 1, 1, &turned) != 0 || run_clip_with(clip, 1, 0, &stored) != 0)
        skip();
    assert_true(turned.frames_with_expected >= turned.frames / 3);
    assert_true(stored.frames_with_expected >= stored.frames / 3);
    const double turned_roll = turned.roll_sum / turned.roll_count;
    const double stored_roll = stored.roll_sum / stored.roll_count;
    assert_true(turned_roll > 70.0 && turned_roll < 110.0);
    assert_true(stored_roll < 20.0);
    assert_int_equal(turned.inside, turned.checked);
}

/* Downsamples SRC by an integer FACTOR (box filter) into a new image. */
static ft_face_image shrink(const ft_face_image *src, int factor)
{
    const int w = src->width / factor, h = src->height / factor;
    uint8_t *d = malloc((size_t)w * h * 3);
    assert_non_null(d);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int c = 0; c < 3; c++) {
                int sum = 0;
                for (int j = 0; j < factor; j++)
                    for (int i = 0; i < factor; i++)
                        sum += src->data[(size_t)(y * factor + j) * src->stride +
                                         (size_t)(x * factor + i) * 3 + c];
                d[((size_t)y * w + x) * 3 + c] = (uint8_t)(sum / (factor * factor));
            }
    return (ft_face_image){d, w, h, 3 * w, 3, NULL};
}

static void paste(uint8_t *canvas, int cw, int ch, const ft_face_image *p, int x0, int y0)
{
    for (int y = 0; y < p->height; y++)
        for (int x = 0; x < p->width; x++) {
            const int cx = x0 + x, cy = y0 + y;
            if (cx >= 0 && cx < cw && cy >= 0 && cy < ch)
                memcpy(canvas + ((size_t)cy * cw + cx) * 3, p->data + (size_t)y * p->stride + 3 * x, 3);
        }
}

/* Two different faces cross, one passing in front of the other and hiding
 * it: the hidden face's track must not take over the visible one's ID, and
 * when it comes out on the other side it gets its own ID back. */
static void crossing_faces(void **state)
{
    (void)state;
    ft_face_image a_full, b_full;
    assert_int_equal(ft_test_load_rgb(ft_test_shared_path("golden/mediapipe/legacy_face_detection_sergey/"
                                                          "sergey.png"), &a_full), 0);
    const char *clip = ft_test_shared_path("media/faces/liveportrait_driving_d0.mp4");
    if (!ft_test_have(clip)) {
        ft_test_free_image(&a_full);
        skip();
    }
    assert_int_equal(ft_test_load_rgb(clip, &b_full), 0);
    ft_face_image a = shrink(&a_full, 3), b = shrink(&b_full, 2); /* 200 and 256 px */
    const int w = 960, h = 400, frames = 70, step = 10;
    uint8_t *canvas = malloc((size_t)w * h * 3);
    assert_non_null(canvas);
    ft_face_engine *e = open_engine(1);
    int id_a = -1, id_b = -1, hidden = 0, seen_after = 0;
    for (int f = 0; f < frames; f++) {
        const int ax = 20 + step * f, bx = w - 20 - b.width - step * f;
        memset(canvas, 90, (size_t)w * h * 3);
        paste(canvas, w, h, &a, ax, 100);
        paste(canvas, w, h, &b, bx, 72); /* B passes in front */
        const ft_image im = {canvas, w, h, 3 * w, FT_PIXFMT_RGB24};
        const ft_face *faces;
        int n;
        assert_int_equal(ft_face_engine_process(e, &im, (int64_t)f * 40000, &faces, &n), FT_OK);
        /* Whose face is each: the nearer patch centre. */
        const float acx = ax + a.width / 2.0f, bcx = bx + b.width / 2.0f;
        for (int i = 0; i < n; i++) {
            const float cx = faces[i].box[0] + faces[i].box[2] / 2;
            const int is_a = fabsf(cx - acx) < fabsf(cx - bcx);
            int *id = is_a ? &id_a : &id_b;
            if (*id < 0)
                *id = faces[i].id;
            if (faces[i].id != *id)
                fail_msg("frame %d: face %s has id %d, expected %d", f, is_a ? "A" : "B",
                         faces[i].id, *id);
            if (is_a && hidden)
                seen_after++;
        }
        hidden |= n < 2 && id_a >= 0;
    }
    printf("crossing: A id %d, B id %d, A hidden for a while: %d, seen again in %d frames\n", id_a,
           id_b, hidden, seen_after);
    assert_true(id_a >= 0 && id_b >= 0 && id_a != id_b);
    assert_true(seen_after > 0);
    ft_face_engine_free(e);
    free(canvas);
    ft_test_free_image(&a);
    ft_test_free_image(&b);
    ft_test_free_image(&a_full);
    ft_test_free_image(&b_full);
}

/* Black and noise frames find nothing; a face after them is found at once. */
static void frames_without_faces(void **state)
{
    (void)state;
    ft_face_image face;
    assert_int_equal(ft_test_load_rgb(ft_test_shared_path("golden/mediapipe/legacy_face_detection_sergey/"
                                                          "sergey.png"), &face), 0);
    const int w = face.width, h = face.height;
    uint8_t *pixels = calloc((size_t)w * h, 3);
    assert_non_null(pixels);
    ft_face_engine *e = open_engine(1);
    const ft_face *faces;
    int n = -1;
    ft_image im = {pixels, w, h, 3 * w, FT_PIXFMT_RGB24};
    assert_int_equal(ft_face_engine_process(e, &im, 0, &faces, &n), FT_OK);
    assert_int_equal(n, 0);
    uint32_t seed = 12345;
    for (size_t i = 0; i < (size_t)w * h * 3; i++) {
        seed = seed * 1664525u + 1013904223u;
        pixels[i] = (uint8_t)(seed >> 24);
    }
    assert_int_equal(ft_face_engine_process(e, &im, 40000, &faces, &n), FT_OK);
    assert_int_equal(n, 0);
    im.data = face.data;
    assert_int_equal(ft_face_engine_process(e, &im, 80000, &faces, &n), FT_OK);
    assert_int_equal(n, 1);
    const int first = faces[0].id;
    assert_int_equal(ft_face_engine_process(e, &im, 120000, &faces, &n), FT_OK);
    assert_int_equal(n, 1);
    assert_int_equal(faces[0].id, first);
    assert_int_equal(faces[0].detected, 0); /* tracked, not re-detected */
    /* A cut gives the same face a new identity; a reset restarts at 0. */
    ft_face_engine_signal_cut(e);
    assert_int_equal(ft_face_engine_process(e, &im, 160000, &faces, &n), FT_OK);
    assert_int_equal(n, 1);
    assert_int_not_equal(faces[0].id, first);
    assert_int_equal(faces[0].detected, 1);
    ft_face_engine_reset(e);
    assert_int_equal(ft_face_engine_process(e, &im, 0, &faces, &n), FT_OK);
    assert_int_equal(n, 1);
    assert_int_equal(faces[0].id, 0);
    /* Bad images are refused with a message, not a crash. */
    const ft_image bad = {face.data, w, h, w, FT_PIXFMT_RGB24};
    assert_int_equal(ft_face_engine_process(e, &bad, 200000, &faces, &n), FT_ERR_INVALID_ARG);
    assert_non_null(strstr(ft_face_engine_error(e), "stride"));
    ft_face_engine_free(e);
    free(pixels);
    ft_test_free_image(&face);
}

/* Frames on a GPU (FT_PIXFMT_CUDA_NV12): the MediaPipe engine takes them;
 * a frame without planes, or on a GPU that is not there, is refused with a
 * message, not a crash; host frames through send_frame are send's. */
static void frames_on_a_gpu(void **state)
{
    (void)state;
    ft_face_image face;
    assert_int_equal(ft_test_load_rgb(ft_test_shared_path("golden/mediapipe/legacy_face_detection_sergey/"
                                                          "sergey.png"), &face), 0);
    ft_face_engine *e = open_engine(0);
    assert_int_equal(ft_face_engine_takes_device_frames(e), 1);
    ft_frame host = {.width = face.width, .height = face.height, .format = FT_PIXFMT_RGB24,
                     .data = {(uint8_t *)(uintptr_t)face.data}, .linesize = {face.stride}};
    assert_int_equal(ft_face_engine_send_frame(e, &host, 0), FT_OK);
    ft_face faces[8];
    int n = 0;
    assert_int_equal(ft_face_engine_receive(e, faces, 8, &n, NULL), FT_OK);
    assert_int_equal(n, 1);

    ft_frame bad = {.width = 64, .height = 64, .format = FT_PIXFMT_CUDA_NV12};
    assert_int_equal(ft_face_engine_send_frame(e, &bad, 0), FT_ERR_INVALID_ARG);
    assert_non_null(strstr(ft_face_engine_error(e), "invalid frame on GPU"));
    static uint8_t planes[64 * 64 + 64 * 32];
    ft_frame absent = {.width = 64, .height = 64, .format = FT_PIXFMT_CUDA_NV12,
                       .data = {planes, planes + 64 * 64}, .linesize = {64, 64},
                       .device = 9999};
    const ft_status st = ft_face_engine_send_frame(e, &absent, 0);
    assert_true(st == FT_ERR_NO_DEVICE || st == FT_ERR_UNSUPPORTED);
    print_message("a frame on GPU 9999: %s\n", ft_face_engine_error(e));
    assert_true(strlen(ft_face_engine_error(e)) > 0);
    ft_face_engine_free(e);
    ft_test_free_image(&face);
}

/* Stills: BGR and gray input give the same face as RGB (gray: found). */
static void pixel_formats(void **state)
{
    (void)state;
    ft_face_image face;
    assert_int_equal(ft_test_load_rgb(ft_test_shared_path("golden/mediapipe/legacy_face_detection_sergey/"
                                                          "sergey.png"), &face), 0);
    const int w = face.width, h = face.height;
    uint8_t *bgr = malloc((size_t)w * h * 3), *gray = malloc((size_t)w * h);
    assert_non_null(bgr);
    assert_non_null(gray);
    for (int i = 0; i < w * h; i++) {
        const uint8_t *p = face.data + 3 * i;
        bgr[3 * i] = p[2];
        bgr[3 * i + 1] = p[1];
        bgr[3 * i + 2] = p[0];
        gray[i] = (uint8_t)((p[0] * 77 + p[1] * 150 + p[2] * 29) >> 8);
    }
    ft_face_engine *e = open_engine(0);
    const ft_face *faces;
    int n;
    static ft_face rgb_face;
    const ft_image rgb = {face.data, w, h, 3 * w, FT_PIXFMT_RGB24};
    assert_int_equal(ft_face_engine_process(e, &rgb, 0, &faces, &n), FT_OK);
    assert_int_equal(n, 1);
    rgb_face = faces[0];
    assert_true(rgb_face.has_blendshapes && rgb_face.has_matrix);
    const ft_image as_bgr = {bgr, w, h, 3 * w, FT_PIXFMT_BGR24};
    assert_int_equal(ft_face_engine_process(e, &as_bgr, 0, &faces, &n), FT_OK);
    assert_int_equal(n, 1);
    assert_memory_equal(faces[0].landmarks, rgb_face.landmarks, sizeof rgb_face.landmarks);
    const ft_image as_gray = {gray, w, h, w, FT_PIXFMT_GRAY8};
    assert_int_equal(ft_face_engine_process(e, &as_gray, 0, &faces, &n), FT_OK);
    assert_int_equal(n, 1);
    assert_true(fabsf(faces[0].landmarks[33][0] - rgb_face.landmarks[33][0]) < 5.0f);
    ft_face_engine_free(e);
    free(bgr);
    free(gray);
    ft_test_free_image(&face);
}

int main(void)
{
    const char *task = ft_test_shared_path("models/face_landmarker_v2_with_blendshapes.task");
    snprintf(detector_spec, sizeof detector_spec, "%s", ft_test_npm_model("face_detection_full_range.tflite"));
    snprintf(geometry_spec, sizeof geometry_spec, "%s",
             ft_test_npm_model("geometry_pipeline_metadata_landmarks.binarypb"));
    snprintf(landmark_spec, sizeof landmark_spec, "%s:face_landmarks_detector.tflite", task);
    snprintf(blendshape_spec, sizeof blendshape_spec, "%s:face_blendshapes.tflite", task);
    if (!ft_test_have(task) || !ft_test_have(detector_spec) || !ft_test_have(geometry_spec))
        return 77;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(frames_without_faces), cmocka_unit_test(pixel_formats),
        cmocka_unit_test(frames_on_a_gpu),
        cmocka_unit_test(one_face_expressions), cmocka_unit_test(one_face_head_motion),
        cmocka_unit_test(one_face_vertical),    cmocka_unit_test(small_face_wide_frame),
        cmocka_unit_test(irregular_timestamps), cmocka_unit_test(low_resolution),
        cmocka_unit_test(three_faces_1080p),    cmocka_unit_test(crowd),
        cmocka_unit_test(rotated_video),        cmocka_unit_test(crossing_faces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
