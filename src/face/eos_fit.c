/* eos's fit_shape_and_pose in C (see eos_fit.h for the algorithm and its
 * sources). The small dense systems are solved in double: normal equations
 * with a Cholesky factorisation (the shape system is positive definite by
 * its regularisation; the camera's is 4x4 per image axis). */
#include "face/eos_fit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/format_error.h"

/* eos: the detector's standard deviation, sqrt(3) px, in the shape prior */
#define SIGMA_SQUARED_2D 3.0
/* eos: both contours are used within +-7.5 degrees of yaw */
#define FRONTAL_RANGE_DEG 7.5f
/* eos: occluding-edge pairs at most sqrt(180 * scale) px apart */
#define EDGE_DISTANCE_THRESHOLD 180.0f
/* eos: NNLS stops after 100 iterations */
#define NNLS_MAX_ITERATIONS 100
/* Cells per side of the grid that finds the triangles a ray may hit. */
#define GRID 48

struct ft_eos_fitter {
    const ft_eos_model *model;
    const ft_eos_mapper *mapper;
    const ft_eos_contour *contour;
    const ft_eos_edges *edges;
    float *mesh;      /* current shape: pca + expressions */
    float *pca_shape; /* mean + basis * shape */
    float *base;      /* mean + expressions, for the shape fit */
    float *rotated;   /* the mesh rotated by the camera */
    unsigned char *on_boundary;
    int *cell_start, *cell_items; /* triangles per grid cell */
    int (*tri_cells)[4];          /* each triangle's cell range x0 x1 y0 y1 */
    /* 2D-3D correspondences of an iteration */
    int cap, n;
    float (*image)[2];
    int *vertex;
    double *a;        /* 2 * cap rows of up to max(K, E) columns */
    double *b;        /* 2 * cap: the right-hand sides */
    double *ata, *atb, *work;
};

/* ------------------------------------------------------------ linear algebra */

/* Solves M x = B for symmetric positive definite M (N x N, overwritten by
 * its factor). 0 when M is not positive definite. */
static int cholesky_solve(double *m, int n, double *b)
{
    for (int j = 0; j < n; j++) {
        double d = m[j * n + j];
        for (int k = 0; k < j; k++)
            d -= m[j * n + k] * m[j * n + k];
        if (!(d > 0))
            return 0;
        d = sqrt(d);
        m[j * n + j] = d;
        for (int i = j + 1; i < n; i++) {
            double s = m[i * n + j];
            for (int k = 0; k < j; k++)
                s -= m[i * n + k] * m[j * n + k];
            m[i * n + j] = s / d;
        }
    }
    for (int i = 0; i < n; i++) {
        double s = b[i];
        for (int k = 0; k < i; k++)
            s -= m[i * n + k] * b[k];
        b[i] = s / m[i * n + i];
    }
    for (int i = n - 1; i >= 0; i--) {
        double s = b[i];
        for (int k = i + 1; k < n; k++)
            s -= m[k * n + i] * b[k];
        b[i] = s / m[i * n + i];
    }
    return 1;
}

static void inverse_transpose3(const double m[3][3], double out[3][3])
{
    const double c00 = m[1][1] * m[2][2] - m[1][2] * m[2][1];
    const double c01 = m[1][2] * m[2][0] - m[1][0] * m[2][2];
    const double c02 = m[1][0] * m[2][1] - m[1][1] * m[2][0];
    const double det = m[0][0] * c00 + m[0][1] * c01 + m[0][2] * c02;
    /* inverse = adjugate / det = cofactors^T / det: its transpose is the
     * cofactor matrix / det */
    const double cof[3][3] = {
        {c00, c01, c02},
        {m[0][2] * m[2][1] - m[0][1] * m[2][2], m[0][0] * m[2][2] - m[0][2] * m[2][0],
         m[0][1] * m[2][0] - m[0][0] * m[2][1]},
        {m[0][1] * m[1][2] - m[0][2] * m[1][1], m[0][2] * m[1][0] - m[0][0] * m[1][2],
         m[0][0] * m[1][1] - m[0][1] * m[1][0]},
    };
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            out[i][j] = cof[i][j] / det;
}

