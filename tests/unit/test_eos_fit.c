/* The eos model readers and fitting on the Surrey Face Model files
 * (shared/models/eos): the files read as eos writes them; faces made from
 * the model with known shape and expression coefficients, seen by a known
 * scaled orthographic camera, give back their pose, their expressions and a
 * mesh that lands on the points (exactly with fixed correspondences, within
 * 1 degree and 1 px with eos's contour fitting near frontal poses); the
 * MediaPipe to iBUG points and jawOpen; truncated or malformed files are
 * refused in one line naming the file. Exits 77 without the shared
 * models. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "face/eos_assets.h"
#include "face/eos_fit.h"
#include "face/eos_model.h"
#include "face/mesh_to_ibug68.h"
#include "face_test_util.h"
#include "scratch_file.h"

#define SHAPE "models/eos/sfm_shape_3448.bin"
#define BLENDSHAPES "models/eos/expression_blendshapes_3448.bin"
#define MAPPER "models/eos/ibug_to_sfm.txt"
#define CONTOUR "models/eos/sfm_model_contours.json"
#define EDGES "models/eos/sfm_3448_edge_topology.json"

static char shape_path[1024], blend_path[1024], mapper_path[1024], contour_path[1024],
    edges_path[1024];
static ft_eos_model model;
static ft_eos_mapper mapper;
static ft_eos_contour contour;
static ft_eos_edges edges;

static void copy_path(char *dst, const char *rel)
{
    snprintf(dst, 1024, "%s", ft_test_shared_path(rel));
}

static void load_all(void)
{
    char err[512];
    if (ft_eos_model_load(shape_path, blend_path, &model, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    if (ft_eos_mapper_load(mapper_path, model.vertex_count, &mapper, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    if (ft_eos_contour_load(contour_path, model.vertex_count, &contour, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    if (ft_eos_edges_load(edges_path, model.vertex_count, model.triangle_count, &edges, err,
                          sizeof err) != FT_OK)
        fail_msg("%s", err);
}

static void test_files_read(void **state)
{
    (void)state;
    assert_int_equal(model.vertex_count, 3448);
    assert_int_equal(model.shape_count, 63);
    assert_int_equal(model.triangle_count, 6736);
    assert_int_equal(model.expression_count, 6);
    assert_string_equal(model.expression_names[0], "anger");
    assert_string_equal(model.expression_names[5], "surprise");
    /* eigenvalues of a PCA model come sorted, the largest first */
    for (int i = 1; i < model.shape_count; i++)
        assert_true(model.eigenvalues[i] <= model.eigenvalues[i - 1]);
    /* the mapper: 50 inner points, contours 1..8 and 10..17 */
    int mapped = 0;
    for (int i = 1; i <= FT_EOS_IBUG_POINTS; i++)
        mapped += mapper.vertex_of[i] >= 0;
    assert_int_equal(mapped, 50);
    assert_int_equal(mapper.vertex_of[9], 33);
    assert_int_equal(mapper.vertex_of[31], 114);
    assert_int_equal(mapper.vertex_of[68], 404);
    assert_int_equal(mapper.vertex_of[61], -1);
    assert_int_equal(mapper.vertex_of[1], -1);
    assert_int_equal(mapper.right_count, 8);
    assert_int_equal(mapper.left_count, 8);
    assert_int_equal(mapper.right[0], 1);
    assert_int_equal(mapper.left[7], 17);
    assert_int_equal(contour.right_count, 17);
    assert_int_equal(contour.left_count, 17);
    assert_int_equal(contour.right[0], 380);
    assert_int_equal(contour.left[16], 465);
    assert_int_equal(edges.count, 10184);
    assert_int_equal(edges.faces[0][0], 193);
    assert_int_equal(edges.vertices[0][1], 894);
}

/* The iBUG points of a model face seen by a camera: the mapped vertices,
 * and for the contour points vertices of the model contour. */
