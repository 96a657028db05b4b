/* MediaPipe's custom ops, written from the behaviour of
 * mediapipe/util/tflite/operations/{landmarks_to_transform_matrix,
 * transform_tensor_bilinear,transform_landmarks}.cc (version 2 of each).
 * Matrices are 4x4, row-major, mapping crop pixels to source pixels. The
 * arithmetic follows the originals' float/double mix so results agree to
 * the last bits where it matters. */
#include <math.h>
#include <string.h>

#include "nn/flexbuffer.h"
#include "nn/ref_custom_ops.h"
#include "nn/ref_detection_postprocess.h"

#define MAX_SUBSET 1024 /* landmark indices an L2TM op may name */

typedef struct l2tm_options {
    int subset[MAX_SUBSET];
    int subset_count;
    int left, right;
    float target_rotation;
    int out_h, out_w;
    float scale_x, scale_y;
} l2tm_options;

static int is(const ft_nn_op *op, const char *name)
{
    return op->type == FT_OP_CUSTOM && op->attrs.custom_name && strcmp(op->attrs.custom_name, name) == 0;
}

/* Number KEY of the op's options; DEF when absent; 0 when malformed. */
static int option(const ft_nn_op *op, const char *key, double def, double *out)
{
    ft_flex_ref ref;
    int found = op->attrs.custom_options
                    ? ft_flex_map_find(op->attrs.custom_options, op->attrs.custom_options_size, key, &ref)
                    : 0;
    if (found < 0)
        return 0;
    if (found == 0) {
        *out = def;
        return 1;
    }
    return ft_flex_number(&ref, out);
}

static const char *read_l2tm_options(const ft_nn_op *op, int64_t landmarks, l2tm_options *o)
{
    ft_flex_ref ref;
    double v[7];
    if (!op->attrs.custom_options)
        return "Landmarks2TransformMatrix needs options";
    if (ft_flex_map_find(op->attrs.custom_options, op->attrs.custom_options_size, "subset_idxs", &ref) != 1)
        return "Landmarks2TransformMatrix options lack subset_idxs";
    int64_t n = ft_flex_vector_length(&ref);
    if (n < 1 || n > MAX_SUBSET)
        return "Landmarks2TransformMatrix subset_idxs is empty, too long or malformed";
    for (int64_t i = 0; i < n; i++) {
        double idx;
        if (!ft_flex_vector_number(&ref, i, &idx) || idx < 0 || idx >= (double)landmarks)
            return "Landmarks2TransformMatrix subset index outside the landmarks";
        o->subset[i] = (int)idx;
    }
    /* An odd count pairs the last index with itself: the same point set. */
    o->subset_count = (int)n;
    if (!option(op, "left_rotation_idx", -1, &v[0]) || !option(op, "right_rotation_idx", -1, &v[1]) ||
        !option(op, "target_rotation_radians", 0, &v[2]) || !option(op, "output_height", 0, &v[3]) ||
        !option(op, "output_width", 0, &v[4]) || !option(op, "scale_x", 0, &v[5]) ||
        !option(op, "scale_y", 0, &v[6]))
        return "Landmarks2TransformMatrix options are malformed";
    if (v[0] < 0 || v[0] >= (double)landmarks || v[1] < 0 || v[1] >= (double)landmarks)
        return "Landmarks2TransformMatrix rotation index outside the landmarks";
    if (!(v[3] >= 1 && v[3] <= 65536 && v[4] >= 1 && v[4] <= 65536))
        return "Landmarks2TransformMatrix output size is not positive";
    if (!(v[5] > 0 && v[6] > 0 && isfinite(v[2]) && isfinite(v[5]) && isfinite(v[6])))
        return "Landmarks2TransformMatrix scale is not positive";
    o->left = (int)v[0];
    o->right = (int)v[1];
    o->target_rotation = (float)v[2];
    o->out_h = (int)v[3];
    o->out_w = (int)v[4];
    o->scale_x = (float)v[5];
    o->scale_y = (float)v[6];
    return NULL;
}

/* A = A * B for 4x4 row-major float matrices. */
static void mat4_mul(float *a, const float *b)
{
    float r[16];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) {
            float s = 0;
            for (int k = 0; k < 4; k++)
                s += a[i * 4 + k] * b[k * 4 + j];
            r[i * 4 + j] = s;
        }
    memcpy(a, r, sizeof r);
}

/* The crop around a landmark subset, upright along the line from the left
 * to the right rotation landmark: T = Shift(centre) Rot(-r)
 * Scale(scale * size / out) Shift(-out / 2). */