/* The rotation closest to M (nonsingular, det > 0): the orthogonal factor
 * of its polar decomposition, U V^T of its SVD, by Newton's iteration
 * X <- (X + X^-T) / 2. */
static int closest_rotation(double m[3][3])
{
    for (int it = 0; it < 100; it++) {
        double inv_t[3][3], change = 0;
        inverse_transpose3((const double(*)[3])m, inv_t);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) {
                if (!isfinite(inv_t[i][j]))
                    return 0;
                const double v = 0.5 * (m[i][j] + inv_t[i][j]);
                change = fmax(change, fabs(v - m[i][j]));
                m[i][j] = v;
            }
        if (change < 1e-13)
            return 1;
    }
    return 1;
}

/* Lawson & Hanson's active-set NNLS on the normal equations: min |A x - y|
 * with x >= 0, from G = A^T A and H = A^T y (N x N and N), as eos's
 * Eigen::NNLS (at most 100 iterations). */
static void nnls(const double *g, const double *h, int n, double *x, double *work)
{
    int passive[FT_FACE_MAX_EXPRESSION_COEFFS] = {0};
    double w[FT_FACE_MAX_EXPRESSION_COEFFS], z[FT_FACE_MAX_EXPRESSION_COEFFS];
    int idx[FT_FACE_MAX_EXPRESSION_COEFFS];
    double scale = 0;
    for (int i = 0; i < n; i++) {
        x[i] = 0;
        scale = fmax(scale, fabs(g[i * n + i]));
    }
    const double tol = 1e-10 * (scale > 0 ? scale : 1);
    for (int iter = 0; iter < NNLS_MAX_ITERATIONS; iter++) {
        int best = -1;
        for (int i = 0; i < n; i++) {
            double s = h[i];
            for (int k = 0; k < n; k++)
                s -= g[i * n + k] * x[k];
            w[i] = s;
            if (!passive[i] && s > tol && (best < 0 || s > w[best]))
                best = i;
        }
        if (best < 0)
            return;
        passive[best] = 1;
        for (int inner = 0; inner < 3 * n + 3; inner++) {
            int p = 0;
            for (int i = 0; i < n; i++)
                if (passive[i])
                    idx[p++] = i;
            for (int a = 0; a < p; a++) {
                for (int b = 0; b < p; b++)
                    work[a * p + b] = g[idx[a] * n + idx[b]];
                z[a] = h[idx[a]];
            }
            if (!cholesky_solve(work, p, z)) { /* dependent columns: drop the newest */
                passive[best] = 0;
                return;
            }
            int feasible = 1;
            for (int a = 0; a < p; a++)
                feasible &= z[a] > 0;
            if (feasible) {
                for (int i = 0; i < n; i++)
                    x[i] = 0;
                for (int a = 0; a < p; a++)
                    x[idx[a]] = z[a];
                break;
            }
            double alpha = 1;
            for (int a = 0; a < p; a++)
                if (z[a] <= 0) {
                    const double xi = x[idx[a]];
                    const double t = xi - z[a] > 0 ? xi / (xi - z[a]) : 0;
                    alpha = fmin(alpha, t);
                }
            for (int a = 0; a < p; a++) {
                const int i = idx[a];
                x[i] += alpha * (z[a] - x[i]);
                if (x[i] <= 0) {
                    x[i] = 0;
                    passive[i] = 0;
                }
            }
        }
    }
}

/* ------------------------------------------------------------------ model */

