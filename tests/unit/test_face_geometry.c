/* Face geometry (spec §5): the metadata as spec §5.1 lists it, MediaPipe's
 * golden pose matrix and metric mesh (face_geometry_expected_out.pbtxt, from
 * the portrait's golden landmarks at 820 x 1024, MediaPipe's margin 1e-4),
 * the yaw/pitch/roll convention on synthetic rotations and on a canonical
 * face rendered through the pipeline's camera, and rejected inputs. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "face/geometry.h"
#include "face_test_util.h"
#include "pbtxt_reader.h"

#define GOLDEN "golden/mediapipe/tasks_testdata_vision/"
#define NV FT_FACE_GEOMETRY_VERTICES

static char metadata_path[2048], landmarks_path[2048], expected_path[2048];
static ft_face_geometry *geometry;
static float landmarks[478][3];

static void metadata_facts(void **state)
{
    (void)state;
    const float *v = ft_face_geometry_vertices(geometry);
    assert_float_equal(v[0], 0.0f, 1e-6f);
    assert_float_equal(v[1], -3.406404f, 1e-6f);
    assert_float_equal(v[2], 5.979507f, 1e-6f);
    assert_float_equal(v[3], 0.499977f, 1e-6f);
    assert_float_equal(v[4], 0.652534f, 1e-6f);
    const uint32_t *idx;
    assert_int_equal(ft_face_geometry_indices(geometry, &idx), 2694);
    int basis = 0, nonzero = 0;
    const float *w = ft_face_geometry_weights(geometry, &basis);
    assert_int_equal(basis, 33);
    for (int i = 0; i < NV; i++)
        nonzero += w[i] != 0;
    assert_int_equal(nonzero, 33);
    const struct {
        int id;
        float w;
    } some[] = {{4, 0.070910f}, {6, 0.032100f}, {129, 0.120625f}, {358, 0.120625f}, {425, 0.047252f}};
    for (size_t i = 0; i < sizeof some / sizeof some[0]; i++)
        assert_float_equal(w[some[i].id], some[i].w, 1e-6f);
    /* The canonical face looks down +z, upright: the nose tip (1) is in
     * front of the cheeks (234, 454), the forehead (10) above the chin
     * (152), the subject's right eye corner (33) at -x (image left). */
    assert_true(v[1 * 5 + 2] > v[234 * 5 + 2] + 3 && v[1 * 5 + 2] > v[454 * 5 + 2] + 3);
    assert_true(v[10 * 5 + 1] > v[152 * 5 + 1] + 10);
    assert_true(v[33 * 5] < -3 && v[263 * 5] > 3);
    printf("canonical: nose tip z %.2f, cheeks z %.2f / %.2f cm; eye corners x %.2f / %.2f cm\n",
           v[1 * 5 + 2], v[234 * 5 + 2], v[454 * 5 + 2], v[33 * 5], v[263 * 5]);
}

static void golden_pose_and_mesh(void **state)
{
    (void)state;
    char *text = pbtxt_load(expected_path);
    assert_non_null(text);
    float want_m[16];
    static float want_mesh[NV * 5];
    assert_int_equal(pbtxt_floats(text, "packed_data", want_m, 16), 16);
    assert_int_equal(pbtxt_floats(text, "vertex_buffer", want_mesh, NV * 5), NV * 5);
    free(text);

    float m[16];
    static float mesh[NV][3];
    assert_int_equal(ft_face_geometry_pose(geometry, (const float(*)[3])landmarks, 478, 820, 1024, m, mesh),
                     FT_OK);
    double dm = 0, dmesh = 0, duv = 0;
    for (int i = 0; i < 16; i++)
        dm = fmax(dm, fabs(m[i] - want_m[i]));
    const float *canon = ft_face_geometry_vertices(geometry);
    for (int i = 0; i < NV; i++) {
        for (int k = 0; k < 3; k++)
            dmesh = fmax(dmesh, fabs(mesh[i][k] - want_mesh[i * 5 + k]));
        for (int k = 3; k < 5; k++) /* the mesh keeps the canonical uv */
            duv = fmax(duv, fabs(canon[i * 5 + k] - want_mesh[i * 5 + k]));
    }
    printf("pose matrix vs golden: max |diff| %.3g; translation %.4f %.4f %.4f cm\n", dm, m[12], m[13],
           m[14]);
    printf("metric mesh vs golden: max |diff| %.3g cm (uv %.3g)\n", dmesh, duv);
    assert_true(dm <= 1e-4);
    assert_true(dmesh <= 1e-4);
    assert_true(duv == 0);
    assert_float_equal(m[3], 0, 0);
    assert_float_equal(m[15], 1, 0);
    float yaw, pitch, roll;
    ft_face_pose_angles(m, &yaw, &pitch, &roll);
    printf("golden face: yaw %.2f, pitch %.2f, roll %.2f degrees\n", yaw, pitch, roll);
    assert_true(fabsf(yaw) < 5 && fabsf(pitch) < 5 && fabsf(roll) < 5);
    /* Extra landmarks past 468 (the iris) are not used. */
    float m468[16];
    assert_int_equal(ft_face_geometry_pose(geometry, (const float(*)[3])landmarks, 468, 820, 1024, m468, NULL),
                     FT_OK);
    assert_memory_equal(m, m468, sizeof m);
}

