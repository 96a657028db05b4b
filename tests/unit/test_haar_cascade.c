/* The cascade reader and the detector on tiny synthetic cascades: the XML
 * in both OpenCV formats gives the same numbers; every window's verdict
 * equals a naive evaluation that sums pixels straight from the image (the
 * tilted sums from the definition of the 45-degree table), with OpenCV's
 * float and double steps; the detector's raw hits at one scale are the
 * naive scan with its window step and skip; groupRectangles on a worked
 * example; malformed files give one line naming the file. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "face/haar_cascade.h"
#include "face/haar_detector.h"
#include "face/integral_image.h"
#include "face/rect_grouping.h"

/* An 8x8 window; stage 0: two stumps (a 2-rect and a 3-rect feature),
 * stage 1: a stump on a tilted feature and one on the first. */
static const char stump_xml[] =
    "<?xml version=\"1.0\"?>\n<opencv_storage>\n"
    "<cascade type_id=\"opencv-cascade-classifier\"><stageType>BOOST</stageType>\n"
    "<featureType>HAAR</featureType><height>8</height><width>8</width>\n"
    "<stageParams><maxWeakCount>2</maxWeakCount></stageParams>\n"
    "<featureParams><maxCatCount>0</maxCatCount></featureParams>\n"
    "<stageNum>2</stageNum>\n<stages>\n"
    " <_><maxWeakCount>2</maxWeakCount><stageThreshold>-0.5</stageThreshold>\n"
    "  <weakClassifiers>\n"
    "   <_><internalNodes>0 -1 0 0.01</internalNodes><leafValues>-1. 1.</leafValues></_>\n"
    "   <_><internalNodes>0 -1 1 -0.02</internalNodes><leafValues>0.8 -0.6</leafValues></_>\n"
    "  </weakClassifiers></_>\n"
    " <_><maxWeakCount>2</maxWeakCount><stageThreshold>0.1</stageThreshold>\n"
    "  <weakClassifiers>\n"
    "   <_><internalNodes>0 -1 2 0.005</internalNodes><leafValues>0.7 -0.4</leafValues></_>\n"
    "   <_><internalNodes>0 -1 0 -0.03</internalNodes><leafValues>-0.3 0.5</leafValues></_>\n"
    "  </weakClassifiers></_>\n"
    "</stages>\n<features>\n"
    " <_><rects><_>0 0 8 4 -1.</_><_>0 4 8 4 1.</_></rects></_>\n"
    " <_><rects><_>1 1 2 6 -1.</_><_>3 1 2 6 2.</_><_>5 1 2 6 -1.</_></rects></_>\n"
    " <_><rects><_>4 0 3 2 -1.</_><_>4 1 2 1 3.</_></rects><tilted>1</tilted></_>\n"
    "</features></cascade>\n</opencv_storage>\n";

/* The same cascade in the old format. */
static const char old_xml[] =
    "<?xml version=\"1.0\"?>\n<opencv_storage>\n"
    "<tiny type_id=\"opencv-haar-classifier\"><size>8 8</size><stages>\n"
    " <_><trees>\n"
    "  <_><_><feature><rects><_>0 0 8 4 -1.</_><_>0 4 8 4 1.</_></rects><tilted>0</tilted>"
    "</feature><threshold>0.01</threshold><left_val>-1.</left_val><right_val>1.</right_val>"
    "</_></_>\n"
    "  <_><_><feature><rects><_>1 1 2 6 -1.</_><_>3 1 2 6 2.</_><_>5 1 2 6 -1.</_></rects>"
    "<tilted>0</tilted></feature><threshold>-0.02</threshold><left_val>0.8</left_val>"
    "<right_val>-0.6</right_val></_></_>\n"
    " </trees><stage_threshold>-0.5</stage_threshold><parent>-1</parent><next>-1</next></_>\n"
    " <_><trees>\n"
    "  <_><_><feature><rects><_>4 0 3 2 -1.</_><_>4 1 2 1 3.</_></rects><tilted>1</tilted>"
    "</feature><threshold>0.005</threshold><left_val>0.7</left_val><right_val>-0.4</right_val>"
    "</_></_>\n"
    "  <_><_><feature><rects><_>0 0 8 4 -1.</_><_>0 4 8 4 1.</_></rects><tilted>0</tilted>"
    "</feature><threshold>-0.03</threshold><left_val>-0.3</left_val><right_val>0.5</right_val>"
    "</_></_>\n"
    " </trees><stage_threshold>0.1</stage_threshold><parent>0</parent><next>-1</next></_>\n"
    "</stages></tiny>\n</opencv_storage>\n";