void ft_eos_model_instance(const ft_eos_model *m, const float *shape, int shape_count,
                           const float *expression, int expression_count, float *restrict out)
{
    const int rows = 3 * m->vertex_count, k = m->shape_count, e = m->expression_count;
    const int ks = shape_count < k ? shape_count : k;
    const int es = expression_count < e ? expression_count : e;
    memcpy(out, m->mean, (size_t)rows * sizeof(float));
    /* column after column: no sums to reorder, so the loops vectorise */
    for (int j = 0; j < ks; j++) {
        const float c = shape[j], *restrict col = m->basis_columns + (size_t)j * (size_t)rows;
        if (c != 0.0f)
            for (int r = 0; r < rows; r++)
                out[r] += col[r] * c;
    }
    for (int r = 0; r < rows && es > 0; r++) {
        const float *x = m->expressions + (size_t)r * (size_t)e;
        float v = 0.0f;
        for (int j = 0; j < es; j++)
            v += x[j] * expression[j];
        out[r] += v;
    }
}

void ft_eos_project(const ft_eos_fit *fit, const float *mesh, int v, int height, float out[2])
{
    const float *p = mesh + 3 * v;
    const float(*r)[3] = fit->rotation;
    out[0] = fit->scale * (r[0][0] * p[0] + r[0][1] * p[1] + r[0][2] * p[2] + fit->tx);
    out[1] = (float)height - fit->scale * (r[1][0] * p[0] + r[1][1] * p[1] + r[1][2] * p[2] +
                                           fit->ty);
}

void ft_eos_angles(const float r[3][3], float *yaw, float *pitch, float *roll)
{
    /* R = Ry(a) Rx(b) Rz(c): row 1 = (cos b sin c, cos b cos c, -sin b),
     * column 2 = (sin a cos b, -sin b, cos a cos b); b in [-90, 90] as eos
     * takes it */
    const double deg = 180.0 / M_PI;
    const double b = asin(fmax(-1.0, fmin(1.0, -(double)r[1][2])));
    double a, c;
    if (hypot(r[0][2], r[2][2]) > 1e-9) {
        a = atan2(r[0][2], r[2][2]);
        c = atan2(r[1][0], r[1][1]);
    } else {
        a = atan2(-(double)r[2][0], r[0][0]);
        c = 0;
    }
    *yaw = (float)(a * deg);
    *pitch = (float)(b * deg);
    *roll = (float)(c * deg);
}

/* ---------------------------------------------------------------- fitter */

ft_status ft_eos_fitter_create(const ft_eos_model *model, const ft_eos_mapper *mapper,
                               const ft_eos_contour *contour, const ft_eos_edges *edges,
                               ft_eos_fitter **out, char *err, size_t err_size)
{
    *out = NULL;
    ft_eos_fitter *f = calloc(1, sizeof *f);
    if (!f)
        return ft_format_error(err, err_size, FT_ERR_NOMEM, "out of memory");
    f->model = model;
    f->mapper = mapper;
    f->contour = contour;
    f->edges = edges;
    const size_t rows = 3 * (size_t)model->vertex_count;
    const int width = model->shape_count > model->expression_count ? model->shape_count
                                                                   : model->expression_count;
    /* fixed points, both contours, and at most every vertex on an edge */
    f->cap = FT_EOS_IBUG_POINTS + 2 * FT_EOS_MAX_CONTOUR + model->vertex_count;
    f->mesh = malloc(rows * sizeof(float));
    f->pca_shape = malloc(rows * sizeof(float));
    f->base = malloc(rows * sizeof(float));
    f->rotated = malloc(rows * sizeof(float));
    f->on_boundary = malloc((size_t)model->vertex_count);
    f->cell_start = malloc((GRID * GRID + 1) * sizeof(int));
    f->cell_items = malloc((size_t)model->triangle_count * 16 * sizeof(int));
    f->tri_cells = malloc((size_t)model->triangle_count * sizeof *f->tri_cells);
    f->image = malloc((size_t)f->cap * sizeof *f->image);
    f->vertex = malloc((size_t)f->cap * sizeof *f->vertex);
    f->a = malloc((size_t)f->cap * 2 * (size_t)width * sizeof(double));
    f->b = malloc((size_t)f->cap * 2 * sizeof(double));
    f->ata = malloc((size_t)width * (size_t)width * sizeof(double));
    f->atb = malloc((size_t)width * sizeof(double));
    f->work = malloc((size_t)width * (size_t)width * sizeof(double));
    if (!f->mesh || !f->pca_shape || !f->base || !f->rotated || !f->on_boundary ||
        !f->cell_start || !f->cell_items || !f->tri_cells || !f->image || !f->vertex || !f->a || !f->b || !f->ata ||
        !f->atb || !f->work) {
        ft_eos_fitter_free(f);
        return ft_format_error(err, err_size, FT_ERR_NOMEM, "out of memory");
    }
    *out = f;
    return FT_OK;
}

