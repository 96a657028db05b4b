/* Screen landmarks -> metric landmarks -> pose (spec §5.3, MediaPipe's
 * geometry_pipeline.cc): two Procrustes fits estimate the face's scale so
 * that the relative landmark z can be unprojected through the perspective
 * camera, and a third fits the pose to the metric landmarks. Everything is
 * double; MediaPipe's float results agree to their own rounding. */
#include "base/format_error.h"
#include "face/geometry.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "face/geometry_metadata.h"
#include "face/procrustes.h"
#include "nn/model_file.h"

#define N FT_FACE_GEOMETRY_VERTICES

/* The Tasks graph's environment (spec §5.2). */
#define CAMERA_FOV_DEGREES 63.0
#define CAMERA_NEAR 1.0

struct ft_face_geometry {
    ft_geometry_metadata meta;
    double canonical[N][3]; /* vertex positions, cm */
    double weights[N];
    float weights_f[N];
    int detection_source; /* input_source FACE_DETECTION_PIPELINE: 2D landmarks */
};

ft_status ft_face_geometry_load(const char *spec, ft_face_geometry **out, char *err,
                                size_t err_size)
{
    if (!out)
        return FT_ERR_INVALID_ARG;
    *out = NULL;
    if (!spec)
        return ft_format_error(err, err_size, FT_ERR_INVALID_ARG, "%s: geometry metadata: %s", "(null)", "no file given");
    ft_model_bytes bytes;
    ft_status st = ft_model_bytes_read(spec, &bytes, err, err_size);
    if (st != FT_OK)
        return st;
    ft_face_geometry *g = calloc(1, sizeof *g);
    if (!g) {
        ft_model_bytes_free(&bytes);
        return ft_format_error(err, err_size, FT_ERR_NOMEM, "%s: geometry metadata: %s", spec, "out of memory");
    }
    char reason[256];
    st = ft_geometry_metadata_parse(bytes.data, bytes.size, &g->meta, reason, sizeof reason);
    ft_model_bytes_free(&bytes);
    if (st == FT_OK && g->meta.vertex_count != N) {
        snprintf(reason, sizeof reason, "canonical mesh has %d vertices, expected %d",
                 g->meta.vertex_count, N);
        st = FT_ERR_FORMAT;
    }
    if (st != FT_OK) {
        ft_face_geometry_free(g);
        return ft_format_error(err, err_size, st, "%s: geometry metadata: %s", spec, reason);
    }
    for (int i = 0; i < N; i++)
        for (int k = 0; k < 3; k++)
            g->canonical[i][k] = g->meta.vertices[i * FT_GEOMETRY_VERTEX_SIZE + k];
    /* A landmark listed twice keeps its last weight, as in MediaPipe. */
    for (int i = 0; i < g->meta.basis_count; i++)
        g->weights_f[g->meta.basis_ids[i]] = g->meta.basis_weights[i];
    double total = 0;
    for (int i = 0; i < N; i++)
        total += g->weights[i] = g->weights_f[i];
    if (!(total > 1e-9)) {
        ft_face_geometry_free(g);
        return ft_format_error(err, err_size, FT_ERR_FORMAT, "%s: geometry metadata: %s", spec, "Procrustes basis weights sum to 0");
    }
    g->detection_source = g->meta.input_source == 2;
    *out = g;
    return FT_OK;
}

void ft_face_geometry_free(ft_face_geometry *g)
{
    if (!g)
        return;
    ft_geometry_metadata_free(&g->meta);
    free(g);
}

const float *ft_face_geometry_vertices(const ft_face_geometry *g)
{
    return g->meta.vertices;
}

int ft_face_geometry_indices(const ft_face_geometry *g, const uint32_t **indices)
{
    *indices = g->meta.indices;
    return g->meta.index_count;
}

const float *ft_face_geometry_weights(const ft_face_geometry *g, int *basis_count)
{
    if (basis_count)
        *basis_count = g->meta.basis_count;
    return g->weights_f;
}

/* MediaPipe's IsScreenLandmarkListTooCompact, in its float arithmetic so
 * the same faces are skipped; a NaN or infinity counts as unusable too. */
