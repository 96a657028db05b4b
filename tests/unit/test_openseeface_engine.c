/* The openseeface engine through the public API on a real talking head
 * (liveportrait_driving_d0): one face with one ID in every frame, its 66
 * points and box in the frame, jawOpen the only blendshape; a cut gives a
 * new ID, a reset starts IDs again; a faceless frame has no face; BGR input
 * gives the faces of RGB; stills; models refused by name. Exits 77 without
 * the shared models and media. */
#include <math.h>
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

#define CLIP "media/faces/liveportrait_driving_d0.mp4"
#define FRAMES 40

static char detector[1024], landmarker[1024];

/* The clip's first FRAMES frames, RGB, tight. */
static uint8_t *frames[FRAMES];
static int width, height, frame_count;

static ft_face_engine *open_engine(int video, int num_faces)
{
    ft_face_options o;
    ft_face_options_init(&o);
    o.engine = "openseeface";
    o.detector_model = detector;
    o.landmark_model = landmarker;
    o.video = video;
    o.num_faces = num_faces;
    o.min_detection_confidence = 0.6f;
    ft_face_engine *e = NULL;
    char err[512];
    if (ft_face_engine_create(&o, &e, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    assert_string_equal(ft_face_engine_info(e)->name, "openseeface");
    return e;
}

static ft_image rgb(int i)
{
    return (ft_image){frames[i], width, height, 3 * width, FT_PIXFMT_RGB24};
}

static void check_face(const ft_face *f)
{
    assert_int_equal(f->landmark_scheme, FT_LANDMARKS_66);
    assert_int_equal(f->landmark_count, 66);
    assert_true(f->presence > 0.5f && f->presence <= 1.0f);
    assert_true(f->box[2] > 0.1f * width && f->box[3] > 0.1f * height);
    float x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (int p = 0; p < 66; p++) {
        x0 = fminf(x0, f->landmarks[p][0]);
        x1 = fmaxf(x1, f->landmarks[p][0]);
        y0 = fminf(y0, f->landmarks[p][1]);
        y1 = fmaxf(y1, f->landmarks[p][1]);
        assert_float_equal(f->landmarks[p][2], 0.0f, 0.0);
    }
    /* the box is the points' bounds, inside the frame */
    assert_float_equal(f->box[0], x0, 1e-3);
    assert_float_equal(f->box[1], y0, 1e-3);
    assert_float_equal(f->box[0] + f->box[2], x1, 1e-3);
    assert_float_equal(f->box[1] + f->box[3], y1, 1e-3);
    assert_true(x0 >= -1.0f && y0 >= -1.0f && x1 <= width + 1.0f && y1 <= height + 1.0f);
    /* the nose tip (30) between the eyes (36, 45) and above the chin (8) */
    assert_true(f->landmarks[30][0] > f->landmarks[36][0] && f->landmarks[30][0] < f->landmarks[45][0]);
    assert_true(f->landmarks[30][1] < f->landmarks[8][1]);
    assert_true(f->has_blendshapes);
    for (int i = 0; i < FT_FACE_BLENDSHAPE_COUNT; i++) {
        const int jaw = strcmp(ft_face_blendshape_name(i), "jawOpen") == 0;
        if (jaw)
            assert_true(f->blendshapes[i] >= 0.0f && f->blendshapes[i] <= 1.0f);
        else
            assert_float_equal(f->blendshapes[i], 0.0f, 0.0);
    }
    /* a pose fitted from the points when the canonical face is installed */
    char geometry[4096];
    assert_int_equal(f->has_matrix, ft_face_default_model("geometry", geometry, sizeof geometry) == FT_OK);
    if (f->has_matrix)
        assert_true(fabsf(f->yaw) < 60 && fabsf(f->pitch) < 60 && fabsf(f->roll) < 60);
}

static void one_face_one_id(void **state)
{
    (void)state;
    ft_face_engine *e = open_engine(1, 1);
    int id = -1;
    for (int i = 0; i < frame_count; i++) {
        const ft_image im = rgb(i);
        const ft_face *faces;
        int n = 0;
        assert_int_equal(ft_face_engine_process(e, &im, (int64_t)i * 40000, &faces, &n), FT_OK);
        assert_int_equal(n, 1);
        check_face(&faces[0]);
        if (id < 0)
            id = faces[0].id;
        assert_int_equal(faces[0].id, id);
    }
    ft_face_engine_free(e);
}

static void cut_gives_new_id_reset_starts_again(void **state)
{
    (void)state;
    ft_face_engine *e = open_engine(1, 1);
    const ft_face *faces;
    int n = 0;
    ft_image im = rgb(0);
    assert_int_equal(ft_face_engine_process(e, &im, 0, &faces, &n), FT_OK);
    assert_int_equal(n, 1);
    const int first = faces[0].id;
    ft_face_engine_signal_cut(e);
    im = rgb(1);
    assert_int_equal(ft_face_engine_process(e, &im, 40000, &faces, &n), FT_OK);
    assert_int_equal(n, 1);
    assert_int_not_equal(faces[0].id, first);
    ft_face_engine_reset(e);
    im = rgb(2);
    assert_int_equal(ft_face_engine_process(e, &im, 0, &faces, &n), FT_OK);
    assert_int_equal(n, 1);
    assert_int_equal(faces[0].id, first);
    ft_face_engine_free(e);
}

static void faceless_frame_has_no_face(void **state)
{
    (void)state;
    ft_face_engine *e = open_engine(1, 1);
    uint8_t *flat = malloc((size_t)width * height * 3);
    assert_non_null(flat);
    memset(flat, 128, (size_t)width * height * 3);
    const ft_image im = {flat, width, height, 3 * width, FT_PIXFMT_RGB24};
    const ft_face *faces;
    int n = -1;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(ft_face_engine_process(e, &im, (int64_t)i * 40000, &faces, &n), FT_OK);
        assert_int_equal(n, 0);
    }
    /* then a face: found at once */
    const ft_image face = rgb(0);
    assert_int_equal(ft_face_engine_process(e, &face, 120000, &faces, &n), FT_OK);
    assert_int_equal(n, 1);
    free(flat);
    ft_face_engine_free(e);
}

static void bgr_input_same_faces(void **state)
{
    (void)state;
    uint8_t *bgr = malloc((size_t)width * height * 3);
    assert_non_null(bgr);
    for (size_t i = 0; i < (size_t)width * height; i++) {
        bgr[3 * i] = frames[0][3 * i + 2];
        bgr[3 * i + 1] = frames[0][3 * i + 1];
        bgr[3 * i + 2] = frames[0][3 * i];
    }
    ft_face_engine *a = open_engine(0, 1), *b = open_engine(0, 1);
    const ft_image im_rgb = rgb(0), im_bgr = {bgr, width, height, 3 * width, FT_PIXFMT_BGR24};
    const ft_face *fa, *fb;
    int na = 0, nb = 0;
    assert_int_equal(ft_face_engine_process(a, &im_rgb, 0, &fa, &na), FT_OK);
    assert_int_equal(ft_face_engine_process(b, &im_bgr, 0, &fb, &nb), FT_OK);
    assert_int_equal(na, 1);
    assert_int_equal(nb, 1);
    for (int k = 0; k < 4; k++)
        assert_float_equal(fa[0].box[k], fb[0].box[k], 1e-4);
    /* stills: the same image twice gives the same face, ID 0 */
    assert_int_equal(ft_face_engine_process(a, &im_rgb, 0, &fb, &nb), FT_OK);
    assert_int_equal(nb, 1);
    assert_int_equal(fb[0].id, 0);
    check_face(&fb[0]);
    free(bgr);
    ft_face_engine_free(a);
    ft_face_engine_free(b);
}

static void models_refused_by_name(void **state)
{
    (void)state;
    ft_face_options o;
    ft_face_options_init(&o);
    o.engine = "openseeface";
    o.detector_model = landmarker; /* swapped */
    o.landmark_model = detector;
    ft_face_engine *e = NULL;
    char err[512] = "";
    assert_int_not_equal(ft_face_engine_create(&o, &e, err, sizeof err), FT_OK);
    assert_null(e);
    assert_non_null(strstr(err, "openseeface_lm_model0_opt.onnx"));
    assert_null(strchr(err, '\n'));
    o.detector_model = detector;
    o.landmark_model = "/nonexistent/lm_model1_opt.onnx";
    assert_int_not_equal(ft_face_engine_create(&o, &e, err, sizeof err), FT_OK);
    assert_non_null(strstr(err, "/nonexistent/lm_model1_opt.onnx"));
}

static int load_clip(void)
{
    const char *path = ft_test_shared_path(CLIP);
    if (!ft_test_have(path))
        return -1;
    ft_video_options vo;
    ft_video_options_init(&vo);
    vo.decode_threads = 1;
    ft_video *v = NULL;
    char err[512];
    if (ft_video_open(path, &vo, &v, err, sizeof err) != FT_OK) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    ft_frame fr;
    while (frame_count < FRAMES && ft_video_read(v, &fr) == FT_OK) {
        width = fr.width;
        height = fr.height;
        uint8_t *p = malloc((size_t)width * height * 3);
        if (!p)
            break;
        for (int y = 0; y < height; y++)
            memcpy(p + (size_t)y * width * 3, fr.data[0] + (size_t)y * fr.linesize[0],
                   (size_t)width * 3);
        frames[frame_count++] = p;
    }
    ft_video_close(v);
    return frame_count == FRAMES ? 0 : -1;
}

int main(void)
{
    snprintf(detector, sizeof detector, "%s",
             ft_test_shared_path("models/openseeface_mnv3_detection_opt.onnx"));
    snprintf(landmarker, sizeof landmarker, "%s",
             ft_test_shared_path("models/openseeface_lm_model0_opt.onnx"));
    if (!ft_test_have(detector) || !ft_test_have(landmarker) || load_clip() != 0)
        return 77;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_face_one_id),
        cmocka_unit_test(cut_gives_new_id_reset_starts_again),
        cmocka_unit_test(faceless_frame_has_no_face),
        cmocka_unit_test(bgr_input_same_faces),
        cmocka_unit_test(models_refused_by_name),
    };
    const int rc = cmocka_run_group_tests(tests, NULL, NULL);
    for (int i = 0; i < frame_count; i++)
        free(frames[i]);
    return rc;
}
