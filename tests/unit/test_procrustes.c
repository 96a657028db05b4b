/* The 3x3 SVD and the weighted Procrustes solver on synthetic data: exact
 * reconstructions, rank-deficient matrices, known similarity transforms,
 * no reflections, and the degenerate cases MediaPipe rejects. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "face/procrustes.h"

static uint32_t rng = 7;
static double uniform(void) /* [-1, 1) */
{
    rng = rng * 1664525u + 1013904223u;
    return (double)(rng >> 8) / (1 << 23) - 1;
}

static double det3(const double m[3][3])
{
    return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
           m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
           m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}

/* max |M^T M - I| over the entries. */
static double orthogonality(const double m[3][3])
{
    double worst = 0;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            const double d = m[0][i] * m[0][j] + m[1][i] * m[1][j] + m[2][i] * m[2][j];
            worst = fmax(worst, fabs(d - (i == j)));
        }
    return worst;
}

static void check_svd(const double a[3][3])
{
    double u[3][3], s[3], v[3][3], worst = 0;
    ft_svd3(a, u, s, v);
    assert_true(s[0] >= s[1] && s[1] >= s[2] && s[2] >= 0);
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 3; c++) {
            const double x = u[r][0] * s[0] * v[c][0] + u[r][1] * s[1] * v[c][1] + u[r][2] * s[2] * v[c][2];
            worst = fmax(worst, fabs(x - a[r][c]));
        }
    assert_true(worst < 1e-12 * fmax(1, s[0]));
    assert_true(orthogonality((const double(*)[3])u) < 1e-12);
    assert_true(orthogonality((const double(*)[3])v) < 1e-12);
}

static void svd(void **state)
{
    (void)state;
    double a[3][3];
    for (int t = 0; t < 1000; t++) {
        for (int i = 0; i < 9; i++)
            a[i / 3][i % 3] = uniform() * 10;
        check_svd((const double(*)[3])a);
    }
    /* Rank 2 (a row repeated), rank 1 (an outer product), zero, identity. */
    const double rank2[3][3] = {{1, 2, 3}, {4, 5, 6}, {1, 2, 3}};
    const double rank1[3][3] = {{1, 2, 3}, {2, 4, 6}, {-1, -2, -3}};
    const double zero[3][3] = {{0}};
    const double id[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    check_svd(rank2);
    check_svd(rank1);
    check_svd(zero);
    check_svd(id);
}

/* A random rotation: Gram-Schmidt of random vectors, made proper. */
static void random_rotation(double r[3][3])
{
    double a[3][3];
    for (int i = 0; i < 9; i++)
        a[i / 3][i % 3] = uniform();
    double u[3][3], s[3], v[3][3];
    ft_svd3((const double(*)[3])a, u, s, v);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            r[i][j] = u[i][0] * v[j][0] + u[i][1] * v[j][1] + u[i][2] * v[j][2];
    if (det3((const double(*)[3])r) < 0)
        for (int i = 0; i < 3; i++)
            r[i][2] = -r[i][2];
}

static void known_transforms(void **state)
{
    (void)state;
    double src[40][3], dst[40][3], w[40], m[4][4], r[3][3];
    for (int t = 0; t < 100; t++) {
        random_rotation(r);
        const double s = 0.5 + fabs(uniform()) * 3, tr[3] = {uniform() * 20, uniform() * 20, uniform() * 80};
        for (int i = 0; i < 40; i++) {
            for (int k = 0; k < 3; k++)
                src[i][k] = uniform() * 8;
            for (int k = 0; k < 3; k++)
                dst[i][k] = s * (r[k][0] * src[i][0] + r[k][1] * src[i][1] + r[k][2] * src[i][2]) + tr[k];
            w[i] = i % 3 == 0 ? 0 : fabs(uniform()) + 0.01; /* some points do not count */
        }
        assert_int_equal(ft_procrustes_solve((const double(*)[3])src, (const double(*)[3])dst, w, 40, m), 0);
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++)
                assert_true(fabs(m[i][j] - s * r[i][j]) < 1e-10);
            assert_true(fabs(m[i][3] - tr[i]) < 1e-9);
            assert_true(m[3][i] == 0);
        }
        assert_true(m[3][3] == 1);
    }
}

static void no_reflection(void **state)
{
    (void)state;
    /* The target is the source mirrored in x: the best proper rotation
     * is returned, never the mirror. */
    double src[20][3], dst[20][3], w[20], m[4][4], rot[3][3];
    for (int i = 0; i < 20; i++) {
        for (int k = 0; k < 3; k++)
            src[i][k] = uniform() * 5;
        dst[i][0] = -src[i][0];
        dst[i][1] = src[i][1];
        dst[i][2] = src[i][2];
        w[i] = 1;
    }
    assert_int_equal(ft_procrustes_solve((const double(*)[3])src, (const double(*)[3])dst, w, 20, m), 0);
    const double s = sqrt(m[0][0] * m[0][0] + m[1][0] * m[1][0] + m[2][0] * m[2][0]);
    for (int i = 0; i < 9; i++)
        rot[i / 3][i % 3] = m[i / 3][i % 3] / s;
    assert_true(det3((const double(*)[3])rot) > 0.999);
    assert_true(orthogonality((const double(*)[3])rot) < 1e-9);
}

static void degenerate(void **state)
{
    (void)state;
    double src[4][3] = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, dst[4][3], m[4][4];
    const double zero_w[4] = {0, 0, 0, 0}, w[4] = {1, 1, 1, 1};
    memcpy(dst, src, sizeof dst);
    assert_int_equal(ft_procrustes_solve((const double(*)[3])src, (const double(*)[3])dst, zero_w, 4, m), -1);
    /* Every target at one point: the design matrix vanishes. */
    memset(dst, 0, sizeof dst);
    assert_int_equal(ft_procrustes_solve((const double(*)[3])src, (const double(*)[3])dst, w, 4, m), -1);
    /* Every source at one point: the scale's denominator vanishes. */
    memcpy(dst, src, sizeof dst);
    memset(src, 0, sizeof src);
    assert_int_equal(ft_procrustes_solve((const double(*)[3])src, (const double(*)[3])dst, w, 4, m), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(svd),
        cmocka_unit_test(known_transforms),
        cmocka_unit_test(no_reflection),
        cmocka_unit_test(degenerate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