/* Trees of two and three nodes: node 0 goes to node 1 or 2, whose children
 * are leaves. */
static const char tree_xml[] =
    "<?xml version=\"1.0\"?>\n<opencv_storage>\n"
    "<cascade><stageType>BOOST</stageType><featureType>HAAR</featureType>\n"
    "<height>8</height><width>8</width><featureParams><maxCatCount>0</maxCatCount>"
    "</featureParams>\n<stages>\n"
    " <_><stageThreshold>-0.2</stageThreshold><weakClassifiers>\n"
    "   <_><internalNodes>2 1 0 0.0 0 -1 1 -0.01 -2 -3 2 0.004</internalNodes>\n"
    "      <leafValues>-0.9 0.4 0.6 -0.2</leafValues></_>\n"
    "   <_><internalNodes>1 -2 2 -0.003 0 -1 1 0.02</internalNodes>\n"
    "      <leafValues>0.5 -0.5 0.3</leafValues></_>\n"
    " </weakClassifiers></_>\n"
    "</stages>\n<features>\n"
    " <_><rects><_>0 0 8 4 -1.</_><_>0 4 8 4 1.</_></rects></_>\n"
    " <_><rects><_>1 1 2 6 -1.</_><_>3 1 2 6 2.</_><_>5 1 2 6 -1.</_></rects></_>\n"
    " <_><rects><_>3 1 3 3 -1.</_><_>3 2 2 1 4.</_></rects><tilted>1</tilted></_>\n"
    "</features></cascade>\n</opencv_storage>\n";

/* LBP: a 9x9 window, blocks of 1x1 and 2x2 and 3x3; subsets of 8 words. */
static const char lbp_xml[] =
    "<?xml version=\"1.0\"?>\n<opencv_storage>\n"
    "<cascade><stageType>BOOST</stageType><featureType>LBP</featureType>\n"
    "<height>9</height><width>9</width><featureParams><maxCatCount>256</maxCatCount>"
    "</featureParams>\n<stages>\n"
    " <_><stageThreshold>-0.3</stageThreshold><weakClassifiers>\n"
    "   <_><internalNodes>0 -1 0 -1 5 -4096 1234567 -2 77 0 -65536</internalNodes>\n"
    "      <leafValues>-0.8 0.6</leafValues></_>\n"
    "   <_><internalNodes>0 -1 1 -21790 -27938 -2130706433 -1 286326784 99 -1 -1</internalNodes>\n"
    "      <leafValues>0.7 -0.5</leafValues></_>\n"
    " </weakClassifiers></_>\n"
    " <_><stageThreshold>0.0</stageThreshold><weakClassifiers>\n"
    "   <_><internalNodes>0 -1 2 16711935 -16711936 3 -3 123 -123 2147483647 -2147483648"
    "</internalNodes>\n"
    "      <leafValues>0.4 -0.4</leafValues></_>\n"
    " </weakClassifiers></_>\n"
    "</stages>\n<features>\n"
    " <_><rect>0 0 3 3</rect></_>\n <_><rect>2 1 2 2</rect></_>\n <_><rect>3 3 1 1</rect></_>\n"
    "</features></cascade>\n</opencv_storage>\n";

static ft_cascade parse_ok(const char *xml)
{
    ft_cascade c;
    char err[256];
    ft_status st = ft_cascade_parse(xml, strlen(xml), "tiny.xml", &c, err, sizeof err);
    if (st != FT_OK)
        fail_msg("parse failed: %s", err);
    return c;
}

/* ------------------------------------------------------ the naive side */

typedef struct image {
    uint8_t *px;
    int w, h;
} image;

static image random_image(int w, int h, unsigned seed)
{
    image im = {malloc((size_t)w * h), w, h};
    srand(seed);
    for (int i = 0; i < w * h; i++)
        im.px[i] = (uint8_t)(rand() % 256);
    /* a flat patch and a ramp: windows the variance test rejects, and smooth ones */
    for (int y = 2; y < h / 3; y++)
        for (int x = 2; x < w / 3; x++)
            im.px[y * w + x] = 90;
    for (int y = h / 2; y < h; y++)
        for (int x = w / 2; x < w; x++)
            im.px[y * w + x] = (uint8_t)((x * 3 + y * 5) & 255);
    return im;
}

