/* Model-free shot cuts on the shared clips: the 8-shot clip's 7 hard cuts
 * at their exact frames, PySceneDetect's checked cuts on its test video (and
 * its dissolve), and no cut in single-shot clips full of head motion and
 * talking. On synthetic frames: a dissolve, a fade through black, a wipe,
 * an iris or a slide is one cut; pans, zooms, exposure changes and flashes of a
 * few frames (white, black, fading, on half the picture, strobes) are
 * none. */
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
#include "scenes/content_detector.h"

typedef struct found {
    int64_t cuts[16];
    ft_cut_info info[16];
    int n;
} found;

/* Copies D's cuts into OUT (printing them); D is freed. */
static void take_cuts(ft_content_detector *d, const char *name, found *out)
{
    const int64_t *cuts;
    const ft_cut_info *info;
    size_t n = 0;
    assert_int_equal(ft_content_detector_finish(d, &cuts, &info, &n), FT_OK);
    printf("  %s:", name);
    out->n = (int)n;
    for (size_t i = 0; i < n; i++) {
        printf(" %lld %s (%.2f", (long long)cuts[i], ft_cut_kind_name(info[i].kind), info[i].score);
        if (info[i].kind != FT_CUT_HARD)
            printf(", %lld-%lld", (long long)info[i].from, (long long)info[i].to);
        printf(")");
        if (i < 16) {
            out->cuts[i] = cuts[i];
            out->info[i] = info[i];
        }
    }
    printf("\n");
    ft_content_detector_free(d);
}

/* The cuts of the shared clip REL; -1 when the clip is absent. */
static int cuts_of(const char *rel, found *out)
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
    ft_video_close(v);
    take_cuts(d, rel, out);
    return out->n;
}

static void test_hard_cuts_exact(void **state)
{
    (void)state;
    found f;
    if (cuts_of("media/scenes/synthetic_faces_hardcuts_8shots.mp4", &f) < 0)
        skip();
    /* Its .gt.json: new shots at 50, 100, ..., 350. */
    assert_int_equal(f.n, 7);
    for (int i = 0; i < 7; i++) {
        assert_int_equal(f.cuts[i], 50 * (i + 1));
        assert_int_equal(f.info[i].kind, FT_CUT_HARD);
    }
}

static void test_pyscenedetect_goldens(void **state)
{
    (void)state;
    found f;
    if (cuts_of("media/scenes/pyscenedetect_testvideo.mp4", &f) < 0)
        skip();
    /* PySceneDetect's ContentDetector goldens: 30, 180, 394. 180 cuts to
     * black, then a fade-in: one cut. 394 ends a fade-out (331-360), black
     * and a fade-in (394-423): one fade, where the new picture appears.
     * Frames 529-558 dissolve one photo into another (its ContentDetector
     * misses it): its middle. The fade-out closing the video is no cut. */
    static const int64_t want[4] = {30, 180, 394, 544};
    static const ft_cut_kind kinds[4] = {FT_CUT_HARD, FT_CUT_HARD, FT_CUT_FADE, FT_CUT_DISSOLVE};
    assert_int_equal(f.n, 4);
    for (int i = 0; i < 4; i++) {
        assert_true(f.cuts[i] >= want[i] - 1 && f.cuts[i] <= want[i] + 1);
        assert_int_equal(f.info[i].kind, kinds[i]);
    }
}

static void test_no_cut_in_one_shot(void **state)
{
    (void)state;
    static const char *const clips[] = {
        "media/faces/facenet_pytorch_examples_video.mp4", "media/faces/fom_demo_old_08.mp4",
        "media/faces/liveportrait_driving_d0.mp4", "media/faces/liveportrait_driving_d13.mp4",
        "media/faces/liveportrait_driving_d6.mp4", "media/faces/liveportrait_source_s13.mp4",
        "media/faces/videoretalking_face_1.mp4", "media/bench/bench_1080p25_3faces_20s.mp4"};
    found f;
    int seen = 0;
    for (size_t i = 0; i < sizeof clips / sizeof clips[0]; i++) {
        if (cuts_of(clips[i], &f) < 0)
            continue;
        seen++;
        assert_int_equal(f.n, 0);
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
    found c;
    take_cuts(d, "flash", &c);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.cuts[0], 40);
    assert_int_equal(c.info[0].kind, FT_CUT_HARD);
}

