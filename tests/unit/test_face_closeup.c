/* Close-ups: a small image filled by one face, in colour and gray, is
 * found by the default engine as by MediaPipe's configuration (the
 * short-range detector on the whole frame), while the full-range tiles
 * alone (whole_frame_pass = 0) miss it. The still is the face of the first
 * frame of a shared clip, cropped to the middle of its box (forehead to
 * chin, cheek to cheek) and scaled to 160 x 160. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "face_test_util.h"
#include "facetrack.h"

#define SIDE 160
/* 0.8 times the face box of liveportrait_driving_d0's first frame
 * (512 x 512), about the same centre. */
#define CROP_X 147
#define CROP_Y 189
#define CROP_SIDE 222

static char landmark_spec[2048], blendshape_spec[2048], geometry_spec[2048], full_range[2048],
    short_range[2048];
static uint8_t rgb[SIDE * SIDE * 3], gray[SIDE * SIDE];

/* The crop scaled to SIDE by bilinear sampling at pixel centres. */
static void make_closeup(const ft_face_image *frame)
{
    const float k = (float)CROP_SIDE / SIDE;
    for (int y = 0; y < SIDE; y++)
        for (int x = 0; x < SIDE; x++) {
            const float sx = CROP_X + (x + 0.5f) * k - 0.5f, sy = CROP_Y + (y + 0.5f) * k - 0.5f;
            const int x0 = (int)sx, y0 = (int)sy;
            const float fx = sx - x0, fy = sy - y0;
            for (int c = 0; c < 3; c++) {
                const uint8_t *p = frame->data + (size_t)y0 * frame->stride + (size_t)x0 * 3 + c;
                const float top = p[0] * (1 - fx) + p[3] * fx;
                const float bottom = p[frame->stride] * (1 - fx) + p[frame->stride + 3] * fx;
                rgb[(y * SIDE + x) * 3 + c] = (uint8_t)(top * (1 - fy) + bottom * fy + 0.5f);
            }
            const uint8_t *q = &rgb[(y * SIDE + x) * 3];
            gray[y * SIDE + x] = (uint8_t)((q[0] * 77 + q[1] * 150 + q[2] * 29) >> 8);
        }
}

/* Faces of IMAGE as a still: DETECTOR on tiles, the whole-frame pass or
 * not, or MediaPipe's configuration (the short-range model, one pass). */
static int faces_in(const ft_image *image, const char *detector, int whole_frame_pass,
                    int max_tile_px, ft_face *first)
{
    ft_face_options o;
    ft_face_options_init(&o);
    o.video = 0;
    o.detector_model = detector;
    o.landmark_model = landmark_spec;
    o.blendshape_model = blendshape_spec;
    o.geometry_model = geometry_spec;
    o.whole_frame_pass = whole_frame_pass;
    o.max_tile_px = max_tile_px;
    ft_face_engine *e = NULL;
    char err[768];
    if (ft_face_engine_create(&o, &e, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    const ft_face *faces;
    int n = -1;
    assert_int_equal(ft_face_engine_process(e, image, 0, &faces, &n), FT_OK);
    if (n > 0)
        *first = faces[0];
    ft_face_engine_free(e);
    return n;
}

static void closeup(const ft_image *image)
{
    static ft_face mp, ours, unused;
    assert_int_equal(faces_in(image, short_range, 0, 0, &mp), 1);
    assert_int_equal(faces_in(image, full_range, 0, 1088, &unused), 0);
    assert_int_equal(faces_in(image, full_range, 1, 1088, &ours), 1);
    /* The same face: the boxes overlap almost entirely. */
    for (int i = 0; i < 4; i++)
        assert_true(ours.box[i] > mp.box[i] - 8 && ours.box[i] < mp.box[i] + 8);
    assert_true(ours.has_blendshapes && ours.has_matrix);
}

static void closeup_rgb(void **state)
{
    (void)state;
    const ft_image image = {rgb, SIDE, SIDE, SIDE * 3, FT_PIXFMT_RGB24};
    closeup(&image);
}

static void closeup_gray(void **state)
{
    (void)state;
    const ft_image image = {gray, SIDE, SIDE, SIDE, FT_PIXFMT_GRAY8};
    closeup(&image);
}

int main(void)
{
    const char *task = ft_test_shared_path("models/face_landmarker_v2_with_blendshapes.task");
    snprintf(landmark_spec, sizeof landmark_spec, "%s:face_landmarks_detector.tflite", task);
    snprintf(blendshape_spec, sizeof blendshape_spec, "%s:face_blendshapes.tflite", task);
    snprintf(short_range, sizeof short_range, "%s:face_detector.tflite", task);
    if (!ft_test_have(task))
        return 77;
    snprintf(full_range, sizeof full_range, "%s", ft_test_npm_model("face_detection_full_range.tflite"));
    snprintf(geometry_spec, sizeof geometry_spec, "%s",
             ft_test_npm_model("geometry_pipeline_metadata_landmarks.binarypb"));
    if (!ft_test_have(full_range) || !ft_test_have(geometry_spec))
        return 77;
    /* The whole-frame pass finds its model on the search path, where the
     * engine finds MediaPipe's. */
    char path[4096];
    snprintf(path, sizeof path, "%s:%s", ft_test_shared_path("models"), ft_test_npm_model(""));
    setenv("FACETRACK_MODEL_PATH", path, 1);
    const char *clip = ft_test_shared_path("media/faces/liveportrait_driving_d0.mp4");
    if (!ft_test_have(clip))
        return 77;
    ft_face_image frame;
    assert_int_equal(ft_test_load_rgb(clip, &frame), 0);
    if (frame.width != 512 || frame.height != 512) {
        fprintf(stderr, "%s: expected 512 x 512, got %d x %d\n", clip, frame.width, frame.height);
        return 1;
    }
    make_closeup(&frame);
    ft_test_free_image(&frame);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(closeup_rgb),
        cmocka_unit_test(closeup_gray),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