static void landmarks_to_matrix(const l2tm_options *o, const float *lm, float *out)
{
    const float lx = lm[o->left * 3], ly = lm[o->left * 3 + 1];
    const float rx = lm[o->right * 3], ry = lm[o->right * 3 + 1];
    const float r = o->target_rotation - atan2f(ry - ly, rx - lx);
    const float c = cosf(r), s = sinf(r), ci = cosf(-r), si = sinf(-r);
    float min_x = 0, min_y = 0, max_x = 0, max_y = 0;
    for (int i = 0; i < o->subset_count; i++) {
        const float x = lm[o->subset[i] * 3], y = lm[o->subset[i] * 3 + 1];
        const float px = c * x + -s * y + 0.0f, py = s * x + c * y + 0.0f;
        if (i == 0 || px > max_x) max_x = px;
        if (i == 0 || py > max_y) max_y = py;
        if (i == 0 || px < min_x) min_x = px;
        if (i == 0 || py < min_y) min_y = py;
    }
    const float w = max_x - min_x, h = max_y - min_y;
    const float mx = (min_x + max_x) / 2, my = (min_y + max_y) / 2;
    const float cx = ci * mx + -si * my + 0.0f, cy = si * mx + ci * my + 0.0f;
    float t[16] = {1, 0, 0, cx, 0, 1, 0, cy, 0, 0, 1, 0, 0, 0, 0, 1};
    const float rot[16] = {ci, -si, 0, 0, si, ci, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
    mat4_mul(t, rot);
    const float sx = o->scale_x * w / (float)o->out_w, sy = o->scale_y * h / (float)o->out_h;
    const float scale[16] = {sx, 0, 0, 0, 0, sy, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
    mat4_mul(t, scale);
    const float shift[16] = {1, 0, 0, (float)(-1.0 * (o->out_w / 2.0)),
                             0, 1, 0, (float)(-1.0 * (o->out_h / 2.0)),
                             0, 0, 1, 0, 0, 0, 0, 1};
    mat4_mul(t, shift);
    memcpy(out, t, sizeof t);
}

static void transform_one_map(const float *X, const float *m, int64_t H, int64_t W, int64_t C,
                              int64_t OH, int64_t OW, float *Y);

/* Bilinear crop of an NHWC map through the matrix (one per item); samples whose position
 * falls outside the map are 0, as are taps past its last row/column. */
static void transform_tensor_bilinear(const ft_ref_call *c)
{
    const ft_nn_tensor *x = c->in[0], *y = c->out[0];
    const int64_t H = x->shape[1], W = x->shape[2], C = x->shape[3];
    const int64_t OH = y->shape[1], OW = y->shape[2];
    for (int64_t b = 0; b < x->shape[0]; b++)
        transform_one_map((const float *)c->in_data[0] + b * H * W * C,
                          (const float *)c->in_data[1] + b * 16, H, W, C, OH, OW,
                          (float *)c->out_data[0] + b * OH * OW * C);
}

/* One item of a batch: map X [H, W, C] through matrix M into Y [OH, OW, C]. */
static void transform_one_map(const float *X, const float *m, int64_t H, int64_t W, int64_t C,
                              int64_t OH, int64_t OW, float *Y)
{
    float xt[4] = {m[0], m[1], m[2], m[3]}, yt[4] = {m[4], m[5], m[6], m[7]};
    /* Align-corners correction: sample pixel centres, not corners. */
    xt[3] = (float)(xt[3] + (xt[0] * 0.5 + xt[1] * 0.5 - 0.5));
    yt[3] = (float)(yt[3] + (yt[0] * 0.5 + yt[1] * 0.5 - 0.5));
    for (int64_t oy = 0; oy < OH; oy++)
        for (int64_t ox = 0; ox < OW; ox++) {
            const float fx = (float)ox, fy = (float)oy;
            const float tx = xt[0] * fx + xt[1] * fy + xt[2] * 0.0f + xt[3] * 1.0f;
            const float ty = yt[0] * fx + yt[1] * fy + yt[2] * 0.0f + yt[3] * 1.0f;
            float *out = Y + (oy * OW + ox) * C;
            if (!(tx >= 0 && tx <= (float)(W - 1) && ty >= 0 && ty <= (float)(H - 1))) {
                memset(out, 0, (size_t)C * sizeof *out);
                continue;
            }
            const int64_t x0 = (int64_t)floorf(tx), y0 = (int64_t)floorf(ty);
            const float rc = tx - floorf(tx), lc = ty - floorf(ty);
            const int has_x1 = x0 + 1 < W, has_y1 = y0 + 1 < H;
            const float *p = X + (y0 * W + x0) * C;
            for (int64_t ch = 0; ch < C; ch++) {
                const float q11 = p[ch], q21 = has_x1 ? p[C + ch] : 0;
                const float q12 = has_y1 ? p[W * C + ch] : 0;
                const float q22 = has_x1 && has_y1 ? p[W * C + C + ch] : 0;
                const float upper = (float)((1.0 - rc) * q11 + (double)(rc * q21));
                const float lower = (float)((1.0 - rc) * q12 + (double)(rc * q22));
                out[ch] = (float)((double)(lc * lower) + (1.0 - lc) * upper);
            }
        }
}

static void transform_one_set(const float *L, const float *m, int64_t N, int64_t D, float *Y);

/* Each landmark's x, y through the first two matrix rows; z kept. */
static void transform_landmarks(const ft_ref_call *c)
{
    const ft_nn_tensor *x = c->in[0];
    const int64_t N = x->shape[1], D = x->shape[2];
    for (int64_t b = 0; b < x->shape[0]; b++) {
        const float *L = (const float *)c->in_data[0] + b * N * D;
        const float *m = (const float *)c->in_data[1] + b * 16;
        float *Y = (float *)c->out_data[0] + b * N * D;
        transform_one_set(L, m, N, D, Y);
    }
}

/* One item: landmarks L [N, D] through M into Y. */
static void transform_one_set(const float *L, const float *m, int64_t N, int64_t D, float *Y)
{
    for (int64_t i = 0; i < N; i++) {
        const float px = L[i * D], py = L[i * D + 1];
        Y[i * D] = m[0] * px + m[1] * py + m[2] * 0.0f + m[3] * 1.0f;
        Y[i * D + 1] = m[4] * px + m[5] * py + m[6] * 0.0f + m[7] * 1.0f;
        if (D == 3)
            Y[i * D + 2] = L[i * D + 2];
    }
}

ft_status ft_ref_run_custom(const ft_ref_call *c)
{
    const ft_nn_op *op = c->op;
    if (is(op, FT_DETECTION_POSTPROCESS))
        return ft_ref_run_detection_postprocess(c);
    if (is(op, "Landmarks2TransformMatrix")) {
        l2tm_options o;
        const ft_nn_tensor *x = c->in[0];
        if (read_l2tm_options(op, x->shape[1], &o))
            return FT_ERR_FORMAT;
        for (int64_t b = 0; b < x->shape[0]; b++)
            landmarks_to_matrix(&o, (const float *)c->in_data[0] + b * x->shape[1] * 3,
                                (float *)c->out_data[0] + b * 16);
        return FT_OK;
    }
    if (is(op, "TransformTensorBilinear")) {
        transform_tensor_bilinear(c);
        return FT_OK;
    }
    if (is(op, "TransformLandmarks")) {
        transform_landmarks(c);
        return FT_OK;
    }
    return FT_ERR_UNSUPPORTED;
}

/* One 4x4 matrix per item of a batch of ITEMS. */
static int is_matrix(const ft_nn_tensor *t, int64_t items)
{
    return t && t->dtype == FT_DTYPE_F32 && ft_nn_tensor_elements(t) == 16 * items &&
           t->shape[t->rank - 1] == 4;
}

const char *ft_ref_check_custom(const ft_nn_graph *g, const ft_nn_op *op)
{
    if (is(op, FT_DETECTION_POSTPROCESS))
        return ft_ref_check_detection_postprocess(g, op);
    const ft_nn_tensor *x = op->input_count > 0 && op->inputs[0] >= 0 ? &g->tensors[op->inputs[0]] : NULL;
    const ft_nn_tensor *m = op->input_count > 1 && op->inputs[1] >= 0 ? &g->tensors[op->inputs[1]] : NULL;
    const ft_nn_tensor *y = &g->tensors[op->outputs[0]];
    if (!x || x->dtype != FT_DTYPE_F32 || y->dtype != FT_DTYPE_F32 || op->output_count != 1)
        return "needs float32 input and one float32 output";
    if (is(op, "Landmarks2TransformMatrix")) {
        l2tm_options o;
        if (op->input_count != 1 || x->rank != 3 || x->shape[2] != 3)
            return "needs one [B, N, 3] landmark input";
        if (!is_matrix(y, x->shape[0]))
            return "output is not a 4x4 matrix per item";
        return read_l2tm_options(op, x->shape[1], &o);
    }
    if (is(op, "TransformTensorBilinear")) {
        double oh, ow;
        if (x->rank != 4 || y->rank != 4 || x->shape[0] != y->shape[0] ||
            x->shape[3] != y->shape[3])
            return "needs [B, H, W, C] input and output with the same B and channels";
        if (op->input_count != 2 || !is_matrix(m, x->shape[0]))
            return "needs a feature map and a 4x4 matrix per item";
        if (!option(op, "output_height", (double)y->shape[1], &oh) ||
            !option(op, "output_width", (double)y->shape[2], &ow) || oh != (double)y->shape[1] ||
            ow != (double)y->shape[2])
            return "output_height/output_width differ from the output shape";
        return NULL;
    }
    if (is(op, "TransformLandmarks")) {
        if (x->rank != 3 || (x->shape[2] != 2 && x->shape[2] != 3) || y->rank != 3 ||
            y->shape[0] != x->shape[0] || y->shape[1] != x->shape[1] || y->shape[2] != x->shape[2])
            return "needs [B, N, 2 or 3] landmarks and an output of the same shape";
        if (op->input_count != 2 || !is_matrix(m, x->shape[0]))
            return "needs landmarks and a 4x4 matrix per item";
        return NULL;
    }
    return "custom op not supported by the reference backend";
}