static void synthetic_points(const float *mesh, const ft_eos_fit *cam, int height,
                             float points[FT_EOS_IBUG_POINTS][2])
{
    for (int i = 1; i <= FT_EOS_IBUG_POINTS; i++) {
        int v = mapper.vertex_of[i];
        if (i >= 1 && i <= 8)
            v = contour.right[2 * (i - 1)];
        else if (i >= 10 && i <= 17)
            v = contour.left[2 * (17 - i)];
        else if (i == 61 || i == 65)
            v = mapper.vertex_of[i == 61 ? 49 : 55]; /* unused by the fit */
        ft_eos_project(cam, mesh, v, height, points[i - 1]);
    }
}

static void camera(ft_eos_fit *cam, float yaw, float pitch, float roll, float s, float tx,
                   float ty)
{
    const double d = M_PI / 180.0, a = yaw * d, b = pitch * d, c = roll * d;
    /* R = Ry(a) Rx(b) Rz(c), eos's order */
    const double ry[3][3] = {{cos(a), 0, sin(a)}, {0, 1, 0}, {-sin(a), 0, cos(a)}};
    const double rx[3][3] = {{1, 0, 0}, {0, cos(b), -sin(b)}, {0, sin(b), cos(b)}};
    const double rz[3][3] = {{cos(c), -sin(c), 0}, {sin(c), cos(c), 0}, {0, 0, 1}};
    double t[3][3] = {{0}};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 3; k++)
                t[i][j] += ry[i][k] * rx[k][j];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            double v = 0;
            for (int k = 0; k < 3; k++)
                v += t[i][k] * rz[k][j];
            cam->rotation[i][j] = (float)v;
        }
    cam->scale = s;
    cam->tx = tx;
    cam->ty = ty;
}

/* Mean distance between the fitted mesh's projection and the mapped points. */
static double reprojection(ft_eos_fitter *f, const ft_eos_fit *fit, int height,
                           const float (*points)[2])
{
    double sum = 0;
    int n = 0;
    for (int i = 1; i <= FT_EOS_IBUG_POINTS; i++) {
        if (mapper.vertex_of[i] < 0)
            continue;
        float p[2];
        ft_eos_project(fit, ft_eos_fitter_mesh(f), mapper.vertex_of[i], height, p);
        sum += hypot(p[0] - points[i - 1][0], p[1] - points[i - 1][1]);
        n++;
    }
    return sum / n;
}

typedef struct synthetic_case {
    float yaw, pitch, roll;
    float shape_sd; /* shape coefficients: this times a fixed pseudo-normal draw */
    float expression[6];
} synthetic_case;

