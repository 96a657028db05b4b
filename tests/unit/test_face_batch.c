/* The batched face functions give exactly what the single ones give, on a
 * real frame: all tiles of a tiled detection in one run, landmarks over
 * several ROIs in one run (the full and the attention mesh model), and
 * blendshapes over several faces in one run. Batching only changes how
 * the kernels tile their loops, and every model measured gives bit-equal
 * items, so the comparison is exact. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "face/blendshapes.h"
#include "face/detect_tiles.h"
#include "face/detector.h"
#include "face/landmarks.h"
#include "face/roi.h"
#include "face_test_util.h"

#define FACES 3

static char task[1200], detector_spec[1300], mesh_spec[1300], blend_spec[1300];
static char attention_spec[1300];
static const char *frame_path;
static ft_face_image image;

/* The tiled detection as it was before batching: one run per tile, then
 * the same merge (the oracle for ft_face_detect_tiled). */
static int detect_tiles_one_by_one(ft_face_detector *det, const ft_detect_plan *plan,
                                   ft_detect_scratch *s, ft_face_detection *out, int max)
{
    int n = 0;
    for (int t = 0; t < plan->count; t++) {
        int found = 0;
        assert_int_equal(ft_face_detect(det, &image, &plan->tiles[t], &s->found[n],
                                        FT_DETECT_MAX_PER_TILE, &found),
                         FT_OK);
        n += found;
    }
    if (plan->count == 1) {
        int k = 0;
        for (; k < n && k < max; k++)
            out[k] = s->found[k];
        return k;
    }
    for (int i = 0; i < n; i++)
        s->boxes[i] = s->found[i].rel;
    const int kept = ft_face_weighted_nms(s->boxes, n, 0.3f, s->order, s->merged, max);
    for (int i = 0; i < kept; i++) {
        const ft_face_box *b = &s->merged[i];
        ft_face_detection *o = &out[i];
        o->rel = *b;
        o->score = b->score;
        o->xmin = b->xmin * (float)image.width;
        o->ymin = b->ymin * (float)image.height;
        o->width = b->width * (float)image.width;
        o->height = b->height * (float)image.height;
        for (int k = 0; k < FT_FACE_KEYPOINTS; k++) {
            o->keypoints[k][0] = b->keypoints[k][0] * (float)image.width;
            o->keypoints[k][1] = b->keypoints[k][1] * (float)image.height;
        }
    }
    return kept;
}

static void tiled_detection_in_one_run_equals_tile_by_tile(void **state)
{
    (void)state;
    char err[512];
    ft_face_detector *det;
    if (ft_face_detector_create(detector_spec, FT_FACE_DETECTOR_SHORT_RANGE, NULL, 1, &det, err,
                                sizeof err) != FT_OK)
        fail_msg("%s", err);
    static ft_detect_scratch scratch;
    static ft_face_detection batched[64], single[64];
    int total = 0;
    for (int tile_px = 0; tile_px <= 600; tile_px += 200) {
        ft_detect_plan plan;
        ft_detect_plan_tiles(image.width, image.height, tile_px, &plan);
        int n_batched = 0;
        assert_int_equal(ft_face_detect_tiled(det, &image, &plan, 0.3f, &scratch, batched, 64,
                                              &n_batched),
                         FT_OK);
        const int n_single = detect_tiles_one_by_one(det, &plan, &scratch, single, 64);
        printf("  %d tiles of %d px: %d faces\n", plan.count, tile_px, n_batched);
        assert_int_equal(n_batched, n_single);
        total += n_batched;
        assert_memory_equal(batched, single, sizeof *batched * (size_t)n_batched);
    }
    assert_true(total > 0);
    ft_face_detector_free(det);
}

/* FACES different ROIs around the frame's best face: itself, shifted and
 * rotated ones. */
static void face_rois(ft_norm_rect rois[FACES])
{
    char err[512];
    ft_face_detector *det;
    if (ft_face_detector_create(detector_spec, FT_FACE_DETECTOR_SHORT_RANGE, NULL, 1, &det, err,
                                sizeof err) != FT_OK)
        fail_msg("%s", err);
    ft_face_detection found[4];
    int n = 0;
    assert_int_equal(ft_face_detect(det, &image, NULL, found, 4, &n), FT_OK);
    assert_true(n > 0);
    ft_rect_transform t;
    ft_rect_transform_from_detection(&t);
    rois[0] = ft_roi_from_detection(&found[0].rel, image.width, image.height, &t);
    for (int i = 1; i < FACES; i++) {
        rois[i] = rois[0];
        rois[i].x_center += 0.02f * (float)i;
        rois[i].y_center -= 0.01f * (float)i;
        rois[i].rotation += 0.2f * (float)i;
        rois[i].width *= 1.0f + 0.1f * (float)i;
    }
    ft_face_detector_free(det);
}