/* Right-handed rotations about x, y, z by A degrees, row-major. */
static void rot(int axis, double a, double r[3][3])
{
    const double c = cos(a * M_PI / 180), s = sin(a * M_PI / 180);
    const int i = (axis + 1) % 3, j = (axis + 2) % 3;
    memset(r, 0, sizeof(double) * 9);
    r[axis][axis] = 1;
    r[i][i] = c, r[i][j] = -s;
    r[j][i] = s, r[j][j] = c;
}

static void mul(const double a[3][3], const double b[3][3], double out[3][3])
{
    double t[3][3];
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 3; c++)
            t[r][c] = a[r][0] * b[0][c] + a[r][1] * b[1][c] + a[r][2] * b[2][c];
    memcpy(out, t, sizeof t);
}

/* The convention's rotation: Ry(yaw) Rx(-pitch) Rz(-roll). */
static void pose_rotation(double yaw, double pitch, double roll, double r[3][3])
{
    double x[3][3], z[3][3];
    rot(1, yaw, r);
    rot(0, -pitch, x);
    rot(2, -roll, z);
    mul((const double(*)[3])r, (const double(*)[3])x, r);
    mul((const double(*)[3])r, (const double(*)[3])z, r);
}

static void to_matrix(const double r[3][3], double scale, const double t[3], float m[16])
{
    memset(m, 0, sizeof(float) * 16);
    for (int c = 0; c < 3; c++) {
        for (int k = 0; k < 3; k++)
            m[c * 4 + k] = (float)(scale * r[k][c]);
        m[12 + c] = (float)t[c];
    }
    m[15] = 1;
}