static void check_case(const synthetic_case *c, float lambda, int contours, int iterations,
                       double max_angle, double max_reprojection, double max_expression_error)
{
    const int w = 1280, h = 720;
    float shape[63];
    uint32_t seed = 12345u;
    for (int i = 0; i < 63; i++) { /* Irwin-Hall(4) - 2: mean 0, sd 0.58 */
        float s = 0;
        for (int k = 0; k < 4; k++) {
            seed = seed * 1664525u + 1013904223u;
            s += (float)(seed >> 8) / 16777216.0f;
        }
        shape[i] = (s - 2.0f) / 0.577f * c->shape_sd;
    }
    float *mesh = malloc(3 * (size_t)model.vertex_count * sizeof(float));
    assert_non_null(mesh);
    ft_eos_model_instance(&model, shape, 63, c->expression, 6, mesh);
    ft_eos_fit cam = {0};
    camera(&cam, c->yaw, c->pitch, c->roll, 2.2f, 300.0f, 160.0f);
    float points[FT_EOS_IBUG_POINTS][2];
    synthetic_points(mesh, &cam, h, points);

    ft_eos_fitter *f = NULL;
    char err[256];
    assert_int_equal(ft_eos_fitter_create(&model, &mapper, &contour, &edges, &f, err, sizeof err),
                     FT_OK);
    ft_eos_fit fit;
    assert_int_equal(ft_eos_fitter_fit(f, (const float(*)[2])points, w, h, iterations, lambda,
                                       contours, &fit),
                     FT_OK);
    const double err_px = reprojection(f, &fit, h, (const float(*)[2])points);
    double expr_err = 0;
    for (int i = 0; i < 6; i++)
        expr_err = fmax(expr_err, fabs(fit.expression[i] - c->expression[i]));
    print_message("%s, %d iterations, yaw %.1f pitch %.1f roll %.1f, lambda %g: fitted %.3f %.3f %.3f, scale %.4f "
                  "(2.2), reprojection %.4f px, expressions off by %.4f at most, %d pairs\n",
                  contours ? "contours" : "fixed", iterations, c->yaw, c->pitch, c->roll, lambda, fit.yaw, fit.pitch, fit.roll, fit.scale,
                  err_px, expr_err, fit.correspondences);
    assert_true(fabsf(fit.yaw - c->yaw) < max_angle);
    assert_true(fabsf(fit.pitch - c->pitch) < max_angle);
    assert_true(fabsf(fit.roll - c->roll) < max_angle);
    assert_true(fabsf(fit.scale - 2.2f) < 0.05f * (float)max_angle);
    assert_true(err_px < max_reprojection);
    assert_true(expr_err < max_expression_error);
    for (int i = 0; i < 6; i++)
        assert_true(fit.expression[i] >= 0.0f); /* NNLS */
    ft_eos_fitter_free(f);
    free(mesh);
}

/* eos's fit with fixed correspondences (the 50 mapped points) on the mean
 * face: exact, whatever the pose; with expressions the alternation needs
 * more than eos's 5 iterations to get all the way. */
static void test_synthetic_fixed_points(void **state)
{
    (void)state;
    const synthetic_case neutral[] = {
        {0, 0, 0, 0, {0}}, {25, -10, 5, 0, {0}}, {-30, 12, -8, 0, {0}}, {5, -5, 2, 0, {0}}};
    for (size_t i = 0; i < sizeof neutral / sizeof neutral[0]; i++)
        check_case(&neutral[i], FT_EOS_LAMBDA_IDENTITY, 0, FT_EOS_ITERATIONS, 0.01, 0.01, 0.001);
    const synthetic_case expressive[] = {{25, -10, 5, 0, {0, 0, 0, 0.8f, 0, 0.3f}},
                                         {-30, 12, -8, 0, {0.5f, 0, 0.2f, 0, 0, 0}},
                                         {-6, 8, 0, 0, {0, 0, 0, 0.6f, 0, 0}}};
    for (size_t i = 0; i < sizeof expressive / sizeof expressive[0]; i++) {
        check_case(&expressive[i], FT_EOS_LAMBDA_IDENTITY, 0, FT_EOS_ITERATIONS, 1.0, 0.5, 0.2);
        check_case(&expressive[i], FT_EOS_LAMBDA_IDENTITY, 0, 50, 0.05, 0.05, 0.01);
    }
}

/* A face of its own (shape coefficients drawn with sd 0.2) and a smile:
 * shape and pose trade off a little on 50 points, so the pose is within 1
 * degree and the mesh on the points once the prior is weak. */
static void test_synthetic_shape(void **state)
{
    (void)state;
    const synthetic_case face = {15, 5, -3, 0.2f, {0, 0, 0, 0.8f, 0, 0.3f}};
    check_case(&face, 1e-3f, 0, 100, 1.0, 0.1, 0.25);
}

/* The engine's fit, eos's fit_shape_and_pose with the contour landmarks
 * (here the model contour's own vertices) and the occluding edges, near
 * frontal poses, where the model contour is the face's outline. */