static long upright_sum(const image *im, int x, int y, int w, int h)
{
    long s = 0;
    for (int j = y; j < y + h; j++)
        for (int i = x; i < x + w; i++)
            s += im->px[j * im->w + i];
    return s;
}

/* The tilted table's definition at (X, Y). */
static long tilted_at(const image *im, int X, int Y)
{
    long s = 0;
    for (int y = 0; y < Y && y < im->h; y++)
        for (int x = 0; x < im->w; x++)
            if (abs(x - X + 1) <= Y - y - 1)
                s += im->px[y * im->w + x];
    return s;
}

static long tilted_sum(const image *im, int x, int y, int w, int h)
{
    return tilted_at(im, x, y) - tilted_at(im, x - h, y + h) - tilted_at(im, x + w, y + w) +
           tilted_at(im, x + w - h, y + w + h);
}

static float naive_feature(const ft_cascade *c, const image *im, int f, int wx, int wy)
{
    const ft_cascade_haar_feature *hf = &c->haar[f];
    float s[3];
    for (int k = 0; k < 3; k++) {
        const int *r = hf->rect[k];
        s[k] = (float)(hf->tilted ? tilted_sum(im, wx + r[0], wy + r[1], r[2], r[3])
                                  : upright_sum(im, wx + r[0], wy + r[1], r[2], r[3]));
    }
    float v = hf->weight[0] * s[0] + hf->weight[1] * s[1];
    if (hf->weight[2] != 0.0f)
        v += hf->weight[2] * s[2];
    return v;
}

static int naive_lbp(const ft_cascade *c, const image *im, int f, int wx, int wy)
{
    const int *r = c->lbp[f];
    long b[3][3];
    for (int j = 0; j < 3; j++)
        for (int i = 0; i < 3; i++)
            b[j][i] = upright_sum(im, wx + r[0] + i * r[2], wy + r[1] + j * r[3], r[2], r[3]);
    const long m = b[1][1];
    return (b[0][0] >= m) << 7 | (b[0][1] >= m) << 6 | (b[0][2] >= m) << 5 | (b[1][2] >= m) << 4 |
           (b[2][2] >= m) << 3 | (b[2][1] >= m) << 2 | (b[2][0] >= m) << 1 | (b[1][0] >= m);
}

static int naive_window(const ft_cascade *c, const image *im, int wx, int wy)
{
    float nf = 1.f;
    if (c->type == FT_CASCADE_HAAR) {
        const double area = (double)(c->width - 2) * (c->height - 2);
        long s = 0, sq = 0;
        for (int j = wy + 1; j < wy + c->height - 1; j++)
            for (int i = wx + 1; i < wx + c->width - 1; i++) {
                const int v = im->px[j * im->w + i];
                s += v;
                sq += v * v;
            }
        double d = area * (double)sq - (double)s * s;
        if (!(d > 0))
            return -1;
        nf = (float)(1. / sqrt(d));
        if (!(area * nf < 0.1))
            return -1;
    }
    for (int si = 0; si < c->stage_count; si++) {
        const ft_cascade_stage *st = &c->stages[si];
        double sum = 0;
        for (int t = st->first_tree; t < st->first_tree + st->tree_count; t++) {
            const ft_cascade_tree *tree = &c->trees[t];
            int idx = 0;
            do {
                const ft_cascade_node *n = &c->nodes[tree->first_node + idx];
                if (c->type == FT_CASCADE_HAAR) {
                    const float v = naive_feature(c, im, n->feature, wx, wy) * nf;
                    idx = v < n->threshold ? n->left : n->right;
                } else {
                    const int code = naive_lbp(c, im, n->feature, wx, wy);
                    const int32_t *sub = &c->subsets[(tree->first_node + idx) * c->subset_words];
                    idx = ((uint32_t)sub[code >> 5] >> (code & 31)) & 1 ? n->left : n->right;
                }
            } while (idx > 0);
            sum += c->leaves[tree->first_leaf - idx];
        }
        if (sum < st->threshold)
            return -si;
    }
    return 1;
}

/* ---------------------------------------------------------------- tests */