static void angles_convention(void **state)
{
    (void)state;
    float m[16], y, p, r;
    const double zero[3] = {0, 0, 0}, t[3] = {3, -2, -60};
    double id[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, R[3][3];
    to_matrix((const double(*)[3])id, 1, zero, m);
    ft_face_pose_angles(m, &y, &p, &r);
    assert_float_equal(y, 0, 1e-6f);
    assert_float_equal(p, 0, 1e-6f);
    assert_float_equal(r, 0, 1e-6f);
    /* Yaw 30: the face's forward vector (its +z) turns towards +x, the
     * image right, i.e. the subject turns to their own left. */
    rot(1, 30, R);
    to_matrix((const double(*)[3])R, 1, t, m);
    assert_true(m[8] > 0.4f); /* f.x = R[0][2] */
    ft_face_pose_angles(m, &y, &p, &r);
    assert_float_equal(y, 30, 1e-4f);
    assert_float_equal(p, 0, 1e-4f);
    assert_float_equal(r, 0, 1e-4f);
    /* Looking up 20: the forward vector gains +y; a right-handed turn about
     * +x by -20 degrees. */
    rot(0, -20, R);
    to_matrix((const double(*)[3])R, 1, t, m);
    assert_true(m[9] > 0.3f); /* f.y = R[1][2] */
    ft_face_pose_angles(m, &y, &p, &r);
    assert_float_equal(y, 0, 1e-4f);
    assert_float_equal(p, 20, 1e-4f);
    assert_float_equal(r, 0, 1e-4f);
    /* Tilted clockwise on screen by 15: the face's up vector (+y) leans to
     * +x; a right-handed turn about the viewing axis +z by -15 degrees. */
    rot(2, -15, R);
    to_matrix((const double(*)[3])R, 1, t, m);
    assert_true(m[4] > 0.2f); /* up.x = R[0][1] */
    ft_face_pose_angles(m, &y, &p, &r);
    assert_float_equal(y, 0, 1e-4f);
    assert_float_equal(p, 0, 1e-4f);
    assert_float_equal(r, 15, 1e-4f);
    /* Combinations come back whatever the scale and translation. */
    const double cases[][3] = {{25, -10, 5}, {-40, 30, -20}, {170, 10, 0}, {-90, -45, 60},
                               {5, 80, -170}, {-120, -60, 100}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pose_rotation(cases[i][0], cases[i][1], cases[i][2], R);
        to_matrix((const double(*)[3])R, 0.8 + 0.1 * (double)i, t, m);
        ft_face_pose_angles(m, &y, &p, &r);
        assert_float_equal(y, cases[i][0], 2e-3f);
        assert_float_equal(p, cases[i][1], 2e-3f);
        assert_float_equal(r, cases[i][2], 2e-3f);
    }
    /* Straight up: roll folds into yaw; the rotation is still the same. */
    pose_rotation(20, 90, 0, R);
    to_matrix((const double(*)[3])R, 1, t, m);
    ft_face_pose_angles(m, &y, &p, &r);
    assert_float_equal(p, 90, 0.05f);
    assert_float_equal(y, 20, 0.05f);
    assert_float_equal(r, 0, 0.05f);
    ft_face_pose_angles(m, NULL, NULL, NULL); /* any output may be NULL */
}

/* The canonical face posed by YAW, PITCH, ROLL at T and photographed by
 * the pipeline's camera (640 x 480): image-normalised landmarks whose z is
 * the depth relative to the face's mean, scaled like x at that depth (the
 * landmark model's convention). */
static void render(double yaw, double pitch, double roll, const double t[3], float (*out)[3])
{
    const int w = 640, h = 480;
    const double h_near = 2 * tan(0.5 * 63 * M_PI / 180), w_near = w * h_near / h;
    const float *v = ft_face_geometry_vertices(geometry);
    double R[3][3], depth[NV], mean = 0;
    pose_rotation(yaw, pitch, roll, R);
    for (int i = 0; i < NV; i++) {
        double p[3];
        for (int k = 0; k < 3; k++)
            p[k] = R[k][0] * v[i * 5] + R[k][1] * v[i * 5 + 1] + R[k][2] * v[i * 5 + 2] + t[k];
        depth[i] = -p[2];
        mean += depth[i] / NV;
        out[i][0] = (float)((p[0] / depth[i] + 0.5 * w_near) / w_near);
        out[i][1] = (float)(1 - (p[1] / depth[i] + 0.5 * h_near) / h_near);
    }
    for (int i = 0; i < NV; i++)
        out[i][2] = (float)((depth[i] - mean) / mean / w_near);
}

static void rendered_faces(void **state)
{
    (void)state;
    static float front[NV][3], lm[NV][3];
    const double t[3] = {4, -3, -55};
    render(0, 0, 0, t, front);
    const double cases[][3] = {{0, 0, 0},  {30, 0, 0},   {-30, 0, 0}, {0, 20, 0},
                               {0, -20, 0}, {0, 0, 25}, {0, 0, -25}, {20, -15, 10}};
    double worst = 0, worst_t = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const double *c = cases[i];
        render(c[0], c[1], c[2], t, lm);
        float m[16], y, p, r;
        assert_int_equal(ft_face_geometry_pose(geometry, (const float(*)[3])lm, NV, 640, 480, m, NULL), FT_OK);
        ft_face_pose_angles(m, &y, &p, &r);
        worst = fmax(worst, fmax(fabs(y - c[0]), fmax(fabs(p - c[1]), fabs(r - c[2]))));
        for (int k = 0; k < 3; k++)
            worst_t = fmax(worst_t, fabs(m[12 + k] - t[k]));
        /* What the signs mean in the image, against the frontal face: nose
         * tip 1 to the right for yaw > 0 and up for pitch > 0; for roll > 0
         * the line from eye corner 33 (image left) to 263 runs down-right. */
        const double nose_dx = (lm[1][0] - (lm[234][0] + lm[454][0]) / 2) -
                               (front[1][0] - (front[234][0] + front[454][0]) / 2);
        const double nose_dy = (lm[1][1] - (lm[10][1] + lm[152][1]) / 2) -
                               (front[1][1] - (front[10][1] + front[152][1]) / 2);
        const double eye_dy = lm[263][1] - lm[33][1];
        if (c[0] != 0)
            assert_true(c[0] > 0 ? nose_dx > 0 : nose_dx < 0);
        if (c[1] != 0)
            assert_true(c[1] > 0 ? nose_dy < 0 : nose_dy > 0);
        if (c[2] != 0)
            assert_true(c[2] > 0 ? eye_dy > 0 : eye_dy < 0);
    }
    printf("rendered canonical faces: angles within %.3g degrees, translation within %.3g cm\n", worst,
           worst_t);
    assert_true(worst < 0.01);
    assert_true(worst_t < 0.01);
}