static void test_synthetic_contours(void **state)
{
    (void)state;
    const synthetic_case cases[] = {{0, 0, 0, 0, {0}},
                                    {5, -5, 2, 0, {0}},
                                    {-6, 8, 0, 0, {0, 0, 0, 0.6f, 0, 0}}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_case(&cases[i], FT_EOS_LAMBDA_IDENTITY, 1, FT_EOS_ITERATIONS, 1.0, 1.0, 0.3);
}

/* The next data line of FP (comments skipped) into LINE; 0 at the end. */
static int data_line(FILE *fp, char *line, size_t size)
{
    while (fgets(line, (int)size, fp))
        if (line[0] != '#' && line[0] != '\n')
            return 1;
    return 0;
}

/* eos's own fit_shape_and_pose (its C++ at commit ce98420, eos-py's
 * defaults) on the points the engine found on 18 frames of the shared
 * clips (tests/fixtures/eos_peer): the same pose, shape and expressions. */
static void test_against_eos(void **state)
{
    (void)state;
    const char *root = getenv("FT_SOURCE_DIR");
    if (!root) {
        print_message("SKIP: FT_SOURCE_DIR not set\n");
        return;
    }
    char path[1024], line[16384], fits_line[16384];
    snprintf(path, sizeof path, "%s/tests/fixtures/eos_peer/points.txt", root);
    FILE *points_fp = fopen(path, "r");
    snprintf(path, sizeof path, "%s/tests/fixtures/eos_peer/eos_fits.txt", root);
    FILE *fits_fp = fopen(path, "r");
    assert_non_null(points_fp);
    assert_non_null(fits_fp);
    ft_eos_fitter *f = NULL;
    char err[256];
    assert_int_equal(ft_eos_fitter_create(&model, &mapper, &contour, &edges, &f, err, sizeof err),
                     FT_OK);
    double worst_angle = 0, worst_shape = 0, worst_expr = 0;
    int frames = 0, same = 0;
    while (data_line(points_fp, line, sizeof line)) {
        assert_true(data_line(fits_fp, fits_line, sizeof fits_line));
        char *p = line, *q = fits_line;
        const int w = (int)strtol(p, &p, 10), h = (int)strtol(p, &p, 10);
        float pts[FT_EOS_IBUG_POINTS][2];
        for (int i = 0; i < FT_EOS_IBUG_POINTS; i++) {
            pts[i][0] = strtof(p, &p);
            pts[i][1] = strtof(p, &p);
        }
        double want[3 + 1 + 63 + 6];
        for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
            want[i] = strtod(q, &q);
        ft_eos_fit fit;
        assert_int_equal(ft_eos_fitter_fit(f, (const float(*)[2])pts, w, h, FT_EOS_ITERATIONS,
                                           FT_EOS_LAMBDA_IDENTITY, 1, &fit),
                         FT_OK);
        double angle = fmax(fabs(fit.yaw - want[0]),
                            fmax(fabs(fit.pitch - want[1]), fabs(fit.roll - want[2])));
        double shape = 0, expr = 0;
        for (int i = 0; i < 63; i++)
            shape = fmax(shape, fabs(fit.shape[i] - want[4 + i]));
        for (int i = 0; i < 6; i++)
            expr = fmax(expr, fabs(fit.expression[i] - want[67 + i]));
        worst_angle = fmax(worst_angle, angle);
        worst_shape = fmax(worst_shape, shape);
        worst_expr = fmax(worst_expr, expr);
        same += angle < 0.01 && shape < 0.001;
        frames++;
    }
    print_message("against eos on %d frames: angles within %.3f deg, shape coefficients %.4f, "
                  "expressions %.4f; %d frames the same to 0.01 deg\n",
                  frames, worst_angle, worst_shape, worst_expr, same);
    /* measured: 0.34 deg, 0.19, 0.13 (float against eos's float Eigen,
     * where a pair of the occluding contour chosen otherwise carries on);
     * 4 of the 18 frames the same */
    assert_int_equal(frames, 18);
    assert_true(worst_angle < 0.6);
    assert_true(worst_shape < 0.35);
    assert_true(worst_expr < 0.25);
    assert_true(same >= 2);
    ft_eos_fitter_free(f);
    fclose(points_fp);
    fclose(fits_fp);
}

static void expect_refused(ft_status st, const char *err, const char *path, const char *reason);

/* The files are read once per process: the same paths give the same
 * assets until the last is given back; a bad file is one line naming it. */
static void test_assets_shared(void **state)
{
    (void)state;
    const char *paths[FT_EOS_FILES] = {shape_path,   blend_path,   mapper_path,
                                       edges_path,   contour_path, mapper_path};
    const ft_eos_assets *a = NULL, *b = NULL;
    char err[512];
    assert_int_equal(ft_eos_assets_acquire(paths, &a, err, sizeof err), FT_OK);
    assert_int_equal(ft_eos_assets_acquire(paths, &b, err, sizeof err), FT_OK);
    assert_ptr_equal(a, b);
    assert_int_equal(a->model.vertex_count, 3448);
    assert_int_equal(a->mapper.right_count, 8);
    assert_int_equal(a->edges.count, 10184);
    ft_eos_assets_release(a);
    ft_eos_assets_release(b);
    const char *bad[FT_EOS_FILES] = {shape_path,   blend_path,   mapper_path,
                                     contour_path, contour_path, mapper_path};
    const ft_eos_assets *c = NULL;
    expect_refused(ft_eos_assets_acquire(bad, &c, err, sizeof err), err, contour_path,
                   "edge_topology");
    assert_null(c);
}

static void test_degenerate_points(void **state)
{
    (void)state;
    ft_eos_fitter *f = NULL;
    char err[256];
    assert_int_equal(ft_eos_fitter_create(&model, &mapper, &contour, &edges, &f, err, sizeof err),
                     FT_OK);
    float points[FT_EOS_IBUG_POINTS][2] = {{0}};
    ft_eos_fit fit;
    /* all points on one spot: no camera */
    assert_int_equal(ft_eos_fitter_fit(f, (const float(*)[2])points, 640, 480, 5, 30.0f, 1, &fit),
                     FT_ERR_INVALID_ARG);
    points[3][0] = NAN;
    assert_int_equal(ft_eos_fitter_fit(f, (const float(*)[2])points, 640, 480, 5, 30.0f, 1, &fit),
                     FT_ERR_INVALID_ARG);
    ft_eos_fitter_free(f);
}

static void test_mesh_to_ibug68(void **state)
{
    (void)state;
    int32_t mesh[468][3];
    for (int i = 0; i < 468; i++) {
        mesh[i][0] = i;
        mesh[i][1] = 1000 + 2 * i;
        mesh[i][2] = 0;
    }
    float p[68][2];
    ft_ibug68_from_mesh((const int32_t(*)[3])mesh, p);
    assert_float_equal(p[0][0], 127.0f, 0);      /* one point */
    assert_float_equal(p[3][0], (132 + 58) / 2.0f, 0); /* a pair's mean */
    assert_float_equal(p[28][1], 1000 + (197 + 195), 0);
    assert_float_equal(p[67][0], 87.0f, 0);
    /* jawOpen: inner lips 10 px apart on a face 100 px from nose to chin */
    float q[68][2] = {{0}};
    q[8][1] = 200;
    q[33][1] = 100;
    for (int i = 60; i <= 64; i++)
        q[i][1] = 150;
    for (int i = 65; i <= 67; i++)
        q[i][1] = 160;
    assert_float_equal(ft_ibug68_jaw_open((const float(*)[2])q), 0.1f, 1e-6);
    q[8][1] = q[33][1];
    assert_float_equal(ft_ibug68_jaw_open((const float(*)[2])q), 0.0f, 0);
}

/* --------------------------------------------------------------- refusals */

static char *slurp(const char *path, size_t *size)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    *size = (size_t)ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *d = malloc(*size + 1);
    assert_non_null(d);
    assert_int_equal(fread(d, 1, *size, fp), *size);
    fclose(fp);
    return d;
}