static void reads_the_new_format(void **state)
{
    (void)state;
    ft_cascade c = parse_ok(stump_xml);
    assert_int_equal(c.type, FT_CASCADE_HAAR);
    assert_int_equal(c.width, 8);
    assert_int_equal(c.stage_count, 2);
    assert_int_equal(c.tree_count, 4);
    assert_int_equal(c.feature_count, 3);
    assert_int_equal(c.max_nodes_per_tree, 1);
    assert_true(c.has_tilted);
    /* OpenCV keeps (float)threshold - 1e-5f */
    assert_true(c.stages[0].threshold == (float)-0.5 - 1e-5f);
    assert_true(c.nodes[1].threshold == (float)-0.02);
    assert_true(c.leaves[2] == 0.8f && c.leaves[3] == -0.6f);
    assert_int_equal(c.haar[1].rect[2][0] + c.haar[1].rect[2][2], 0); /* OpenCV: an empty rect */
    assert_true(c.haar[1].weight[2] == 0.0f); /* a negative third weight is dropped, as OpenCV */
    assert_true(c.haar[2].tilted);
    ft_cascade_free(&c);
}

static void old_format_gives_the_same_numbers(void **state)
{
    (void)state;
    ft_cascade a = parse_ok(stump_xml), b = parse_ok(old_xml);
    assert_int_equal(a.stage_count, b.stage_count);
    assert_int_equal(a.tree_count, b.tree_count);
    assert_int_equal(a.width, b.width);
    assert_int_equal(a.has_tilted, b.has_tilted);
    for (int s = 0; s < a.stage_count; s++)
        assert_true(a.stages[s].threshold == b.stages[s].threshold);
    for (int n = 0; n < a.node_count; n++) {
        assert_true(a.nodes[n].threshold == b.nodes[n].threshold);
        assert_int_equal(a.nodes[n].left, b.nodes[n].left);
        assert_int_equal(a.nodes[n].right, b.nodes[n].right);
        /* the old format repeats a feature per node: compare what they hold */
        assert_memory_equal(&a.haar[a.nodes[n].feature], &b.haar[b.nodes[n].feature],
                            sizeof(ft_cascade_haar_feature));
    }
    for (int l = 0; l < a.leaf_count; l++)
        assert_true(a.leaves[l] == b.leaves[l]);
    ft_cascade_free(&a);
    ft_cascade_free(&b);
}

static void integral_tables_match_their_definitions(void **state)
{
    (void)state;
    image im = random_image(13, 11, 7);
    const int stride = 16, rows = 12;
    int32_t *tab = calloc((size_t)stride * rows * 2, sizeof *tab);
    uint32_t *sq = calloc((size_t)stride * rows, sizeof *sq);
    int32_t roll[2 * (13 + 2)];
    ft_integral_image(im.px, 13, 11, 13, tab, sq, tab + stride * rows, stride, roll);
    for (int Y = 0; Y <= 11; Y++)
        for (int X = 0; X <= 13; X++) {
            assert_int_equal(tab[Y * stride + X], upright_sum(&im, 0, 0, X, Y));
            assert_int_equal(tab[stride * rows + Y * stride + X], tilted_at(&im, X, Y));
            long q = 0;
            for (int y = 0; y < Y; y++)
                for (int x = 0; x < X; x++)
                    q += im.px[y * 13 + x] * im.px[y * 13 + x];
            assert_int_equal(sq[Y * stride + X], (uint32_t)q);
        }
    free(tab);
    free(sq);
    free(im.px);
}

/* Every window of a random image: classify_window (integral tables) against
 * the naive evaluation; the verdicts must be varied for the test to mean
 * something. */
static void windows_match_naive(const char *xml, unsigned seed)
{
    ft_cascade c = parse_ok(xml);
    image im = random_image(40, 36, seed);
    const int stride = im.w + 1, rows = im.h + 1;
    int32_t *tab = calloc((size_t)stride * rows * 2, sizeof *tab);
    uint32_t *sq = calloc((size_t)stride * rows, sizeof *sq);
    int32_t *roll = calloc((size_t)(im.w + 2) * 2, sizeof *roll);
    ft_integral_image(im.px, im.w, im.h, im.w, tab, sq, tab + stride * rows, stride, roll);
    int seen[3] = {0}; /* accepted; -1: the variance test or stage 1; 0: stage 0 */
    for (int y = 0; y + c.height <= im.h; y++)
        for (int x = 0; x + c.width <= im.w; x++) {
            const int got = ft_haar_classify_window(&c, tab, sq, tab + stride * rows, stride, x, y);
            const int want = naive_window(&c, &im, x, y);
            if (got != want)
                fail_msg("window (%d, %d): %d, naive %d", x, y, got, want);
            if (got >= -1)
                seen[got == 1 ? 0 : got == -1 ? 1 : 2]++;
        }
    if (!(seen[0] > 0 && seen[1] > 0 && seen[2] > 0))
        fail_msg("verdicts too uniform: %d accepted, %d at -1, %d at stage 0", seen[0], seen[1],
                 seen[2]);
    free(tab);
    free(sq);
    free(roll);
    free(im.px);
    ft_cascade_free(&c);
}