static void rejected_inputs(void **state)
{
    (void)state;
    static float lm[478][3];
    float m[16];
    /* Too compact: every point within 1e-3 of the xy mean (spec §5.2). */
    for (int i = 0; i < 478; i++) {
        lm[i][0] = 0.5f + (landmarks[i][0] - 0.5f) * 1e-3f;
        lm[i][1] = 0.5f + (landmarks[i][1] - 0.25f) * 1e-3f;
        lm[i][2] = landmarks[i][2];
    }
    assert_int_equal(ft_face_geometry_pose(geometry, (const float(*)[3])lm, 478, 820, 1024, m, NULL),
                     FT_ERR_INVALID_ARG);
    for (int i = 0; i < 478; i++)
        lm[i][0] = lm[i][1] = 0.5f;
    assert_int_equal(ft_face_geometry_pose(geometry, (const float(*)[3])lm, 478, 820, 1024, m, NULL),
                     FT_ERR_INVALID_ARG);
    /* A NaN anywhere, even in a landmark outside the Procrustes basis. */
    memcpy(lm, landmarks, sizeof lm);
    lm[300][0] = NAN;
    assert_int_equal(ft_face_geometry_pose(geometry, (const float(*)[3])lm, 478, 820, 1024, m, NULL),
                     FT_ERR_INVALID_ARG);
    /* Every point on one line: still a (rank-1) Procrustes problem that
     * MediaPipe solves; the result must at least be finite. */
    for (int i = 0; i < 478; i++)
        lm[i][0] = lm[i][1] = (float)i / 478, lm[i][2] = 0;
    assert_int_equal(ft_face_geometry_pose(geometry, (const float(*)[3])lm, 478, 820, 1024, m, NULL),
                     FT_OK);
    for (int i = 0; i < 16; i++)
        assert_true(isfinite(m[i]));
    const float(*good)[3] = (const float(*)[3])landmarks;
    assert_int_equal(ft_face_geometry_pose(geometry, good, 467, 820, 1024, m, NULL), FT_ERR_INVALID_ARG);
    assert_int_equal(ft_face_geometry_pose(geometry, good, 478, 0, 1024, m, NULL), FT_ERR_INVALID_ARG);
    assert_int_equal(ft_face_geometry_pose(geometry, good, 478, 820, -1, m, NULL), FT_ERR_INVALID_ARG);
    assert_int_equal(ft_face_geometry_pose(NULL, good, 478, 820, 1024, m, NULL), FT_ERR_INVALID_ARG);
    assert_int_equal(ft_face_geometry_pose(geometry, NULL, 478, 820, 1024, m, NULL), FT_ERR_INVALID_ARG);
    assert_int_equal(ft_face_geometry_pose(geometry, good, 478, 820, 1024, NULL, NULL), FT_ERR_INVALID_ARG);
}

/* input_source FACE_DETECTION_PIPELINE (the metadata with "input_source: 2"
 * appended; the last value wins): z comes from the canonical face, so the
 * pose moves a little but stays that of the same face. */