/* ---- synthetic frames ---------------------------------------------------- */

enum { W = 128, H = 72 };

typedef struct picture {
    uint8_t y[W * H], u[W * H / 4], v[W * H / 4];
} picture;

/* 0 .. 1 at a grid point: a hash of it and SEED. */
static double lattice(int gx, int gy, unsigned seed)
{
    unsigned h = (unsigned)gx * 374761393u + (unsigned)gy * 668265263u + seed * 2246822519u;
    h = (h ^ (h >> 13)) * 1274126177u;
    return (double)((h ^ (h >> 16)) & 0xffff) / 65535.0;
}

/* A texture like a photo's: smooth random blobs (value noise on a 9-pixel
 * grid) over a broad gradient, 0 .. 1. */
static double texture(double x, double y, unsigned seed)
{
    const double gx = floor(x / 9), gy = floor(y / 9), fx = x / 9 - gx, fy = y / 9 - gy;
    const int ix = (int)gx, iy = (int)gy;
    const double top = lattice(ix, iy, seed) * (1 - fx) + lattice(ix + 1, iy, seed) * fx;
    const double bottom = lattice(ix, iy + 1, seed) * (1 - fx) + lattice(ix + 1, iy + 1, seed) * fx;
    return 0.7 * (top * (1 - fy) + bottom * fy) + 0.3 * (0.5 + 0.5 * sin(x / 40 + y / 25 + seed));
}

/* Picture SEED seen through a camera at X0 (a pan), magnified ZOOM times
 * about the frame's centre. */
static void paint(picture *p, double x0, double zoom, unsigned seed)
{
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            const double tx = x0 + W / 2 + (x - W / 2) / zoom, ty = H / 2 + (y - H / 2) / zoom;
            p->y[y * W + x] = (uint8_t)(16 + 219 * texture(tx, ty, seed));
            if (x % 2 == 0 && y % 2 == 0) {
                p->u[(y / 2) * (W / 2) + x / 2] = (uint8_t)(78 + 100 * texture(tx, ty, seed + 7));
                p->v[(y / 2) * (W / 2) + x / 2] = (uint8_t)(78 + 100 * texture(tx, ty, seed + 13));
            }
        }
}

static void black(picture *p)
{
    memset(p->y, 16, sizeof p->y);
    memset(p->u, 128, sizeof p->u);
    memset(p->v, 128, sizeof p->v);
}

static void push(ft_content_detector *d, picture *p)
{
    ft_frame f = {.width = W, .height = H, .format = FT_PIXFMT_YUV420P,
                  .data = {p->y, p->u, p->v},
                  .linesize = {W, W / 2, W / 2}};
    assert_int_equal(ft_content_detector_push(d, &f), FT_OK);
}

static void push_still(ft_content_detector *d, picture *p, int frames)
{
    for (int i = 0; i < frames; i++)
        push(d, p);
}

/* FRAMES frames mixing A into B, as a dissolve or a fade: (1 - w) A + w B,
 * w from 1 / (FRAMES + 1) to FRAMES / (FRAMES + 1). */
static void push_mixes(ft_content_detector *d, const picture *a, const picture *b, int frames)
{
    static picture m;
    for (int i = 1; i <= frames; i++) {
        const double w = (double)i / (frames + 1);
        for (size_t j = 0; j < sizeof m.y; j++)
            m.y[j] = (uint8_t)lround((1 - w) * a->y[j] + w * b->y[j]);
        for (size_t j = 0; j < sizeof m.u; j++) {
            m.u[j] = (uint8_t)lround((1 - w) * a->u[j] + w * b->u[j]);
            m.v[j] = (uint8_t)lround((1 - w) * a->v[j] + w * b->v[j]);
        }
        push(d, &m);
    }
}

static ft_content_detector *detector(int gradual)
{
    ft_content_options o;
    ft_content_options_init(&o);
    o.gradual = gradual;
    ft_content_detector *d = NULL;
    assert_int_equal(ft_content_detector_create(&o, &d), FT_OK);
    return d;
}