void ft_eos_fitter_free(ft_eos_fitter *f)
{
    if (!f)
        return;
    free(f->mesh);
    free(f->pca_shape);
    free(f->base);
    free(f->rotated);
    free(f->on_boundary);
    free(f->cell_start);
    free(f->cell_items);
    free(f->tri_cells);
    free(f->image);
    free(f->vertex);
    free(f->a);
    free(f->b);
    free(f->ata);
    free(f->atb);
    free(f->work);
    free(f);
}

const float *ft_eos_fitter_mesh(const ft_eos_fitter *f)
{
    return f->mesh;
}

static void add_pair(ft_eos_fitter *f, const float p[2], int v)
{
    if (f->n == f->cap)
        return;
    f->image[f->n][0] = p[0];
    f->image[f->n][1] = p[1];
    f->vertex[f->n++] = v;
}

/* The scaled orthographic camera of the current pairs on MESH:
 * estimate_orthographic_projection_linear with the image flipped (y up). */
static int estimate_camera(ft_eos_fitter *f, const float *mesh, int height, ft_eos_fit *fit)
{
    double m[16] = {0}, k1[4] = {0}, k2[4] = {0};
    for (int i = 0; i < f->n; i++) {
        const float *v = mesh + 3 * f->vertex[i];
        const double p[4] = {v[0], v[1], v[2], 1.0};
        const double x = f->image[i][0], y = (double)height - f->image[i][1];
        for (int a = 0; a < 4; a++) {
            for (int b = 0; b < 4; b++)
                m[a * 4 + b] += p[a] * p[b];
            k1[a] += p[a] * x;
            k2[a] += p[a] * y;
        }
    }
    double m2[16];
    memcpy(m2, m, sizeof m);
    if (!cholesky_solve(m, 4, k1) || !cholesky_solve(m2, 4, k2))
        return 0;
    const double n1 = sqrt(k1[0] * k1[0] + k1[1] * k1[1] + k1[2] * k1[2]);
    const double n2 = sqrt(k2[0] * k2[0] + k2[1] * k2[1] + k2[2] * k2[2]);
    if (!(n1 > 0) || !(n2 > 0))
        return 0;
    const double s = (n1 + n2) / 2;
    double r[3][3];
    for (int j = 0; j < 3; j++) {
        r[0][j] = k1[j] / n1;
        r[1][j] = k2[j] / n2;
    }
    r[2][0] = r[0][1] * r[1][2] - r[0][2] * r[1][1];
    r[2][1] = r[0][2] * r[1][0] - r[0][0] * r[1][2];
    r[2][2] = r[0][0] * r[1][1] - r[0][1] * r[1][0];
    if (!closest_rotation(r))
        return 0;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            fit->rotation[i][j] = (float)r[i][j];
    fit->scale = (float)s;
    fit->tx = (float)(k1[3] / s);
    fit->ty = (float)(k2[3] / s);
    ft_eos_angles((const float(*)[3])fit->rotation, &fit->yaw, &fit->pitch, &fit->roll);
    return isfinite(fit->scale) && isfinite(fit->tx) && isfinite(fit->ty);
}

/* Rows of A = camera x BASIS (at the pairs' vertices) and of B = camera x
 * FACE - image, as the linear fits set them up: 2 per pair (the third,
 * homogeneous row of eos's system is zero on both sides). */