static void expect_refused(ft_status st, const char *err, const char *path, const char *reason)
{
    assert_int_not_equal(st, FT_OK);
    assert_non_null(strstr(err, path));
    if (!strstr(err, reason))
        fail_msg("'%s' does not say '%s'", err, reason);
    assert_null(strchr(err, '\n'));
}

static void test_truncated_models(void **state)
{
    (void)state;
    size_t shape_size, blend_size;
    char *shape = slurp(shape_path, &shape_size);
    char *blend = slurp(blend_path, &blend_size);
    scratch_file s;
    assert_int_equal(scratch_file_init(&s, "eos", "model.bin"), 0);
    char err[512];
    ft_eos_model m;
    /* cut in the header, the mean, the basis, the triangles, the texture
     * coordinates, and one byte short */
    const size_t cuts[] = {2, 20, 50000, 2729000, 2750000, shape_size - 1};
    const char *where[] = {"model version", "mean", "basis", "triangles", "texture", "texture"};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        scratch_file_write(&s, shape, cuts[i]);
        ft_status st = ft_eos_model_load(s.path, blend_path, &m, err, sizeof err);
        expect_refused(st, err, s.path, "truncated");
        expect_refused(st, err, s.path, where[i]);
    }
    /* a byte too many */
    char *longer = malloc(shape_size + 1);
    memcpy(longer, shape, shape_size);
    longer[shape_size] = 0;
    scratch_file_write(&s, longer, shape_size + 1);
    expect_refused(ft_eos_model_load(s.path, blend_path, &m, err, sizeof err), err, s.path,
                   "unexpected bytes");
    /* not a model: the blendshapes file given as the shape model */
    expect_refused(ft_eos_model_load(blend_path, blend_path, &m, err, sizeof err), err,
                   blend_path, "eos");
    /* truncated blendshapes */
    scratch_file_write(&s, blend, blend_size - 100);
    expect_refused(ft_eos_model_load(shape_path, s.path, &m, err, sizeof err), err, s.path,
                   "truncated in blendshape 'surprise'");
    scratch_file_write(&s, blend, 5);
    expect_refused(ft_eos_model_load(shape_path, s.path, &m, err, sizeof err), err, s.path,
                   "truncated");
    /* a vertex index out of the model */
    memcpy(longer, shape, shape_size);
    const size_t first_triangle = 4 + 8 + 10344 * 4 + 8 + 10344 * 63 * 4 + 8 + 63 * 4 + 8;
    const int32_t bad_vertex = 5000;
    memcpy(longer + first_triangle, &bad_vertex, 4);
    scratch_file_write(&s, longer, shape_size);
    expect_refused(ft_eos_model_load(s.path, blend_path, &m, err, sizeof err), err, s.path,
                   "vertex 5000");
    /* a missing file */
    expect_refused(ft_eos_model_load("/nonexistent/sfm.bin", blend_path, &m, err, sizeof err),
                   err, "/nonexistent/sfm.bin", "sfm.bin");
    free(longer);
    free(shape);
    free(blend);
    scratch_file_remove(&s);
}