static picture shot_a, shot_b, dark;

static int pictures(void **state)
{
    (void)state;
    paint(&shot_a, 0, 1, 1);
    paint(&shot_b, 0, 1, 2);
    black(&dark);
    return 0;
}

static void test_dissolve_is_one_cut_at_its_middle(void **state)
{
    (void)state;
    static const int lengths[] = {6, 24, 50, 60};
    for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
        const int n = lengths[i];
        ft_content_detector *d = detector(1);
        push_still(d, &shot_a, 40);
        push_mixes(d, &shot_a, &shot_b, n); /* frames 40 .. 39 + n */
        push_still(d, &shot_b, 40);
        char name[32];
        snprintf(name, sizeof name, "dissolve of %d frames", n);
        found f;
        take_cuts(d, name, &f);
        assert_int_equal(f.n, 1);
        assert_int_equal(f.info[0].kind, FT_CUT_DISSOLVE);
        assert_true(llabs(f.cuts[0] - (40 + n / 2)) <= 1);
        assert_true(llabs(f.info[0].from - 40) <= 2);
        assert_true(llabs(f.info[0].to - (39 + n)) <= 2);
    }
}

static void test_no_gradual_reports_none(void **state)
{
    (void)state;
    ft_content_detector *d = detector(0);
    push_still(d, &shot_a, 40);
    push_mixes(d, &shot_a, &shot_b, 24);
    push_still(d, &shot_b, 40);
    found f;
    take_cuts(d, "dissolve, gradual off", &f);
    for (int i = 0; i < f.n; i++)
        assert_int_equal(f.info[i].kind, FT_CUT_HARD);
}

static void test_fade_through_black_is_one_cut(void **state)
{
    (void)state;
    ft_content_detector *d = detector(1);
    push_still(d, &shot_a, 40);
    push_mixes(d, &shot_a, &dark, 20); /* fade-out: 40 .. 59 */
    push_still(d, &dark, 10);           /* black: 60 .. 69 */
    push_mixes(d, &dark, &shot_b, 20); /* fade-in: 70 .. 89 */
    push_still(d, &shot_b, 40);
    found f;
    take_cuts(d, "fade out and in", &f);
    /* The new shot starts where its picture appears. */
    assert_int_equal(f.n, 1);
    assert_int_equal(f.info[0].kind, FT_CUT_FADE);
    assert_true(llabs(f.cuts[0] - 70) <= 1);
    assert_true(llabs(f.info[0].from - 40) <= 2 && llabs(f.info[0].to - 89) <= 2);
}

static void test_fades_opening_or_closing_are_no_cuts(void **state)
{
    (void)state;
    ft_content_detector *d = detector(1);
    push_still(d, &dark, 10);
    push_mixes(d, &dark, &shot_a, 25);
    push_still(d, &shot_a, 40);
    push_mixes(d, &shot_a, &dark, 25);
    push_still(d, &dark, 10);
    found f;
    take_cuts(d, "video opening and closing with fades", &f);
    assert_int_equal(f.n, 0);
}

static void test_cut_to_black_then_fade_in_is_the_cut(void **state)
{
    (void)state;
    ft_content_detector *d = detector(1);
    push_still(d, &shot_a, 40);
    push_still(d, &dark, 15);
    push_mixes(d, &dark, &shot_b, 20);
    push_still(d, &shot_b, 40);
    found f;
    take_cuts(d, "cut to black, fade in", &f);
    assert_int_equal(f.n, 1);
    assert_int_equal(f.cuts[0], 40);
    assert_int_equal(f.info[0].kind, FT_CUT_HARD);
}

