/* The FaceMesh module of opencv_yunet_pyfeat: the crop box clipped as the
 * original clips it, the model's input (crop, 192x192, BGR planes / 255) on
 * synthetic images with values worked out by hand, the irises estimated
 * from the eyes; then, where ../shared has the model and the clip, the
 * model on a real face: the int32 crop inputs place its int32 points in
 * frame pixels (the same face moved in a larger frame gives the same points
 * moved by exactly as much), and a model without the crop inputs is
 * refused naming the file. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "face/facemesh.h"
#include "face_test_util.h"

#define PLANE (FT_FACEMESH_INPUT * FT_FACEMESH_INPUT)

static uint8_t scratch[3 * PLANE];
static float input[3 * PLANE];

static void clip_box_as_the_original(void **state)
{
    (void)state;
    ft_crop_box c;
    assert_true(ft_facemesh_clip_box(&(ft_crop_box){-10, 5, 50, 40}, 100, 30, &c));
    assert_int_equal(c.x, 0);
    assert_int_equal(c.y, 5);
    assert_int_equal(c.width, 40);  /* x2 = min(100, 40) */
    assert_int_equal(c.height, 25); /* y2 = min(30, 45) */
    assert_true(ft_facemesh_clip_box(&(ft_crop_box){90, 0, 50, 10}, 100, 30, &c));
    assert_int_equal(c.width, 10);
    assert_false(ft_facemesh_clip_box(&(ft_crop_box){100, 0, 50, 10}, 100, 30, &c));
    assert_false(ft_facemesh_clip_box(&(ft_crop_box){-60, 0, 50, 10}, 100, 30, &c));
}

/* A 50x30 image, columns 0..19 black, 20..49 one colour: the crop of the
 * coloured part fills the input with that colour, channels swapped to BGR. */
static void input_is_the_crop_in_bgr_over_255(void **state)
{
    (void)state;
    enum { W = 50, H = 30 };
    static uint8_t px[W * H * 4];
    memset(px, 0, sizeof px);
    for (int y = 0; y < H; y++)
        for (int x = 20; x < W; x++) {
            uint8_t *p = px + (y * W + x) * 4;
            p[0] = 10, p[1] = 100, p[2] = 200, p[3] = 255;
        }
    const ft_face_image img = {.data = px, .width = W, .height = H, .stride = W * 4, .channels = 4};
    assert_int_equal(ft_facemesh_input(&img, &(ft_crop_box){20, 3, 30, 20}, scratch, input), FT_OK);
    for (int i = 0; i < PLANE; i++) {
        assert_float_equal(input[i], 200.0f / 255.0f, 1e-6);
        assert_float_equal(input[PLANE + i], 100.0f / 255.0f, 1e-6);
        assert_float_equal(input[2 * PLANE + i], 10.0f / 255.0f, 1e-6);
    }
    /* the black columns appear once the crop takes them */
    assert_int_equal(ft_facemesh_input(&img, &(ft_crop_box){0, 0, 40, 30}, scratch, input), FT_OK);
    assert_float_equal(input[0], 0.0f, 1e-6);
    assert_float_equal(input[PLANE - 1], 200.0f / 255.0f, 1e-6);
    /* a crop outside the image is refused */
    assert_int_equal(ft_facemesh_input(&img, &(ft_crop_box){30, 0, 30, 10}, scratch, input),
                     FT_ERR_INVALID_ARG);
    assert_int_equal(ft_facemesh_input(&img, &(ft_crop_box){0, 0, 0, 10}, scratch, input),
                     FT_ERR_INVALID_ARG);
}

static void irises_from_the_eyes(void **state)
{
    (void)state;
    static float mesh[FT_FACEMESH_POINTS][3];
    float irises[FT_FACEMESH_IRIS_POINTS][3];
    /* image-left eye: corners at x 100 and 140 (y 50), lids at y 44 and 56 */
    mesh[33][0] = 100, mesh[33][1] = 50;
    mesh[133][0] = 140, mesh[133][1] = 50;
    mesh[159][0] = 120, mesh[159][1] = 44;
    mesh[145][0] = 120, mesh[145][1] = 56;
    /* the other: 20 wide, centred on (200, 60) */
    mesh[263][0] = 210, mesh[263][1] = 60;
    mesh[362][0] = 190, mesh[362][1] = 60;
    mesh[386][0] = 200, mesh[386][1] = 57;
    mesh[374][0] = 200, mesh[374][1] = 63;
    ft_facemesh_estimate_irises((const float(*)[3])mesh, irises);
    const float want[10][2] = {{120, 50}, {130, 50}, {120, 40}, {110, 50}, {120, 60},
                               {200, 60}, {205, 60}, {200, 55}, {195, 60}, {200, 65}};
    for (int i = 0; i < 10; i++) {
        assert_float_equal(irises[i][0], want[i][0], 1e-4);
        assert_float_equal(irises[i][1], want[i][1], 1e-4);
    }
}

/* ------------------------------------------------------------ the model */

static char model[1024];
static ft_face_image frame;
/* the face of liveportrait_driving_d0's first frame, as YuNet boxes it */
static const ft_crop_box face = {148, 126, 227, 322};