static void projected_rows(ft_eos_fitter *f, const ft_eos_fit *fit, int height,
                           const float *basis, int cols, const float *face, double *b)
{
    const float(*r)[3] = fit->rotation;
    const double s = fit->scale;
    for (int i = 0; i < f->n; i++) {
        const int v = f->vertex[i];
        const float *bx = basis + (size_t)(3 * v) * (size_t)cols;
        const float *by = bx + cols, *bz = by + cols;
        double *ax = f->a + (size_t)(2 * i) * (size_t)cols, *ay = ax + cols;
        for (int j = 0; j < cols; j++) {
            ax[j] = s * (r[0][0] * bx[j] + r[0][1] * by[j] + r[0][2] * bz[j]);
            ay[j] = -s * (r[1][0] * bx[j] + r[1][1] * by[j] + r[1][2] * bz[j]);
        }
        const float *p = face + 3 * v;
        const double px = s * (r[0][0] * p[0] + r[0][1] * p[1] + r[0][2] * p[2] + fit->tx);
        const double py =
            height - s * (r[1][0] * p[0] + r[1][1] * p[1] + r[1][2] * p[2] + fit->ty);
        b[2 * i] = px - f->image[i][0];
        b[2 * i + 1] = py - f->image[i][1];
    }
}

/* A^T A and -A^T b over the 2 n rows. */
static void normal_equations(ft_eos_fitter *f, int cols, const double *b)
{
    const int rows = 2 * f->n;
    memset(f->ata, 0, (size_t)cols * (size_t)cols * sizeof(double));
    memset(f->atb, 0, (size_t)cols * sizeof(double));
    for (int r = 0; r < rows; r++) {
        const double *restrict a = f->a + (size_t)r * (size_t)cols;
        for (int i = 0; i < cols; i++) {
            if (a[i] == 0)
                continue;
            double *restrict row = f->ata + (size_t)i * (size_t)cols;
            for (int j = 0; j <= i; j++)
                row[j] += a[i] * a[j];
            f->atb[i] -= a[i] * b[r];
        }
    }
    for (int i = 0; i < cols; i++)
        for (int j = i + 1; j < cols; j++)
            f->ata[(size_t)i * (size_t)cols + (size_t)j] = f->ata[(size_t)j * (size_t)cols + (size_t)i];
}

/* fit_shape_to_landmarks_linear: (A^T Omega A + lambda I) c = -A^T Omega b
 * with Omega = 1 / sigma^2, from the base face mean + expressions. */
static int fit_shape(ft_eos_fitter *f, const ft_eos_fit *fit, int height, float lambda,
                     float *shape, double *b)
{
    const ft_eos_model *m = f->model;
    const int k = m->shape_count;
    projected_rows(f, fit, height, m->basis, k, f->base, b);
    normal_equations(f, k, b);
    for (int i = 0; i < k * k; i++)
        f->ata[i] /= SIGMA_SQUARED_2D;
    for (int i = 0; i < k; i++) {
        f->ata[i * k + i] += lambda;
        f->atb[i] /= SIGMA_SQUARED_2D;
    }
    if (!cholesky_solve(f->ata, k, f->atb))
        return 0;
    for (int i = 0; i < k; i++)
        shape[i] = (float)f->atb[i];
    return 1;
}

/* fit_blendshapes_to_landmarks_nnls: min |A x + b| with x >= 0, from the
 * current identity shape. */
static void fit_expressions(ft_eos_fitter *f, const ft_eos_fit *fit, int height, float *expr,
                            double *b)
{
    const ft_eos_model *m = f->model;
    const int e = m->expression_count;
    projected_rows(f, fit, height, m->expressions, e, f->pca_shape, b);
    normal_equations(f, e, b); /* atb = -A^T b = A^T y for y = -b */
    double x[FT_FACE_MAX_EXPRESSION_COEFFS];
    nnls(f->ata, f->atb, e, x, f->work);
    for (int i = 0; i < e; i++)
        expr[i] = (float)x[i];
}

/* The mesh and the shape fit's base from the identity shape (pca_shape,
 * drawn when the shape coefficients change) and FIT's expressions. */
