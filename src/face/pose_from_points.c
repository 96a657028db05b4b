/* Head pose from named landmarks: see pose_from_points.h. */
#include "face/pose_from_points.h"

#include <math.h>
#include <string.h>

#define MAX_POINTS 9
#define MAX_RING 16
#define LM_ITERATIONS 30

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* A named landmark and the canonical mesh vertices whose mean it is. */
typedef struct reference {
    int index; /* in the scheme's points */
    int vertices[MAX_RING];
    int vertex_count;
} reference;

/* Eye centres (YuNet's and SCRFD's eye keypoints are the pupils): the mean
 * of the mesh's eye contour rings. "right" is the subject's right eye, on
 * the image's left for a frontal face, as OpenCV's FaceDetectorYN orders
 * its keypoints. */
#define RIGHT_EYE_RING {33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246}
#define LEFT_EYE_RING {263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466}

static const reference five_points[] = {
    {0, RIGHT_EYE_RING, 16}, {1, LEFT_EYE_RING, 16}, {2, {1}, 1}, /* nose tip */
    {3, {61}, 1},  /* right mouth corner */
    {4, {291}, 1}, /* left mouth corner */
};

/* iBUG 300-W points that do not slide with the view (the jaw line is an
 * occluding contour, so it is left out). OpenSeeFace's 66 points are the
 * 68 without the inner mouth corners 60 and 64, so indices below 60 agree. */
static const reference ibug_points[] = {
    {8, {152}, 1},  /* chin */
    {30, {1}, 1},   /* nose tip */
    {33, {2}, 1},   /* below the nose */
    {36, {33}, 1},  /* right eye, outer corner */
    {39, {133}, 1}, /* right eye, inner corner */
    {42, {362}, 1}, /* left eye, inner corner */
    {45, {263}, 1}, /* left eye, outer corner */
    {48, {61}, 1},  /* right mouth corner */
    {54, {291}, 1}, /* left mouth corner */
};

static const reference *references_of(ft_landmark_scheme scheme, int *n)
{
    switch (scheme) {
    case FT_LANDMARKS_5:
        *n = (int)(sizeof five_points / sizeof five_points[0]);
        return five_points;
    case FT_LANDMARKS_66:
    case FT_LANDMARKS_68:
        *n = (int)(sizeof ibug_points / sizeof ibug_points[0]);
        return ibug_points;
    default:
        *n = 0;
        return NULL;
    }
}

int ft_pose_points_supported(ft_landmark_scheme scheme)
{
    int n;
    return references_of(scheme, &n) != NULL;
}

/* The camera of geometry.h in pixels: focal length and principal point. */
typedef struct camera {
    double f, cx, cy;
} camera;

typedef struct problem {
    camera cam;
    double model[MAX_POINTS][3]; /* canonical points, cm */
    double seen[MAX_POINTS][2];  /* pixels */
    int n;
} problem;

/* exp of the skew matrix of W (Rodrigues). */
static void rotation_of(const double w[3], double r[3][3])
{
    const double t = sqrt(w[0] * w[0] + w[1] * w[1] + w[2] * w[2]);
    const double k[3] = {t > 0 ? w[0] / t : 0, t > 0 ? w[1] / t : 0, t > 0 ? w[2] / t : 0};
    const double c = cos(t), s = sin(t), v = 1 - c;
    r[0][0] = c + k[0] * k[0] * v;
    r[0][1] = k[0] * k[1] * v - k[2] * s;
    r[0][2] = k[0] * k[2] * v + k[1] * s;
    r[1][0] = k[1] * k[0] * v + k[2] * s;
    r[1][1] = c + k[1] * k[1] * v;
    r[1][2] = k[1] * k[2] * v - k[0] * s;
    r[2][0] = k[2] * k[0] * v - k[1] * s;
    r[2][1] = k[2] * k[1] * v + k[0] * s;
    r[2][2] = c + k[2] * k[2] * v;
}

static void multiply3(double a[3][3], double b[3][3], double out[3][3])
{
    double m[3][3];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            m[i][j] = a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j];
    memcpy(out, m, sizeof m);
}

/* Residuals (pixels) of the pose exp(DW) R, T + DT; 0 when every point is
 * in front of the camera. */
static int residuals(const problem *p, double r[3][3], const double t[3], const double d[6],
                     double *out)
{
    double dr[3][3], rr[3][3];
    rotation_of(d, dr);
    multiply3(dr, r, rr);
    for (int i = 0; i < p->n; i++) {
        double c[3];
        for (int k = 0; k < 3; k++)
            c[k] = rr[k][0] * p->model[i][0] + rr[k][1] * p->model[i][1] +
                   rr[k][2] * p->model[i][2] + t[k] + d[3 + k];
        if (c[2] > -1e-6) /* the camera looks down -z */
            return -1;
        out[2 * i] = p->cam.cx + p->cam.f * c[0] / -c[2] - p->seen[i][0];
        out[2 * i + 1] = p->cam.cy - p->cam.f * c[1] / -c[2] - p->seen[i][1];
    }
    return 0;
}