static void stump_windows_match_naive(void **state)
{
    (void)state;
    windows_match_naive(stump_xml, 11);
    windows_match_naive(stump_xml, 12);
}

static void tree_windows_match_naive(void **state)
{
    (void)state;
    windows_match_naive(tree_xml, 21);
}

static void lbp_windows_match_naive(void **state)
{
    (void)state;
    windows_match_naive(lbp_xml, 31);
}

/* The detector at one scale (the window's own size) without grouping: its
 * hits are the windows the naive evaluation accepts, visited every 2
 * pixels, the next one skipped after a stage-0 rejection. */
static void detector_scan_matches_naive(const char *xml, unsigned seed)
{
    ft_cascade c = parse_ok(xml), copy = parse_ok(xml);
    image im = random_image(64, 48, seed);
    ft_haar_detector *d;
    char err[256];
    assert_int_equal(ft_haar_detector_create(&c, NULL, &d, err, sizeof err), FT_OK);
    const ft_haar_params p = {.scale_factor = 1.1, .min_neighbors = 0, .max_width = copy.width,
                              .max_height = copy.height};
    ft_rect got[4096];
    int n = 0;
    assert_int_equal(ft_haar_detect(d, im.px, im.w, im.h, im.w, &p, got, 4096, &n), FT_OK);
    int k = 0;
    for (int y = 0; y + copy.height <= im.h; y += 2)
        for (int x = 0; x + copy.width <= im.w; x += 2) {
            const int r = naive_window(&copy, &im, x, y);
            if (r > 0) {
                assert_true(k < n);
                assert_int_equal(got[k].x, x);
                assert_int_equal(got[k].y, y);
                assert_int_equal(got[k].width, copy.width);
                k++;
            }
            if (r == 0)
                x += 2;
        }
    assert_int_equal(k, n);
    assert_true(n > 0);
    ft_haar_detector_free(d);
    ft_cascade_free(&copy);
    free(im.px);
}

static void detector_scans_like_opencv(void **state)
{
    (void)state;
    detector_scan_matches_naive(stump_xml, 41);
    detector_scan_matches_naive(lbp_xml, 42);
}

/* Scales on several threads give the same hits in the same order. */
static void threads_change_nothing(void **state)
{
    (void)state;
    ft_cascade one = parse_ok(stump_xml), two = parse_ok(stump_xml);
    image im = random_image(120, 90, 51);
    pthreadpool_t pool = pthreadpool_create(3);
    ft_haar_detector *a, *b;
    char err[256];
    assert_int_equal(ft_haar_detector_create(&one, NULL, &a, err, sizeof err), FT_OK);
    assert_int_equal(ft_haar_detector_create(&two, pool, &b, err, sizeof err), FT_OK);
    const ft_haar_params p = {.scale_factor = 1.1, .min_neighbors = 0};
    static ft_rect ra[16384], rb[16384];
    int na = 0, nb = 0;
    for (int round = 0; round < 2; round++) { /* the second reuses the buffers */
        assert_int_equal(ft_haar_detect(a, im.px, im.w, im.h, im.w, &p, ra, 16384, &na), FT_OK);
        assert_int_equal(ft_haar_detect(b, im.px, im.w, im.h, im.w, &p, rb, 16384, &nb), FT_OK);
        if (!(na > 20 && na <= 16384))
            fail_msg("%d hits", na);
        assert_int_equal(na, nb);
        assert_memory_equal(ra, rb, (size_t)na * sizeof *ra);
    }
    ft_haar_detector_free(a);
    ft_haar_detector_free(b);
    pthreadpool_destroy(pool);
    free(im.px);
}

/* groupRectangles(rects, 1, 0.2): a class of 3 near (10, 10, 20, 20), a
 * lone rect, and a class of 2 inside the first that it absorbs. */