static void test_malformed_companions(void **state)
{
    (void)state;
    scratch_file s;
    assert_int_equal(scratch_file_init(&s, "eos", "file.txt"), 0);
    char err[512];
    ft_eos_mapper mp;
    const char *no_contour = "[landmark_mappings]\n9 = 33\n31 = 114\n37 = 177\n46 = 610\n";
    scratch_file_write(&s, no_contour, strlen(no_contour));
    expect_refused(ft_eos_mapper_load(s.path, 3448, &mp, err, sizeof err), err, s.path,
                   "contour_landmarks");
    const char *bad_vertex = "[landmark_mappings]\n9 = 99999\n";
    scratch_file_write(&s, bad_vertex, strlen(bad_vertex));
    expect_refused(ft_eos_mapper_load(s.path, 3448, &mp, err, sizeof err), err, s.path,
                   "line 2");
    const char *bad_point = "[landmark_mappings]\n69 = 5\n";
    scratch_file_write(&s, bad_point, strlen(bad_point));
    expect_refused(ft_eos_mapper_load(s.path, 3448, &mp, err, sizeof err), err, s.path,
                   "iBUG point");
    const char *unclosed = "[landmark_mappings]\n9 = 33\n31 = 114\n37 = 177\n46 = 610\n"
                           "[contour_landmarks]\nright = [ 1, 2,\n";
    scratch_file_write(&s, unclosed, strlen(unclosed));
    expect_refused(ft_eos_mapper_load(s.path, 3448, &mp, err, sizeof err), err, s.path,
                   "array");
    /* strings as values, and contours on one line, as TOML allows */
    const char *quoted = "[landmark_mappings]\n\"9\" = \"33\"\n31 = 114\n37 = 177\n46 = 610\n"
                         "[contour_landmarks]\nright = [\"1\", 2]\nleft = [16, 17]\n";
    scratch_file_write(&s, quoted, strlen(quoted));
    assert_int_equal(ft_eos_mapper_load(s.path, 3448, &mp, err, sizeof err), FT_OK);
    assert_int_equal(mp.vertex_of[9], 33);
    assert_int_equal(mp.right_count, 2);
    assert_int_equal(mp.left[1], 17);

    ft_eos_contour c;
    const char *truncated_json = "{\"model_contour\": {\"right_contour\": [380, 373";
    scratch_file_write(&s, truncated_json, strlen(truncated_json));
    expect_refused(ft_eos_contour_load(s.path, 3448, &c, err, sizeof err), err, s.path,
                   "invalid JSON");
    const char *no_left = "{\"model_contour\": {\"right_contour\": [380, 373]}}";
    scratch_file_write(&s, no_left, strlen(no_left));
    expect_refused(ft_eos_contour_load(s.path, 3448, &c, err, sizeof err), err, s.path,
                   "left_contour");
    ft_eos_edges e;
    const char *bad_edges = "{\"edge_topology\": {\"adjacent_faces\": [{\"value0\": 1, "
                            "\"value1\": 2}], \"adjacent_vertices\": [{\"value0\": 0, "
                            "\"value1\": 2}]}}";
    scratch_file_write(&s, bad_edges, strlen(bad_edges));
    expect_refused(ft_eos_edges_load(s.path, 3448, 6736, &e, err, sizeof err), err, s.path,
                   "adjacent_vertices[0]");
    size_t size;
    char *edges_text = slurp(edges_path, &size);
    scratch_file_write(&s, edges_text, size / 2);
    expect_refused(ft_eos_edges_load(s.path, 3448, 6736, &e, err, sizeof err), err, s.path,
                   "invalid JSON");
    free(edges_text);
    scratch_file_remove(&s);
}

int main(void)
{
    copy_path(shape_path, SHAPE);
    copy_path(blend_path, BLENDSHAPES);
    copy_path(mapper_path, MAPPER);
    copy_path(contour_path, CONTOUR);
    copy_path(edges_path, EDGES);
    if (!ft_test_have(shape_path) || !ft_test_have(blend_path) || !ft_test_have(mapper_path) ||
        !ft_test_have(contour_path) || !ft_test_have(edges_path))
        return 77;
    load_all();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_files_read),
        cmocka_unit_test(test_synthetic_fixed_points),
        cmocka_unit_test(test_synthetic_shape),
        cmocka_unit_test(test_synthetic_contours),
        cmocka_unit_test(test_against_eos),
        cmocka_unit_test(test_assets_shared),
        cmocka_unit_test(test_degenerate_points),
        cmocka_unit_test(test_mesh_to_ibug68),
        cmocka_unit_test(test_truncated_models),
        cmocka_unit_test(test_malformed_companions),
    };
    const int failed = cmocka_run_group_tests(tests, NULL, NULL);
    ft_eos_model_free(&model);
    ft_eos_edges_free(&edges);
    return failed;
}
