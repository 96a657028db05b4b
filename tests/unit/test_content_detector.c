/* Model-free shot cuts on the shared clips: the 8-shot clip's 7 hard cuts
 * at their exact frames, PySceneDetect's checked cuts on its test video,
 * and no cut in single-shot clips full of head motion and talking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "face_test_util.h"
#include "scenes/content_detector.h"

/* The cuts of the shared clip REL; -1 when the clip is absent. */
static int cuts_of(const char *rel, int64_t *out, int cap)
{
    const char *path = ft_test_shared_path(rel);
    if (!path)
        return -1;
    ft_video_options vo;
    ft_video_options_init(&vo);
    vo.pixfmt = FT_PIXFMT_YUV420P;
    ft_video *v = NULL;
    char err[512];
    assert_int_equal(ft_video_open(path, &vo, &v, err, sizeof err), FT_OK);
    ft_content_detector *d = NULL;
    assert_int_equal(ft_content_detector_create(NULL, &d), FT_OK);
    ft_frame f;
    while (ft_video_read(v, &f) == FT_OK)
        assert_int_equal(ft_content_detector_push(d, &f), FT_OK);
    const int64_t *cuts;
    const double *scores;
    size_t n = 0;
    assert_int_equal(ft_content_detector_finish(d, &cuts, &scores, &n), FT_OK);
    printf("  %s:", rel);
    for (size_t i = 0; i < n; i++) {
        printf(" %lld (%.2f)", (long long)cuts[i], scores[i]);
        if ((int)i < cap)
            out[i] = cuts[i];
    }
    printf("\n");
    ft_content_detector_free(d);
    ft_video_close(v);
    return (int)n;
}

static void test_hard_cuts_exact(void **state)
{
    (void)state;
    int64_t cuts[16];
    const int n = cuts_of("media/scenes/synthetic_faces_hardcuts_8shots.mp4", cuts, 16);
    if (n < 0)
        skip();
    /* Its .gt.json: new shots at 50, 100, ..., 350. */
    assert_int_equal(n, 7);
    for (int i = 0; i < 7; i++)
        assert_int_equal(cuts[i], 50 * (i + 1));
}

static void test_pyscenedetect_goldens(void **state)
{
    (void)state;
    int64_t cuts[16];
    const int n = cuts_of("media/scenes/pyscenedetect_testvideo.mp4", cuts, 16);
    if (n < 0)
        skip();
    /* PySceneDetect's ContentDetector goldens: 30, 180, 394. */
    static const int64_t want[3] = {30, 180, 394};
    assert_int_equal(n, 3);
    for (int i = 0; i < 3; i++)
        assert_true(cuts[i] >= want[i] - 1 && cuts[i] <= want[i] + 1);
}

static void test_no_cut_in_one_shot(void **state)
{
    (void)state;
    static const char *const clips[] = {
        "media/faces/facenet_pytorch_examples_video.mp4", "media/faces/fom_demo_old_08.mp4",
        "media/faces/liveportrait_driving_d0.mp4", "media/faces/liveportrait_driving_d13.mp4",
        "media/faces/liveportrait_driving_d6.mp4", "media/faces/liveportrait_source_s13.mp4",
        "media/faces/videoretalking_face_1.mp4", "media/bench/bench_1080p25_3faces_20s.mp4"};
    int64_t cuts[16];
    int seen = 0;
    for (size_t i = 0; i < sizeof clips / sizeof clips[0]; i++) {
        const int n = cuts_of(clips[i], cuts, 16);
        if (n < 0)
            continue;
        seen++;
        assert_int_equal(n, 0);
    }
    if (seen == 0)
        skip();
}

static void test_flash_is_not_a_cut(void **state)
{
    (void)state;
    /* Synthetic grey frames with a one-frame white flash at 20 and a real
     * change of scene (dark to bright) at 40. */
    enum { W = 64, H = 36 };
    static uint8_t y[W * H], u[W * H / 4], v[W * H / 4];
    ft_content_detector *d = NULL;
    assert_int_equal(ft_content_detector_create(NULL, &d), FT_OK);
    for (int t = 0; t < 60; t++) {
        const int level = t == 20 ? 250 : t < 40 ? 60 : 200;
        for (int i = 0; i < W * H; i++)
            y[i] = (uint8_t)(level + (i % 7)); /* a little texture */
        for (int i = 0; i < W * H / 4; i++)
            u[i] = v[i] = 128;
        ft_frame f = {.index = t, .width = W, .height = H, .format = FT_PIXFMT_YUV420P,
                      .data = {y, u, v}, .linesize = {W, W / 2, W / 2}};
        assert_int_equal(ft_content_detector_push(d, &f), FT_OK);
    }
    const int64_t *cuts;
    const double *scores;
    size_t n = 0;
    assert_int_equal(ft_content_detector_finish(d, &cuts, &scores, &n), FT_OK);
    assert_int_equal(n, 1);
    assert_int_equal(cuts[0], 40);
    ft_content_detector_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hard_cuts_exact),
        cmocka_unit_test(test_pyscenedetect_goldens),
        cmocka_unit_test(test_no_cut_in_one_shot),
        cmocka_unit_test(test_flash_is_not_a_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