static int unusable(const float (*norm)[3])
{
    for (int i = 0; i < N; i++)
        if (!isfinite(norm[i][0]) || !isfinite(norm[i][1]) || !isfinite(norm[i][2]))
            return 1;
    float mx = 0, my = 0, worst = 0;
    for (int i = 0; i < N; i++) {
        mx += (norm[i][0] - mx) / (float)(i + 1);
        my += (norm[i][1] - my) / (float)(i + 1);
    }
    for (int i = 0; i < N; i++) {
        const float dx = norm[i][0] - mx, dy = norm[i][1] - my;
        worst = fmaxf(worst, dx * dx + dy * dy);
    }
    return sqrtf(worst) <= 1e-3f;
}

/* Step 5/6: move z to the near plane, divide by SCALE, unproject x and y
 * through the pinhole and turn to the right-handed metric frame. */
static void unproject(const double (*screen)[3], double depth_offset, double scale,
                      double (*out)[3])
{
    for (int i = 0; i < N; i++) {
        const double z = (screen[i][2] - depth_offset + CAMERA_NEAR) / scale;
        out[i][0] = screen[i][0] * z / CAMERA_NEAR;
        out[i][1] = screen[i][1] * z / CAMERA_NEAR;
        out[i][2] = -z;
    }
}

static int solve(const ft_face_geometry *g, const double (*target)[3], double m[4][4])
{
    return ft_procrustes_solve((const double(*)[3])g->canonical, target, g->weights, N, m);
}

/* Scale of the canonical -> TARGET fit: the norm of its first column. */
static int fit_scale(const ft_face_geometry *g, const double (*target)[3], double *scale)
{
    double m[4][4];
    if (solve(g, target, m) != 0)
        return -1;
    *scale = sqrt(m[0][0] * m[0][0] + m[1][0] * m[1][0] + m[2][0] * m[2][0]);
    return 0;
}

/* FACE_DETECTION_PIPELINE only: the landmarks carry no depth, so their z
 * is replaced by that of the canonical face under a fit. */
static int refit_depth(const ft_face_geometry *g, double (*pts)[3], double m[4][4])
{
    if (solve(g, (const double(*)[3])pts, m) != 0)
        return -1;
    for (int i = 0; i < N; i++) {
        const double *c = g->canonical[i];
        pts[i][2] = m[2][0] * c[0] + m[2][1] * c[1] + m[2][2] * c[2] + m[2][3];
    }
    return 0;
}

/* MESH = pose^-1 * metric (the inverse of [A | t] is [A^-1 | -A^-1 t]). */
static int to_canonical_frame(const double m[4][4], const double (*metric)[3], float (*mesh)[3])
{
    const double a = m[0][0], b = m[0][1], c = m[0][2], d = m[1][0], e = m[1][1], f = m[1][2],
                 gg = m[2][0], h = m[2][1], k = m[2][2];
    const double det = a * (e * k - f * h) - b * (d * k - f * gg) + c * (d * h - e * gg);
    if (!(fabs(det) > 1e-12))
        return -1;
    const double inv[3][3] = {{(e * k - f * h) / det, (c * h - b * k) / det, (b * f - c * e) / det},
                              {(f * gg - d * k) / det, (a * k - c * gg) / det, (c * d - a * f) / det},
                              {(d * h - e * gg) / det, (b * gg - a * h) / det, (a * e - b * d) / det}};
    for (int i = 0; i < N; i++) {
        const double p[3] = {metric[i][0] - m[0][3], metric[i][1] - m[1][3], metric[i][2] - m[2][3]};
        for (int r = 0; r < 3; r++)
            mesh[i][r] = (float)(inv[r][0] * p[0] + inv[r][1] * p[1] + inv[r][2] * p[2]);
    }
    return 0;
}