static double squared(const double *v, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++)
        s += v[i] * v[i];
    return s;
}

/* Solves A x = B for a 6 x 6 A (Gaussian elimination, partial pivoting). */
static int solve6(double a[6][6], double b[6], double x[6])
{
    for (int c = 0; c < 6; c++) {
        int p = c;
        for (int r = c + 1; r < 6; r++)
            if (fabs(a[r][c]) > fabs(a[p][c]))
                p = r;
        if (fabs(a[p][c]) < 1e-300)
            return -1;
        for (int k = 0; k < 6; k++) {
            const double s = a[c][k];
            a[c][k] = a[p][k];
            a[p][k] = s;
        }
        const double s = b[c];
        b[c] = b[p];
        b[p] = s;
        for (int r = c + 1; r < 6; r++) {
            const double m = a[r][c] / a[c][c];
            for (int k = c; k < 6; k++)
                a[r][k] -= m * a[c][k];
            b[r] -= m * b[c];
        }
    }
    for (int c = 5; c >= 0; c--) {
        double s = b[c];
        for (int k = c + 1; k < 6; k++)
            s -= a[c][k] * x[k];
        x[c] = s / a[c][c];
    }
    return 0;
}

static int invert3(double m[3][3], double out[3][3])
{
    const double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
                       m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
                       m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    if (!(fabs(det) > 1e-12))
        return -1;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            const int i1 = (j + 1) % 3, i2 = (j + 2) % 3, j1 = (i + 1) % 3, j2 = (i + 2) % 3;
            out[i][j] = (m[i1][j1] * m[i2][j2] - m[i1][j2] * m[i2][j1]) / det;
        }
    return 0;
}

/* Weak perspective: centred image points (camera units) = s [r1; r2] times
 * centred model points, fitted as an affine map by least squares; the
 * rotation is the nearest orthonormal completion, the depth 1 / s. */
static int weak_perspective(const problem *p, double r[3][3], double t[3])
{
    double mean_m[3] = {0}, mean_x[2] = {0};
    double x[MAX_POINTS][2];
    for (int i = 0; i < p->n; i++) {
        x[i][0] = (p->seen[i][0] - p->cam.cx) / p->cam.f;
        x[i][1] = (p->cam.cy - p->seen[i][1]) / p->cam.f;
        for (int k = 0; k < 3; k++)
            mean_m[k] += p->model[i][k] / p->n;
        mean_x[0] += x[i][0] / p->n;
        mean_x[1] += x[i][1] / p->n;
    }
    double mm[3][3] = {{0}}, mx[3][2] = {{0}}, inv[3][3];
    for (int i = 0; i < p->n; i++) {
        double m[3];
        for (int k = 0; k < 3; k++)
            m[k] = p->model[i][k] - mean_m[k];
        for (int a = 0; a < 3; a++) {
            for (int b = 0; b < 3; b++)
                mm[a][b] += m[a] * m[b];
            mx[a][0] += m[a] * (x[i][0] - mean_x[0]);
            mx[a][1] += m[a] * (x[i][1] - mean_x[1]);
        }
    }
    if (invert3(mm, inv) != 0)
        return -1;
    double rows[2][3];
    for (int row = 0; row < 2; row++)
        for (int k = 0; k < 3; k++)
            rows[row][k] = inv[k][0] * mx[0][row] + inv[k][1] * mx[1][row] + inv[k][2] * mx[2][row];
    const double s1 = sqrt(squared(rows[0], 3)), s2 = sqrt(squared(rows[1], 3));
    if (!(s1 > 1e-12 && s2 > 1e-12))
        return -1;
    for (int k = 0; k < 3; k++)
        r[0][k] = rows[0][k] / s1;
    const double along = r[0][0] * rows[1][0] + r[0][1] * rows[1][1] + r[0][2] * rows[1][2];
    for (int k = 0; k < 3; k++)
        r[1][k] = rows[1][k] - along * r[0][k];
    const double n2 = sqrt(squared(r[1], 3));
    if (!(n2 > 1e-12))
        return -1;
    for (int k = 0; k < 3; k++)
        r[1][k] /= n2;
    r[2][0] = r[0][1] * r[1][2] - r[0][2] * r[1][1];
    r[2][1] = r[0][2] * r[1][0] - r[0][0] * r[1][2];
    r[2][2] = r[0][0] * r[1][1] - r[0][1] * r[1][0];
    const double depth = 2 / (s1 + s2); /* distance of the model's centre */
    const double centre[3] = {mean_x[0] * depth, mean_x[1] * depth, -depth};
    for (int k = 0; k < 3; k++)
        t[k] = centre[k] -
               (r[k][0] * mean_m[0] + r[k][1] * mean_m[1] + r[k][2] * mean_m[2]);
    return 0;
}