static void set_mesh(ft_eos_fitter *f, const ft_eos_fit *fit)
{
    const ft_eos_model *m = f->model;
    const int rows = 3 * m->vertex_count, e = m->expression_count;
    for (int r = 0; r < rows; r++) {
        const float *x = m->expressions + (size_t)r * (size_t)e;
        float d = 0;
        for (int j = 0; j < e; j++)
            d += x[j] * fit->expression[j];
        f->mesh[r] = f->pca_shape[r] + d;
        f->base[r] = m->mean[r] + d;
    }
}

/* get_contour_correspondences: each contour landmark of the front-facing
 * side(s) with the nearest projected vertex of the model contour. */
static void contour_pairs(ft_eos_fitter *f, const ft_eos_fit *fit, const float (*points)[2],
                          int height)
{
    const ft_eos_mapper *map = f->mapper;
    const ft_eos_contour *con = f->contour;
    int lms[2 * FT_EOS_MAX_CONTOUR], verts[2 * FT_EOS_MAX_CONTOUR], nl = 0, nv = 0;
    if (fit->yaw >= -FRONTAL_RANGE_DEG) {
        for (int i = 0; i < map->right_count; i++)
            lms[nl++] = map->right[i];
        for (int i = 0; i < con->right_count; i++)
            verts[nv++] = con->right[i];
    }
    if (fit->yaw <= FRONTAL_RANGE_DEG) {
        for (int i = 0; i < map->left_count; i++)
            lms[nl++] = map->left[i];
        for (int i = 0; i < con->left_count; i++)
            verts[nv++] = con->left[i];
    }
    float proj[2 * FT_EOS_MAX_CONTOUR][2];
    for (int j = 0; j < nv; j++)
        ft_eos_project(fit, f->mesh, verts[j], height, proj[j]);
    for (int i = 0; i < nl && nv > 0; i++) {
        const float *p = points[lms[i] - 1];
        int best = 0;
        float best_d = INFINITY;
        for (int j = 0; j < nv; j++) {
            const float dx = proj[j][0] - p[0], dy = proj[j][1] - p[1];
            const float d = dx * dx + dy * dy;
            if (d < best_d) {
                best_d = d;
                best = j;
            }
        }
        add_pair(f, p, verts[best]);
    }
}

static int sign_of(float x)
{
    return (x > 0) - (x < 0);
}

/* The rotated mesh's triangles by grid cell of their xy bounds: a ray along
 * +z from (x, y) can only hit the triangles of its cell. */
typedef struct grid_frame {
    float x0, y0, inv_w, inv_h;
} grid_frame;

static int cell_of(float v, float v0, float inv)
{
    /* truncation: monotonic like floor, and values below v0 clamp to 0 */
    const int c = (int)((v - v0) * inv);
    return c < 0 ? 0 : c >= GRID ? GRID - 1 : c;
}

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

static int build_grid(ft_eos_fitter *f, grid_frame *g)
{
    const ft_eos_model *m = f->model;
    const float *v = f->rotated;
    float x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (int i = 0; i < m->vertex_count; i++) {
        x0 = MIN(x0, v[3 * i]);
        x1 = MAX(x1, v[3 * i]);
        y0 = MIN(y0, v[3 * i + 1]);
        y1 = MAX(y1, v[3 * i + 1]);
    }
    g->x0 = x0;
    g->y0 = y0;
    g->inv_w = x1 > x0 ? GRID / (x1 - x0) : 0;
    g->inv_h = y1 > y0 ? GRID / (y1 - y0) : 0;
    int *start = f->cell_start;
    memset(start, 0, (GRID * GRID + 1) * sizeof(int));
    /* each triangle's cells, counted per cell */
    for (int t = 0; t < m->triangle_count; t++) {
        const int *tri = m->triangles[t];
        const float *a = v + 3 * tri[0], *b = v + 3 * tri[1], *c = v + 3 * tri[2];
        int *r = f->tri_cells[t];
        r[0] = cell_of(MIN(a[0], MIN(b[0], c[0])), x0, g->inv_w);
        r[1] = cell_of(MAX(a[0], MAX(b[0], c[0])), x0, g->inv_w);
        r[2] = cell_of(MIN(a[1], MIN(b[1], c[1])), y0, g->inv_h);
        r[3] = cell_of(MAX(a[1], MAX(b[1], c[1])), y0, g->inv_h);
        for (int cy = r[2]; cy <= r[3]; cy++)
            for (int cx = r[0]; cx <= r[1]; cx++)
                start[cy * GRID + cx + 1]++;
    }
    for (int c = 0; c < GRID * GRID; c++)
        start[c + 1] += start[c];
    if (start[GRID * GRID] > m->triangle_count * 16)
        return 0;
    /* then filled: start[c] runs to the next cell's start, and is put back */
    for (int t = 0; t < m->triangle_count; t++) {
        const int *r = f->tri_cells[t];
        for (int cy = r[2]; cy <= r[3]; cy++)
            for (int cx = r[0]; cx <= r[1]; cx++)
                f->cell_items[start[cy * GRID + cx]++] = t;
    }
    for (int c = GRID * GRID; c > 0; c--)
        start[c] = start[c - 1];
    start[0] = 0;
    return 1;
}