static void points_in_frame_pixels(void **state)
{
    (void)state;
    ft_facemesh *m;
    char err[512];
    assert_int_equal(ft_facemesh_create(model, NULL, &m, err, sizeof err), FT_OK);
    static int32_t a[FT_FACEMESH_POINTS][3], b[FT_FACEMESH_POINTS][3];
    assert_int_equal(ft_facemesh_run(m, &frame, &face, a, NULL), FT_OK);
    /* every point on the face: inside its box, give or take a tenth */
    double sx = 0, sy = 0;
    for (int i = 0; i < FT_FACEMESH_POINTS; i++) {
        assert_in_range(a[i][0], face.x - face.width / 10, face.x + face.width * 11 / 10);
        assert_in_range(a[i][1], face.y - face.height / 10, face.y + face.height * 11 / 10);
        sx += a[i][0];
        sy += a[i][1];
    }
    /* the mesh's centre near the box's, its span most of the box's width */
    assert_true(fabs(sx / FT_FACEMESH_POINTS - (face.x + face.width / 2.0)) < face.width / 8.0);
    assert_true(fabs(sy / FT_FACEMESH_POINTS - (face.y + face.height / 2.0)) < face.height / 6.0);
    assert_true(a[454][0] - a[234][0] > face.width / 2); /* cheek to cheek */
    assert_true(a[152][1] - a[10][1] > face.height / 2); /* chin below forehead */

    /* The same pixels 37 right and 23 down in a larger frame: the crop
     * inputs move the points by exactly as much. */
    const int dx = 37, dy = 23, w = frame.width + 60, h = frame.height + 40;
    uint8_t *big = calloc((size_t)w * h * 3, 1);
    assert_non_null(big);
    for (int y = 0; y < frame.height; y++)
        memcpy(big + ((size_t)(y + dy) * w + dx) * 3, frame.data + (size_t)y * frame.stride,
               (size_t)frame.width * 3);
    const ft_face_image moved = {.data = big, .width = w, .height = h, .stride = w * 3, .channels = 3};
    const ft_crop_box moved_face = {face.x + dx, face.y + dy, face.width, face.height};
    assert_int_equal(ft_facemesh_run(m, &moved, &moved_face, b, NULL), FT_OK);
    for (int i = 0; i < FT_FACEMESH_POINTS; i++) {
        assert_int_equal(b[i][0], a[i][0] + dx);
        assert_int_equal(b[i][1], a[i][1] + dy);
        assert_int_equal(b[i][2], a[i][2]);
    }
    /* a crop outside the frame: an error naming the model, no run */
    assert_int_equal(ft_facemesh_run(m, &frame, &(ft_crop_box){500, 0, 100, 100}, a, NULL),
                     FT_ERR_INVALID_ARG);
    assert_non_null(strstr(ft_facemesh_error(m), "facemesh_face_landmark.onnx"));
    free(big);
    ft_facemesh_free(m);
}

static void other_models_refused_by_name(void **state)
{
    (void)state;
    ft_facemesh *m = NULL;
    char err[512] = "";
    const char *yunet = ft_test_shared_path("models/face_detection_yunet_2023mar.onnx");
    char path[1024];
    snprintf(path, sizeof path, "%s", yunet);
    assert_int_not_equal(ft_facemesh_create(path, NULL, &m, err, sizeof err), FT_OK);
    assert_null(m);
    assert_non_null(strstr(err, "face_detection_yunet_2023mar.onnx"));
    assert_non_null(strstr(err, "not the FaceMesh model"));
    err[0] = '\0';
    assert_int_not_equal(ft_facemesh_create("/nonexistent/facemesh.onnx", NULL, &m, err, sizeof err),
                         FT_OK);
    assert_non_null(strstr(err, "/nonexistent/facemesh.onnx"));
}

int main(void)
{
    const struct CMUnitTest synthetic[] = {
        cmocka_unit_test(clip_box_as_the_original),
        cmocka_unit_test(input_is_the_crop_in_bgr_over_255),
        cmocka_unit_test(irises_from_the_eyes),
    };
    int failed = cmocka_run_group_tests_name("synthetic", synthetic, NULL, NULL);
    snprintf(model, sizeof model, "%s", ft_test_shared_path("models/facemesh_face_landmark.onnx"));
    const char *clip = ft_test_shared_path("media/faces/liveportrait_driving_d0.mp4");
    char clip_path[1024];
    snprintf(clip_path, sizeof clip_path, "%s", clip);
    if (!ft_test_have(model) || !ft_test_have(clip_path)) {
        printf("SKIP: the model tests need ../shared (models and media)\n");
        return failed;
    }
    if (ft_test_load_rgb(clip_path, &frame) != 0) {
        printf("cannot decode %s\n", clip_path);
        return 1;
    }
    const struct CMUnitTest real[] = {
        cmocka_unit_test(points_in_frame_pixels),
        cmocka_unit_test(other_models_refused_by_name),
    };
    failed += cmocka_run_group_tests_name("model", real, NULL, NULL);
    ft_test_free_image(&frame);
    return failed;
}