/* Levenberg-Marquardt over a rotation increment (left-multiplied, so the
 * parameters stay near 0 and no logarithm of R is needed) and the
 * translation; a forward-difference Jacobian is ample for 6 unknowns. */
static int refine(const problem *p, double r[3][3], double t[3], double *rms)
{
    const int m = 2 * p->n;
    double res[2 * MAX_POINTS], trial[2 * MAX_POINTS], jac[2 * MAX_POINTS][6];
    const double zero[6] = {0};
    if (residuals(p, r, t, zero, res) != 0)
        return -1;
    double cost = squared(res, m), lambda = 1e-3;
    for (int it = 0; it < LM_ITERATIONS; it++) {
        for (int j = 0; j < 6; j++) {
            double d[6] = {0};
            const double h = j < 3 ? 1e-6 : 1e-4 * (1 + fabs(t[j - 3]));
            d[j] = h;
            if (residuals(p, r, t, d, trial) != 0)
                return -1;
            for (int i = 0; i < m; i++)
                jac[i][j] = (trial[i] - res[i]) / h;
        }
        double jtj[6][6] = {{0}}, jtr[6] = {0};
        for (int i = 0; i < m; i++)
            for (int a = 0; a < 6; a++) {
                jtr[a] -= jac[i][a] * res[i];
                for (int b = 0; b < 6; b++)
                    jtj[a][b] += jac[i][a] * jac[i][b];
            }
        int improved = 0;
        for (int tries = 0; tries < 10 && !improved; tries++) {
            double a[6][6], b[6], d[6];
            memcpy(a, jtj, sizeof a);
            memcpy(b, jtr, sizeof b);
            for (int k = 0; k < 6; k++)
                a[k][k] += lambda * (jtj[k][k] + 1e-12);
            if (solve6(a, b, d) != 0)
                return -1;
            if (residuals(p, r, t, d, trial) == 0 && squared(trial, m) < cost) {
                double dr[3][3];
                rotation_of(d, dr);
                multiply3(dr, r, r);
                for (int k = 0; k < 3; k++)
                    t[k] += d[3 + k];
                memcpy(res, trial, sizeof(double) * (size_t)m);
                const double before = cost;
                cost = squared(res, m);
                lambda = fmax(lambda / 10, 1e-9);
                improved = 1;
                if (before - cost < 1e-12 * (1 + before))
                    it = LM_ITERATIONS; /* converged */
            } else {
                lambda *= 10;
            }
        }
        if (!improved)
            break;
    }
    *rms = sqrt(cost / p->n);
    return 0;
}

ft_status ft_face_pose_from_points(const ft_face_geometry *g, ft_landmark_scheme scheme,
                                   const float (*points)[3], int count, int image_width,
                                   int image_height, float matrix[16], float *rms_px)
{
    int nref;
    const reference *refs = references_of(scheme, &nref);
    if (!g || !refs || !points || !matrix || image_width <= 0 || image_height <= 0)
        return FT_ERR_INVALID_ARG;
    const float *vertices = ft_face_geometry_vertices(g);
    problem p = {.n = 0};
    p.cam.f = 0.5 * image_height / tan(0.5 * 63.0 * M_PI / 180);
    p.cam.cx = 0.5 * image_width;
    p.cam.cy = 0.5 * image_height;
    for (int i = 0; i < nref; i++) {
        if (refs[i].index >= count)
            return FT_ERR_INVALID_ARG;
        const float *pt = points[refs[i].index];
        if (!isfinite(pt[0]) || !isfinite(pt[1]))
            return FT_ERR_INVALID_ARG;
        p.seen[p.n][0] = pt[0];
        p.seen[p.n][1] = pt[1];
        for (int k = 0; k < 3; k++) {
            double s = 0;
            for (int v = 0; v < refs[i].vertex_count; v++)
                s += vertices[refs[i].vertices[v] * 5 + k];
            p.model[p.n][k] = s / refs[i].vertex_count;
        }
        p.n++;
    }
    double r[3][3], t[3], rms;
    if (weak_perspective(&p, r, t) != 0 || refine(&p, r, t, &rms) != 0)
        return FT_ERR_INVALID_ARG;
    for (int c = 0; c < 3; c++) {
        for (int k = 0; k < 3; k++)
            matrix[c * 4 + k] = (float)r[k][c];
        matrix[c * 4 + 3] = 0.0f;
    }
    for (int k = 0; k < 3; k++)
        matrix[12 + k] = (float)t[k];
    matrix[15] = 1.0f;
    if (rms_px)
        *rms_px = (float)rms;
    return FT_OK;
}