/* is_vertex_visible: a ray from P along +z hits no triangle beyond it
 * (Moeller-Trumbore, no culling, hits closer than 1e-4 ignored). */
static int visible(const ft_eos_fitter *f, const grid_frame *g, const float *p)
{
    const float *v = f->rotated;
    const int c = cell_of(p[1], g->y0, g->inv_h) * GRID + cell_of(p[0], g->x0, g->inv_w);
    for (int i = f->cell_start[c]; i < f->cell_start[c + 1]; i++) {
        const int *tri = f->model->triangles[f->cell_items[i]];
        const float *a = v + 3 * tri[0], *b = v + 3 * tri[1], *d = v + 3 * tri[2];
        const float e1[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]};
        const float e2[3] = {d[0] - a[0], d[1] - a[1], d[2] - a[2]};
        /* direction (0, 0, 1): pvec = dir x e2 */
        const float pvec[3] = {-e2[1], e2[0], 0.0f};
        const float det = e1[0] * pvec[0] + e1[1] * pvec[1];
        if (fabsf(det) < 1e-6f)
            continue;
        const float inv = 1.0f / det;
        const float tvec[3] = {p[0] - a[0], p[1] - a[1], p[2] - a[2]};
        const float u = (tvec[0] * pvec[0] + tvec[1] * pvec[1]) * inv;
        if (u < 0 || u > 1)
            continue;
        const float q[3] = {tvec[1] * e1[2] - tvec[2] * e1[1], tvec[2] * e1[0] - tvec[0] * e1[2],
                            tvec[0] * e1[1] - tvec[1] * e1[0]};
        const float w = q[2] * inv; /* dir . q */
        if (w < 0 || u + w > 1)
            continue;
        const float t = (e2[0] * q[0] + e2[1] * q[1] + e2[2] * q[2]) * inv;
        if (t > 1e-4f)
            return 0;
    }
    return 1;
}

/* find_occluding_edge_correspondences: the visible vertices of the edges
 * whose two faces turn opposite ways under the camera's rotation, each
 * paired with the nearest occluding contour landmark when within the
 * threshold. */