ft_status ft_face_geometry_pose(const ft_face_geometry *g, const float (*norm)[3], int count,
                                int image_width, int image_height, float matrix[16],
                                float (*mesh)[3])
{
    if (!g || !norm || !matrix || count < N || image_width <= 0 || image_height <= 0)
        return FT_ERR_INVALID_ARG;
    if (unusable(norm))
        return FT_ERR_INVALID_ARG;
    /* Steps 1-2: the near plane of the frustum, y flipped (origin top-left). */
    const double h_near = 2 * CAMERA_NEAR * tan(0.5 * CAMERA_FOV_DEGREES * M_PI / 180);
    const double w_near = image_width * h_near / image_height;
    const double left = -0.5 * w_near, bottom = -0.5 * h_near;
    double screen[N][3], pts[N][3], m[4][4];
    double depth_offset = 0;
    for (int i = 0; i < N; i++) {
        screen[i][0] = norm[i][0] * w_near + left;
        screen[i][1] = (1 - (double)norm[i][1]) * h_near + bottom;
        screen[i][2] = norm[i][2] * w_near;
        depth_offset += screen[i][2];
    }
    depth_offset /= N; /* step 3 */
    /* Step 4: a first scale from the projected points as they are. */
    for (int i = 0; i < N; i++) {
        pts[i][0] = screen[i][0];
        pts[i][1] = screen[i][1];
        pts[i][2] = -screen[i][2];
    }
    double s1, s2;
    if (fit_scale(g, (const double(*)[3])pts, &s1) != 0)
        return FT_ERR_INVALID_ARG;
    /* Step 5: unproject with it and fit again for a correction. */
    unproject((const double(*)[3])screen, depth_offset, s1, pts);
    if (g->detection_source && refit_depth(g, pts, m) != 0)
        return FT_ERR_INVALID_ARG;
    if (fit_scale(g, (const double(*)[3])pts, &s2) != 0)
        return FT_ERR_INVALID_ARG;
    /* Step 6: the metric landmarks and their pose. */
    unproject((const double(*)[3])screen, depth_offset, s1 * s2, pts);
    if (solve(g, (const double(*)[3])pts, m) != 0)
        return FT_ERR_INVALID_ARG;
    if (g->detection_source && (refit_depth(g, pts, m) != 0 || solve(g, (const double(*)[3])pts, m) != 0))
        return FT_ERR_INVALID_ARG;
    if (mesh && to_canonical_frame((const double(*)[4])m, (const double(*)[3])pts, mesh) != 0)
        return FT_ERR_INVALID_ARG;
    for (int c = 0; c < 4; c++)
        for (int r = 0; r < 4; r++)
            matrix[c * 4 + r] = (float)m[r][c];
    return FT_OK;
}

void ft_face_pose_angles(const float matrix[16], float *yaw, float *pitch, float *roll)
{
    double r[3][3];
    for (int c = 0; c < 3; c++) {
        const double n = sqrt((double)matrix[c * 4] * matrix[c * 4] +
                              (double)matrix[c * 4 + 1] * matrix[c * 4 + 1] +
                              (double)matrix[c * 4 + 2] * matrix[c * 4 + 2]);
        for (int k = 0; k < 3; k++)
            r[k][c] = n > 0 ? matrix[c * 4 + k] / n : 0;
    }
    /* R = Ry(a) Rx(b) Rz(c): column 2 = (sin a cos b, -sin b, cos a cos b),
     * row 1 = (cos b sin c, cos b cos c, -sin b); pitch = -b, roll = -c. */
    const double deg = 180 / M_PI;
    double a, b, c;
    b = asin(fmax(-1.0, fmin(1.0, -r[1][2])));
    if (hypot(r[0][2], r[2][2]) > 1e-9) {
        a = atan2(r[0][2], r[2][2]);
        c = atan2(r[1][0], r[1][1]);
    } else {
        /* Looking straight up or down: yaw and roll turn about the same
         * axis; call it all yaw. Column 0 is then (cos a, 0, -sin a). */
        a = atan2(-r[2][0], r[0][0]);
        c = 0;
    }
    if (yaw)
        *yaw = (float)(a * deg);
    if (pitch)
        *pitch = (float)(-b * deg);
    if (roll)
        *roll = (float)(-c * deg);
}