static void test_pans_and_zooms_are_no_cuts(void **state)
{
    (void)state;
    /* Pans over fine and over coarse texture (magnified 4 times: large
     * smooth areas, whose middle frame is close to the mean of its ends). */
    static const double speeds[] = {1, 3, 6, 12}; /* pixels a frame, of 128 */
    picture p;
    for (int coarse = 0; coarse < 2; coarse++)
        for (size_t i = 0; i < sizeof speeds / sizeof speeds[0]; i++) {
            ft_content_detector *d = detector(1);
            for (int t = 0; t < 100; t++) {
                paint(&p, speeds[i] * t, coarse ? 4 : 1, 3);
                push(d, &p);
            }
            char name[48];
            snprintf(name, sizeof name, "pan, %g px a frame%s", speeds[i], coarse ? ", coarse" : "");
            found f;
            take_cuts(d, name, &f);
            assert_int_equal(f.n, 0);
        }
    static const double rates[] = {1.01, 1.03}; /* magnification a frame */
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        ft_content_detector *d = detector(1);
        for (int t = 0; t < 60; t++) {
            paint(&p, 0, pow(rates[i], t), 4);
            push(d, &p);
        }
        char name[32];
        snprintf(name, sizeof name, "zoom, x%g a frame", rates[i]);
        found f;
        take_cuts(d, name, &f);
        assert_int_equal(f.n, 0);
    }
}

static void test_exposure_change_is_no_cut(void **state)
{
    (void)state;
    /* The same picture, darkened to 40% over 25 frames: no new shot. */
    static picture dim;
    for (size_t j = 0; j < sizeof dim.y; j++)
        dim.y[j] = (uint8_t)(16 + 0.4 * (shot_a.y[j] - 16));
    memcpy(dim.u, shot_a.u, sizeof dim.u);
    memcpy(dim.v, shot_a.v, sizeof dim.v);
    ft_content_detector *d = detector(1);
    push_still(d, &shot_a, 40);
    push_mixes(d, &shot_a, &dim, 25);
    push_still(d, &dim, 40);
    found f;
    take_cuts(d, "exposure change", &f);
    assert_int_equal(f.n, 0);
}

/* Picture P (a slow pan over texture) with a flash over rows FROM_ROW ..
 * H - 1: LEVEL (white 235, black 16) at OPACITY 0 .. 1. */
static void flash(picture *p, int level, double opacity, int from_row)
{
    for (int y = from_row; y < H; y++)
        for (int x = 0; x < W; x++)
            p->y[y * W + x] = (uint8_t)lround((1 - opacity) * p->y[y * W + x] + opacity * level);
}

static void test_flashes_of_a_few_frames_are_no_cuts(void **state)
{
    (void)state;
    /* A shot panning 1 pixel a frame, with a 3-frame white flash at 30, a
     * 2-frame black one at 60, a flash fading over 3 frames at 90, one on
     * the lower half at 120, a strobe (every 4th frame, 150 .. 178), then a
     * hard cut at 200 to another shot, with a 2-frame flash 6 frames later:
     * one cut, at 200. */
    ft_content_detector *d = detector(1);
    picture p;
    for (int t = 0; t < 260; t++) {
        paint(&p, t, 1, t < 200 ? 5 : 6);
        if (t >= 30 && t < 33)
            flash(&p, 235, 1, 0);
        if (t >= 60 && t < 62)
            flash(&p, 16, 1, 0);
        if (t >= 90 && t < 93)
            flash(&p, 235, 1 - (t - 90) / 3.0, 0);
        if (t >= 120 && t < 122)
            flash(&p, 235, 1, H / 2);
        if (t >= 150 && t <= 178 && (t - 150) % 4 == 0)
            flash(&p, 235, 0.8, 0);
        if (t >= 206 && t < 208)
            flash(&p, 235, 1, 0);
        push(d, &p);
    }
    found f;
    take_cuts(d, "flashes", &f);
    assert_int_equal(f.n, 1);
    assert_int_equal(f.cuts[0], 200);
    assert_int_equal(f.info[0].kind, FT_CUT_HARD);
}

/* FRAMES frames of a wipe from A to B: B shows where SHAPE (0: left to
 * right, 1: a circle opening from the centre) has reached; or (2) a slide:
 * A goes out to the left as B comes in from the right, side by side. */