static void occluding_pairs(ft_eos_fitter *f, const ft_eos_fit *fit, const float (*points)[2],
                            int height)
{
    const ft_eos_model *m = f->model;
    const int *lms = fit->yaw >= 0 ? f->mapper->left : f->mapper->right;
    const int nl = fit->yaw >= 0 ? f->mapper->left_count : f->mapper->right_count;
    if (nl == 0)
        return;
    const float(*r)[3] = fit->rotation;
    for (int i = 0; i < m->vertex_count; i++) {
        const float *p = f->mesh + 3 * i;
        float *q = f->rotated + 3 * i;
        for (int k = 0; k < 3; k++)
            q[k] = r[k][0] * p[0] + r[k][1] * p[1] + r[k][2] * p[2];
    }
    memset(f->on_boundary, 0, (size_t)m->vertex_count);
    const float *v = f->rotated;
    for (int e = 0; e < f->edges->count; e++) {
        const int fa = f->edges->faces[e][0], fb = f->edges->faces[e][1];
        if (fa == 0 || fb == 0)
            continue; /* a border edge: one face */
        int s[2];
        for (int k = 0; k < 2; k++) {
            const int *t = m->triangles[(k ? fb : fa) - 1];
            const float *a = v + 3 * t[0], *b = v + 3 * t[1], *c = v + 3 * t[2];
            s[k] = sign_of((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]));
        }
        if (s[0] != s[1]) {
            f->on_boundary[f->edges->vertices[e][0] - 1] = 1;
            f->on_boundary[f->edges->vertices[e][1] - 1] = 1;
        }
    }
    grid_frame g;
    if (!build_grid(f, &g)) { /* one cell of every triangle: brute force */
        g.inv_w = g.inv_h = 0;
        for (int c = 0; c <= GRID * GRID; c++)
            f->cell_start[c] = c == 0 ? 0 : m->triangle_count;
        for (int t = 0; t < m->triangle_count; t++)
            f->cell_items[t] = t;
    }
    const float limit = EDGE_DISTANCE_THRESHOLD * fit->scale;
    for (int i = 0; i < m->vertex_count; i++) {
        if (!f->on_boundary[i] || !visible(f, &g, v + 3 * i))
            continue;
        float proj[2];
        ft_eos_project(fit, f->mesh, i, height, proj);
        int best = -1;
        float best_d = INFINITY;
        for (int j = 0; j < nl; j++) {
            const float *p = points[lms[j] - 1];
            const float dx = proj[0] - p[0], dy = proj[1] - p[1];
            const float d = dx * dx + dy * dy;
            if (d < best_d) {
                best_d = d;
                best = j;
            }
        }
        if (best >= 0 && best_d <= limit)
            add_pair(f, points[lms[best] - 1], i);
    }
}

/* The fixed pairs: every mapped iBUG point with its vertex. */
static void fixed_pairs(ft_eos_fitter *f, const float (*points)[2])
{
    f->n = 0;
    for (int i = 1; i <= FT_EOS_IBUG_POINTS; i++)
        if (f->mapper->vertex_of[i] >= 0)
            add_pair(f, points[i - 1], f->mapper->vertex_of[i]);
}

ft_status ft_eos_fitter_fit(ft_eos_fitter *f, const float (*points)[2], int width, int height,
                            int iterations, float lambda_identity, int contours,
                            ft_eos_fit *out)
{
    (void)width; /* the camera needs only the height (the flip) */
    const ft_eos_model *m = f->model;
    for (int i = 0; i < FT_EOS_IBUG_POINTS; i++)
        if (!isfinite(points[i][0]) || !isfinite(points[i][1]))
            return FT_ERR_INVALID_ARG;
    memset(out, 0, sizeof *out);
    out->shape_count = m->shape_count;
    out->expression_count = m->expression_count;
    double *b = f->b;
    ft_status st = FT_ERR_INVALID_ARG;
    fixed_pairs(f, points);
    if (f->n < 4)
        goto done;
    /* the mean face, then a first camera and expression fit on it */
    memcpy(f->pca_shape, m->mean, 3 * (size_t)m->vertex_count * sizeof(float));
    set_mesh(f, out);
    if (!estimate_camera(f, f->mesh, height, out))
        goto done;
    fit_expressions(f, out, height, out->expression, b);
    set_mesh(f, out);
    for (int it = 0; it < iterations; it++) {
        fixed_pairs(f, points);
        if (contours) {
            contour_pairs(f, out, points, height);
            occluding_pairs(f, out, points, height);
        }
        if (!estimate_camera(f, f->mesh, height, out))
            goto done;
        /* base = mean + the current expressions (set_mesh keeps it) */
        if (!fit_shape(f, out, height, lambda_identity, out->shape, b))
            goto done;
        ft_eos_model_instance(m, out->shape, out->shape_count, NULL, 0, f->pca_shape);
        fit_expressions(f, out, height, out->expression, b);
        set_mesh(f, out);
    }
    out->correspondences = f->n;
    st = FT_OK;
done:
    return st;
}