static void detection_input_source(void **state)
{
    (void)state;
    FILE *f = fopen(metadata_path, "rb");
    assert_non_null(f);
    static unsigned char bytes[20002];
    size_t n = fread(bytes, 1, sizeof bytes - 2, f);
    fclose(f);
    bytes[n++] = 0x18; /* field 3, varint */
    bytes[n++] = 2;
    char path[] = "/tmp/ft_geometry_detection_XXXXXX";
    const int fd = mkstemp(path);
    assert_true(fd >= 0);
    f = fdopen(fd, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, n, f), n);
    fclose(f);
    ft_face_geometry *g;
    char err[512];
    const ft_status st = ft_face_geometry_load(path, &g, err, sizeof err);
    remove(path);
    if (st != FT_OK)
        fail_msg("%s", err);
    float a[16], b[16], ya, pa, ra, yb, pb, rb;
    const float(*lm)[3] = (const float(*)[3])landmarks;
    assert_int_equal(ft_face_geometry_pose(geometry, lm, 478, 820, 1024, a, NULL), FT_OK);
    assert_int_equal(ft_face_geometry_pose(g, lm, 478, 820, 1024, b, NULL), FT_OK);
    ft_face_pose_angles(a, &ya, &pa, &ra);
    ft_face_pose_angles(b, &yb, &pb, &rb);
    printf("detection input source: yaw %.2f pitch %.2f roll %.2f, translation %.2f %.2f %.2f cm\n",
           yb, pb, rb, b[12], b[13], b[14]);
    assert_true(fabsf(ya - yb) < 10 && fabsf(pa - pb) < 10 && fabsf(ra - rb) < 10);
    assert_true(fabsf(a[14] - b[14]) < 0.1f * fabsf(a[14]));
    ft_face_geometry_free(g);
}

static void loads_from_the_bundle(void **state)
{
    (void)state;
    const char *task = ft_test_shared_path("models/face_landmarker_v2_with_blendshapes.task");
    if (!ft_test_have(task))
        skip();
    char spec[2200];
    snprintf(spec, sizeof spec, "%s:geometry_pipeline_metadata_landmarks.binarypb", task);
    ft_face_geometry *g;
    char err[512];
    if (ft_face_geometry_load(spec, &g, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    assert_memory_equal(ft_face_geometry_vertices(g), ft_face_geometry_vertices(geometry),
                        sizeof(float) * NV * 5);
    ft_face_geometry_free(g);
}

static int setup(void **state)
{
    (void)state;
    char err[512];
    if (ft_face_geometry_load(metadata_path, &geometry, err, sizeof err) != FT_OK) {
        printf("%s\n", err);
        return -1;
    }
    char *in = pbtxt_load(landmarks_path);
    const int n = in ? pbtxt_landmarks(in, landmarks, 478) : -1;
    free(in);
    if (n != 478)
        printf("%s: expected 478 landmarks, read %d\n", landmarks_path, n);
    return n == 478 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    ft_face_geometry_free(geometry);
    return 0;
}

int main(void)
{
    const char *dir = getenv("FT_NPM_MODELS_DIR");
    snprintf(metadata_path, sizeof metadata_path, "%s/geometry_pipeline_metadata_landmarks.binarypb",
             dir && *dir ? dir : "build/models");
    snprintf(landmarks_path, sizeof landmarks_path, "%s",
             ft_test_shared_path(GOLDEN "face_blendshapes_in_landmarks.prototxt"));
    snprintf(expected_path, sizeof expected_path, "%s",
             ft_test_shared_path(GOLDEN "face_geometry_expected_out.pbtxt"));
    FILE *f = fopen(metadata_path, "rb");
    if (!f) {
        printf("SKIP: %s not found (run scripts/models.sh)\n", metadata_path);
        return 77;
    }
    fclose(f);
    if (!ft_test_have(landmarks_path) || !ft_test_have(expected_path))
        return 77;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(metadata_facts),     cmocka_unit_test(golden_pose_and_mesh),
        cmocka_unit_test(angles_convention),  cmocka_unit_test(rendered_faces),
        cmocka_unit_test(rejected_inputs),    cmocka_unit_test(detection_input_source),
        cmocka_unit_test(loads_from_the_bundle),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