static void push_wipe(ft_content_detector *d, const picture *a, const picture *b, int frames,
                      int shape)
{
    static picture m;
    const double radius = sqrt((double)(W * W + H * H)) / 2;
    for (int i = 1; i <= frames; i++) {
        const double progress = (double)i / (frames + 1);
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                const int shift = (int)lround(progress * W);
                const int in_b = shape == 0   ? x < progress * W
                                 : shape == 1 ? hypot(x - W / 2, y - H / 2) < progress * radius
                                              : x >= W - shift;
                const picture *from = in_b ? b : a;
                /* the column of FROM shown here (a slide moves both) */
                const int sx = shape < 2 ? x : in_b ? x - (W - shift) : x + shift;
                m.y[y * W + x] = from->y[y * W + sx];
                if (x % 2 == 0 && y % 2 == 0) {
                    const int c = (y / 2) * (W / 2) + x / 2, sc = (y / 2) * (W / 2) + sx / 2;
                    m.u[c] = from->u[sc];
                    m.v[c] = from->v[sc];
                }
            }
        push(d, &m);
    }
}

static void test_wipe_is_one_cut_at_its_middle(void **state)
{
    (void)state;
    /* Two shots as unlike as two shots usually are: shot B in negative. */
    static picture negative;
    for (size_t j = 0; j < sizeof negative.y; j++)
        negative.y[j] = (uint8_t)(251 - shot_b.y[j]);
    memcpy(negative.u, shot_b.u, sizeof negative.u);
    memcpy(negative.v, shot_b.v, sizeof negative.v);
    static const int lengths[] = {10, 25, 40};
    static const char *const shapes[] = {"wipe", "iris", "slide"};
    for (int shape = 0; shape < 3; shape++)
        for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
            const int n = lengths[i];
            ft_content_detector *d = detector(1);
            push_still(d, &shot_a, 40);
            push_wipe(d, &shot_a, &negative, n, shape); /* frames 40 .. 39 + n */
            push_still(d, &negative, 40);
            char name[48];
            snprintf(name, sizeof name, "%s, %d frames", shapes[shape], n);
            found f;
            take_cuts(d, name, &f);
            assert_int_equal(f.n, 1);
            assert_int_equal(f.info[0].kind, FT_CUT_WIPE);
            /* Within the wipe, and its span within the wipe's (2 frames
             * of slack); a straight wipe's within 3 frames of its ends (an
             * iris turns few places at first and last: the 5% and 95% of
             * them that bound its span come later and sooner). */
            assert_true(f.info[0].from < f.cuts[0] && f.cuts[0] <= f.info[0].to);
            assert_true(f.info[0].from >= 38 && f.info[0].to <= 41 + n);
            if (shape != 1)
                assert_true(f.info[0].from <= 43 && f.info[0].to >= 36 + n);
        }
    /* A whip pan over one scene (still, 12 frames of 24 pixels, still): it
     * shows, between its ends, what neither end shows; no cut. */
    picture p;
    ft_content_detector *w = detector(1);
    for (int t = 0; t < 100; t++) {
        paint(&p, t < 40 ? 0 : t < 52 ? 24 * (t - 40) : 288, 1, 8);
        push(w, &p);
    }
    found pan;
    take_cuts(w, "whip pan", &pan);
    assert_int_equal(pan.n, 0);
    /* --no-gradual: none. */
    ft_content_detector *d = detector(0);
    push_still(d, &shot_a, 40);
    push_wipe(d, &shot_a, &negative, 25, 0);
    push_still(d, &negative, 40);
    found f;
    take_cuts(d, "wipe, hard cuts only", &f);
    assert_int_equal(f.n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hard_cuts_exact),
        cmocka_unit_test(test_pyscenedetect_goldens),
        cmocka_unit_test(test_no_cut_in_one_shot),
        cmocka_unit_test(test_flash_is_not_a_cut),
        cmocka_unit_test(test_dissolve_is_one_cut_at_its_middle),
        cmocka_unit_test(test_no_gradual_reports_none),
        cmocka_unit_test(test_fade_through_black_is_one_cut),
        cmocka_unit_test(test_fades_opening_or_closing_are_no_cuts),
        cmocka_unit_test(test_cut_to_black_then_fade_in_is_the_cut),
        cmocka_unit_test(test_pans_and_zooms_are_no_cuts),
        cmocka_unit_test(test_exposure_change_is_no_cut),
        cmocka_unit_test(test_flashes_of_a_few_frames_are_no_cuts),
        cmocka_unit_test(test_wipe_is_one_cut_at_its_middle),
    };
    return cmocka_run_group_tests(tests, pictures, NULL);
}