static void check_landmarks_model(const char *spec, ft_face_landmarks *single)
{
    char err[512];
    ft_face_landmarker *lm;
    if (ft_face_landmarker_create(spec, 1, &lm, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    ft_norm_rect rois[FACES];
    face_rois(rois);
    static ft_face_landmarks batched[FACES];
    /* single, batched, then single again: the plans for both sizes stay */
    for (int i = 0; i < FACES; i++)
        assert_int_equal(ft_face_landmarks_detect(lm, &image, &rois[i], &single[i]), FT_OK);
    assert_int_equal(ft_face_landmarks_detect_batch(lm, &image, rois, FACES, batched), FT_OK);
    for (int i = 0; i < FACES; i++) {
        assert_memory_equal(&batched[i], &single[i], sizeof batched[i]);
        assert_true(single[i].presence > 0.5f || i > 0);
    }
    ft_face_landmarks again;
    assert_int_equal(ft_face_landmarks_detect(lm, &image, &rois[1], &again), FT_OK);
    assert_memory_equal(&again, &single[1], sizeof again);
    ft_face_landmarker_free(lm);
}

static void landmarks_in_one_run_equal_single_runs(void **state)
{
    (void)state;
    static ft_face_landmarks faces[FACES];
    check_landmarks_model(mesh_spec, faces);
    if (attention_spec[0])
        check_landmarks_model(attention_spec, faces);
}

static void blendshapes_in_one_run_equal_single_runs(void **state)
{
    (void)state;
    static ft_face_landmarks faces[FACES];
    check_landmarks_model(mesh_spec, faces);
    char err[512];
    ft_face_blendshaper *b;
    if (ft_face_blendshaper_create(blend_spec, 1, &b, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    float single[FACES][FT_FACE_BLENDSHAPES], batched[FACES][FT_FACE_BLENDSHAPES];
    const float(*norms[FACES])[3];
    for (int i = 0; i < FACES; i++) {
        norms[i] = (const float(*)[3])faces[i].norm;
        assert_int_equal(ft_face_blendshapes_compute(b, norms[i], faces[i].count, image.width,
                                                     image.height, single[i]),
                         FT_OK);
    }
    assert_int_equal(ft_face_blendshapes_compute_batch(b, norms, faces[0].count, image.width,
                                                       image.height, FACES, batched),
                     FT_OK);
    assert_memory_equal(batched, single, sizeof single);
    ft_face_blendshaper_free(b);
}

int main(void)
{
    snprintf(task, sizeof task, "%s",
             ft_test_shared_path("models/face_landmarker_v2_with_blendshapes.task"));
    snprintf(detector_spec, sizeof detector_spec, "%s:face_detector.tflite", task);
    snprintf(mesh_spec, sizeof mesh_spec, "%s:face_landmarks_detector.tflite", task);
    snprintf(blend_spec, sizeof blend_spec, "%s:face_blendshapes.tflite", task);
    frame_path = ft_test_shared_path("media/faces/liveportrait_driving_d13.mp4");
    static char frame[1200];
    snprintf(frame, sizeof frame, "%s", frame_path);
    if (!ft_test_have(task) || !ft_test_have(frame))
        return 77;
    const char *packed = ft_test_npm_model("face_mesh_solution_packed_assets.data");
    FILE *f = fopen(packed, "rb");
    if (f) { /* the attention model is checked where the npm models are installed */
        fclose(f);
        snprintf(attention_spec, sizeof attention_spec, "%s:face_landmark_with_attention.tflite",
                 packed);
    }
    if (ft_test_load_rgb(frame, &image) != 0) {
        printf("SKIP: cannot decode %s\n", frame);
        return 77;
    }
    printf("frame %dx%d of %s\n", image.width, image.height, frame);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tiled_detection_in_one_run_equals_tile_by_tile),
        cmocka_unit_test(landmarks_in_one_run_equal_single_runs),
        cmocka_unit_test(blendshapes_in_one_run_equal_single_runs),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    ft_test_free_image(&image);
    return failed;
}
