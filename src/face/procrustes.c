/* WEOP after Akca (2003) §2.4 as MediaPipe writes it, with sqrt-weighted
 * point sets; the 3 x 3 SVD is one-sided Jacobi (Hestenes), exact enough in
 * double that the result is MediaPipe's float one to its own rounding. */
#include "face/procrustes.h"

#include <math.h>
#include <string.h>

#define EPS 1e-9

static double det3(const double m[3][3])
{
    return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
           m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
           m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}

void ft_svd3(const double a[3][3], double u[3][3], double s[3], double v[3][3])
{
    double w[3][3]; /* columns converge to U diag(S) */
    memcpy(w, a, sizeof w);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            v[i][j] = i == j;
    /* Rotate column pairs until all are orthogonal; 3 x 3 converges in a
     * handful of sweeps. */
    for (int sweep = 0; sweep < 60; sweep++) {
        int rotated = 0;
        for (int p = 0; p < 2; p++)
            for (int q = p + 1; q < 3; q++) {
                double alpha = 0, beta = 0, gamma = 0;
                for (int k = 0; k < 3; k++) {
                    alpha += w[k][p] * w[k][p];
                    beta += w[k][q] * w[k][q];
                    gamma += w[k][p] * w[k][q];
                }
                if (gamma == 0 || fabs(gamma) <= 1e-15 * sqrt(alpha * beta))
                    continue;
                rotated = 1;
                const double zeta = (beta - alpha) / (2 * gamma);
                const double t = (zeta >= 0 ? 1 : -1) / (fabs(zeta) + sqrt(1 + zeta * zeta));
                const double c = 1 / sqrt(1 + t * t), sn = c * t;
                for (int k = 0; k < 3; k++) {
                    const double wp = w[k][p], wq = w[k][q];
                    w[k][p] = c * wp - sn * wq;
                    w[k][q] = sn * wp + c * wq;
                    const double vp = v[k][p], vq = v[k][q];
                    v[k][p] = c * vp - sn * vq;
                    v[k][q] = sn * vp + c * vq;
                }
            }
        if (!rotated)
            break;
    }
    int order[3] = {0, 1, 2};
    double norm[3];
    for (int j = 0; j < 3; j++)
        norm[j] = sqrt(w[0][j] * w[0][j] + w[1][j] * w[1][j] + w[2][j] * w[2][j]);
    for (int i = 0; i < 3; i++) /* descending, as Eigen's JacobiSVD gives them */
        for (int j = i + 1; j < 3; j++)
            if (norm[order[j]] > norm[order[i]]) {
                const int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
    double vs[3][3];
    for (int j = 0; j < 3; j++) {
        const int o = order[j];
        s[j] = norm[o];
        for (int k = 0; k < 3; k++) {
            vs[k][j] = v[k][o];
            u[k][j] = s[j] > 0 ? w[k][o] / s[j] : 0;
        }
    }
    memcpy(v, vs, sizeof vs);
    /* Rank-deficient A: complete U from its good columns (the cross product
     * keeps it orthonormal; its sign is fixed by the caller's det check). */
    const double tiny = 1e-12 * s[0];
    if (!(s[0] > 0)) { /* A = 0: any orthogonal U */
        for (int r = 0; r < 3; r++)
            for (int k = 0; k < 3; k++)
                u[r][k] = r == k;
    } else if (s[1] <= tiny) {
        /* Any unit vector orthogonal to u0 will do. */
        const int k = fabs(u[0][0]) < 0.6 ? 0 : fabs(u[1][0]) < 0.6 ? 1 : 2;
        double e[3] = {0, 0, 0};
        e[k] = 1;
        const double d = e[0] * u[0][0] + e[1] * u[1][0] + e[2] * u[2][0];
        double n = 0;
        for (int r = 0; r < 3; r++) {
            u[r][1] = e[r] - d * u[r][0];
            n += u[r][1] * u[r][1];
        }
        for (int r = 0; r < 3; r++)
            u[r][1] /= sqrt(n);
    }
    if (s[2] <= tiny) {
        u[0][2] = u[1][0] * u[2][1] - u[2][0] * u[1][1];
        u[1][2] = u[2][0] * u[0][1] - u[0][0] * u[2][1];
        u[2][2] = u[0][0] * u[1][1] - u[1][0] * u[0][1];
    }
}

int ft_procrustes_solve(const double (*source)[3], const double (*target)[3],
                        const double *weights, int n, double out[4][4])
{
    /* With sw = sqrt(w): Ws = S sw, Wt = T sw, centre c = sum(w S) / sum(w),
     * Cs = Ws - c sw. Points of weight 0 add exactly nothing anywhere. */
    double total = 0, c[3] = {0, 0, 0};
    for (int i = 0; i < n; i++) {
        if (!(weights[i] > 0))
            continue;
        total += weights[i];
        for (int k = 0; k < 3; k++)
            c[k] += weights[i] * source[i][k];
    }
    if (!(total > EPS))
        return -1;
    for (int k = 0; k < 3; k++)
        c[k] /= total;
    /* Design matrix D = Wt Cs^T = sum_i w_i t_i (s_i - c)^T. */
    double d[3][3] = {{0}};
    for (int i = 0; i < n; i++) {
        if (!(weights[i] > 0))
            continue;
        for (int r = 0; r < 3; r++)
            for (int k = 0; k < 3; k++)
                d[r][k] += weights[i] * target[i][r] * (source[i][k] - c[k]);
    }
    double dn = 0;
    for (int r = 0; r < 3; r++)
        for (int k = 0; k < 3; k++)
            dn += d[r][k] * d[r][k];
    if (!(sqrt(dn) > EPS))
        return -1;
    double u[3][3], s[3], v[3][3], rot[3][3];
    ft_svd3((const double(*)[3])d, u, s, v);
    /* No reflections: flip U's last column (the least singular value). */
    if (det3((const double(*)[3])u) * det3((const double(*)[3])v) < 0)
        for (int r = 0; r < 3; r++)
            u[r][2] = -u[r][2];
    for (int r = 0; r < 3; r++)
        for (int k = 0; k < 3; k++)
            rot[r][k] = u[r][0] * v[k][0] + u[r][1] * v[k][1] + u[r][2] * v[k][2];
    /* scale = sum((R Cs) o Wt) / sum(Cs o Ws)
     *       = sum_i w_i t_i . R (s_i - c) / sum_i w_i s_i . (s_i - c). */
    double num = 0, den = 0;
    for (int i = 0; i < n; i++) {
        if (!(weights[i] > 0))
            continue;
        double cs[3];
        for (int k = 0; k < 3; k++)
            cs[k] = source[i][k] - c[k];
        for (int r = 0; r < 3; r++) {
            num += weights[i] * target[i][r] *
                   (rot[r][0] * cs[0] + rot[r][1] * cs[1] + rot[r][2] * cs[2]);
            den += weights[i] * source[i][r] * cs[r];
        }
    }
    if (!(den > EPS) || !(num / den > EPS))
        return -1;
    const double scale = num / den;
    /* t = sum_i w_i (t_i - scale R s_i) / sum(w). */
    double t[3] = {0, 0, 0};
    for (int i = 0; i < n; i++) {
        if (!(weights[i] > 0))
            continue;
        for (int r = 0; r < 3; r++)
            t[r] += weights[i] * (target[i][r] - scale * (rot[r][0] * source[i][0] +
                                                           rot[r][1] * source[i][1] +
                                                           rot[r][2] * source[i][2]));
    }
    for (int r = 0; r < 3; r++) {
        for (int k = 0; k < 3; k++)
            out[r][k] = scale * rot[r][k];
        out[r][3] = t[r] / total;
        out[3][r] = 0;
    }
    out[3][3] = 1;
    return 0;
}