static void groups_like_opencv(void **state)
{
    (void)state;
    ft_rect r[] = {{10, 10, 20, 20}, {100, 100, 30, 30}, {11, 10, 20, 21}, {12, 11, 21, 20},
                   {14, 14, 10, 10}, {15, 14, 10, 10}};
    const int n = ft_group_rectangles(r, 6, 1, 0.2);
    /* the class of 3: sums 33, 31, 61, 61 / 3 -> 11 10 20 20; the lone rect
     * has 1 <= 1 member; the class of 2 (14.5 -> 14, 14, 10, 10) lies inside
     * the first within 0.2 of its size, and has fewer than 3 members. */
    assert_int_equal(n, 1);
    assert_int_equal(r[0].x, 11);
    assert_int_equal(r[0].y, 10);
    assert_int_equal(r[0].width, 20);
    assert_int_equal(r[0].height, 20);
    ft_rect same[] = {{1, 2, 3, 4}};
    assert_int_equal(ft_group_rectangles(same, 1, 0, 0.2), 1); /* threshold 0: untouched */
}

static void refuses(const char *xml, const char *want)
{
    ft_cascade c;
    char err[512];
    ft_status st = ft_cascade_parse(xml, strlen(xml), "bad.xml", &c, err, sizeof err);
    assert_int_not_equal(st, FT_OK);
    if (strncmp(err, "bad.xml: ", 9) != 0 || !strstr(err, want) || strchr(err, '\n'))
        fail_msg("error '%s' should name bad.xml and say '%s'", err, want);
    assert_null(c.stages);
}

static char *replaced(const char *xml, const char *from, const char *to)
{
    static char buf[8192];
    const char *at = strstr(xml, from);
    assert_non_null(at);
    snprintf(buf, sizeof buf, "%.*s%s%s", (int)(at - xml), xml, to, at + strlen(from));
    return buf;
}

static void malformed_files_are_refused(void **state)
{
    (void)state;
    char truncated[600];
    snprintf(truncated, sizeof truncated, "%.*s", 500, stump_xml);
    refuses(truncated, "not a cascade XML file");
    refuses("", "not a cascade XML file");
    /* libxml2's own message runs over two lines here: one line still */
    refuses("<?xml version=\"1.0\"?>\n<opencv_storage>\xdb\xdb\xdb\xdb</opencv_storage>",
            "not proper UTF-8");
    refuses("<?xml version=\"1.0\"?><opencv_storage><x>1</x></opencv_storage>",
            "is not a cascade classifier");
    refuses("<?xml version=\"1.0\"?><html/>", "no element inside <opencv_storage>");
    refuses(replaced(stump_xml, "<_>5 1 2 6 -1.</_>", "<_>5 1 4 6 2.</_>"), "outside the 8x8");
    refuses(replaced(stump_xml, "0 -1 2 0.005", "0 -1 7 0.005"), "feature 7 of 3");
    refuses(replaced(stump_xml, "0.7 -0.4</leafValues>", "0.7</leafValues>"), "leafValues");
    refuses(replaced(stump_xml, "HAAR", "HOG"), "featureType 'HOG'");
    refuses(replaced(stump_xml, "0 -1 0 0.01", "0 -1 0 zero"), "internalNodes");
    /* a tree whose node points back to itself would loop forever */
    refuses(replaced(tree_xml, "1 -2 2 -0.003 0 -1 1 0.02", "1 -2 2 -0.003 1 -1 1 0.02"),
            "outside its tree");
    refuses(replaced(lbp_xml, "<rect>2 1 2 2</rect>", "<rect>2 1 3 3</rect>"), "outside the 9x9");
    ft_cascade c;
    char err[512];
    assert_int_equal(ft_cascade_load("/nonexistent/cascade.xml", &c, err, sizeof err),
                     FT_ERR_NOT_FOUND);
    assert_non_null(strstr(err, "/nonexistent/cascade.xml"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_the_new_format),
        cmocka_unit_test(old_format_gives_the_same_numbers),
        cmocka_unit_test(integral_tables_match_their_definitions),
        cmocka_unit_test(stump_windows_match_naive),
        cmocka_unit_test(tree_windows_match_naive),
        cmocka_unit_test(lbp_windows_match_naive),
        cmocka_unit_test(detector_scans_like_opencv),
        cmocka_unit_test(threads_change_nothing),
        cmocka_unit_test(groups_like_opencv),
        cmocka_unit_test(malformed_files_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
