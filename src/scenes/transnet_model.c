/* TransNetV2 from its PyTorch state dict (see transnet_model.h).
 *
 * PyTorch works on [B, C, T, H, W]; the graph works on frames as NHWC
 * images [T, H, W, C]. A (2+1)D convolution is then a 3x3 Conv2D over each
 * frame, followed by a 3x1 Conv2D over [1, T, H*W, C] (time as the image
 * height) with the temporal dilation: the same memory, reshaped. */
#include "scenes/transnet_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/graph_builder.h"
#include "nn/pth_file.h"

#define T FT_TRANSNET_WINDOW
#define BN_EPSILON 1e-3
#define NORM_EPSILON 1e-12f
#define MAX_BLOCKS 8

static const int dilations[4] = {1, 2, 4, 8};

typedef struct net {
    ft_graph_builder b;
    const ft_pth_state *weights;
    const char *path;
    char *err;
    size_t err_size;
    int failed; /* a weight is missing or misshaped: ERR says which */
} net;

static void shape_text(const int64_t *shape, int rank, char *out, size_t size)
{
    size_t used = (size_t)snprintf(out, size, "[");
    for (int d = 0; d < rank && used < size; d++)
        used += (size_t)snprintf(out + used, size - used, d ? ", %lld" : "%lld", (long long)shape[d]);
    if (used < size)
        snprintf(out + used, size - used, "]");
}

/* The float weight NAME of the given rank; dimensions of SHAPE that are not
 * -1 must match. NULL (and ERR set) otherwise. */
static const ft_nn_tensor *weight(net *n, const char *name, int rank, const int64_t *shape)
{
    if (n->failed)
        return NULL;
    const ft_nn_tensor *t = ft_pth_find(n->weights, name);
    int ok = t && t->dtype == FT_DTYPE_F32 && t->rank == rank;
    for (int d = 0; ok && d < rank; d++)
        ok = shape[d] < 0 || t->shape[d] == shape[d];
    if (ok)
        return t;
    char want[96], have[96];
    shape_text(shape, rank, want, sizeof want);
    if (!t) {
        snprintf(n->err, n->err_size, "%s: not TransNetV2 weights: '%s' is missing", n->path, name);
    } else {
        shape_text(t->shape, t->rank, have, sizeof have);
        snprintf(n->err, n->err_size, "%s: TransNetV2 weight '%s' is %s %s, expected float32 %s",
                 n->path, name, ft_dtype_name(t->dtype), have, want);
    }
    n->failed = 1;
    return NULL;
}

static int has(const net *n, const char *name)
{
    return ft_pth_find(n->weights, name) != NULL;
}

static int activation(net *n, const char *name, int rank, int64_t a, int64_t b, int64_t c, int64_t d)
{
    const int64_t shape[4] = {a, b, c, d};
    return ft_graph_activation(&n->b, name, rank, shape);
}

static float *floats(size_t count)
{
    return malloc((count ? count : 1) * sizeof(float));
}

/* ------------------------------------------------------------ layers */

static int unary(net *n, ft_op_type type, int x, int y)
{
    ft_graph_op(&n->b, type, (int[]){x}, 1, y);
    return y;
}

static int binary(net *n, ft_op_type type, int x, int w, int y)
{
    ft_graph_op(&n->b, type, (int[]){x, w}, 2, y);
    return y;
}

static int reshape(net *n, const char *name, int x, int rank, int64_t a, int64_t b, int64_t c,
                   int64_t d)
{
    return unary(n, FT_OP_RESHAPE, x, activation(n, name, rank, a, b, c, d));
}

static int concat(net *n, const char *name, const int *xs, int count, int axis, int rank,
                  const int64_t *shape)
{
    const int y = ft_graph_activation(&n->b, name, rank, shape);
    ft_nn_op *op = ft_graph_op(&n->b, FT_OP_CONCAT, xs, count, y);
    if (op)
        op->attrs.axis = axis;
    return y;
}

/* nn.Linear over the last axis of X [rows, in]: W [out, in], B [out]. */
static int linear(net *n, const char *prefix, int x, int64_t rows, int64_t in, int64_t out,
                  ft_activation act)
{
    char name[160];
    snprintf(name, sizeof name, "%s.weight", prefix);
    const ft_nn_tensor *w = weight(n, name, 2, (int64_t[]){out, in});
    snprintf(name, sizeof name, "%s.bias", prefix);
    const ft_nn_tensor *b = weight(n, name, 1, (int64_t[]){out});
    if (!w || !b)
        return -1;
    float *wd = floats((size_t)(out * in)), *bd = floats((size_t)out);
    if (wd)
        memcpy(wd, w->data, (size_t)(out * in) * sizeof *wd);
    if (bd)
        memcpy(bd, b->data, (size_t)out * sizeof *bd);
    const int wi = ft_graph_constant(&n->b, w->name, FT_DTYPE_F32, 2, w->shape, wd);
    if (wi < 0)
        free(bd);
    const int bi = wi < 0 ? -1 : ft_graph_constant(&n->b, b->name, FT_DTYPE_F32, 1, b->shape, bd);
    snprintf(name, sizeof name, "%s.out", prefix);
    const int y = activation(n, name, 2, rows, out, 0, 0);
    ft_nn_op *op = ft_graph_op(&n->b, FT_OP_FULLY_CONNECTED, (int[]){x, wi, bi}, 3, y);
    if (op)
        op->attrs.activation = act;
    return y;
}

/* x / max(|x|, 1e-12) along the last axis of X [rows, cols]. */
static int l2_normalize(net *n, const char *prefix, int x, int64_t rows, int64_t cols)
{
    char name[160];
    snprintf(name, sizeof name, "%s.squares", prefix);
    const int sq = binary(n, FT_OP_MUL, x, x, activation(n, name, 2, rows, cols, 0, 0));
    snprintf(name, sizeof name, "%s.sum", prefix);
    const int sum = activation(n, name, 2, rows, 1, 0, 0);
    ft_nn_op *op = ft_graph_op(&n->b, FT_OP_REDUCE_SUM, (int[]){sq}, 1, sum);
    if (op) {
        op->attrs.axes[0] = 1;
        op->attrs.axis_count = 1;
        op->attrs.keep_dims = 1;
    }
    snprintf(name, sizeof name, "%s.norm", prefix);
    const int norm = unary(n, FT_OP_SQRT, sum, activation(n, name, 2, rows, 1, 0, 0));
    float *eps = floats(1);
    if (eps)
        *eps = NORM_EPSILON;
    snprintf(name, sizeof name, "%s.epsilon", prefix);
    const int e = ft_graph_constant(&n->b, name, FT_DTYPE_F32, 1, (int64_t[]){1}, eps);
    snprintf(name, sizeof name, "%s.clamped", prefix);
    const int safe = binary(n, FT_OP_MAXIMUM, norm, e, activation(n, name, 2, rows, 1, 0, 0));
    snprintf(name, sizeof name, "%s.out", prefix);
    return binary(n, FT_OP_DIV, x, safe, activation(n, name, 2, rows, cols, 0, 0));
}

/* The similarities of each frame with the LOOKUP frames centred on it
 * (0 past the window's edges), from unit vectors X [T, dim]: the original's
 * padded T x T matrix read along a band, here one gather. */
static int similarity_band(net *n, const char *prefix, int x, int64_t dim, int64_t lookup)
{
    char name[160];
    const int64_t half = (lookup - 1) / 2, padded = T + 2 * half;
    snprintf(name, sizeof name, "%s.transposed", prefix);
    const int xt = activation(n, name, 2, dim, T, 0, 0);
    ft_nn_op *op = ft_graph_op(&n->b, FT_OP_TRANSPOSE, (int[]){x}, 1, xt);
    if (op) {
        op->attrs.perm[0] = 1;
        op->attrs.perm[1] = 0;
    }
    snprintf(name, sizeof name, "%s.similarities", prefix);
    const int sim = binary(n, FT_OP_MATMUL, x, xt, activation(n, name, 2, T, T, 0, 0));
    snprintf(name, sizeof name, "%s.padded", prefix);
    const int pad = activation(n, name, 2, T, padded, 0, 0);
    if ((op = ft_graph_op(&n->b, FT_OP_PAD, (int[]){sim}, 1, pad))) {
        op->attrs.pad_before[1] = half;
        op->attrs.pad_after[1] = half;
    }
    snprintf(name, sizeof name, "%s.flat", prefix);
    const int flat = reshape(n, name, pad, 1, T * padded, 0, 0, 0);
    int32_t *index = malloc((size_t)(T * lookup) * sizeof *index);
    for (int64_t t = 0; index && t < T; t++)
        for (int64_t k = 0; k < lookup; k++)
            index[t * lookup + k] = (int32_t)(t * padded + t + k);
    snprintf(name, sizeof name, "%s.band_index", prefix);
    const int ix = ft_graph_constant(&n->b, name, FT_DTYPE_I32, 2, (int64_t[]){T, lookup}, index);
    snprintf(name, sizeof name, "%s.band", prefix);
    const int band = binary(n, FT_OP_GATHER, flat, ix, activation(n, name, 2, T, lookup, 0, 0));
    return band; /* GATHER's axis is 0, as zeroed */
}

/* One (2+1)D convolution branch of a cell, with its share of the cell's
 * BatchNorm folded into the temporal filter; relu'd (see add_block). */
static int separable_conv(net *n, const char *cell, int branch, int x, int64_t h, int64_t w,
                          int64_t in, int64_t filters)
{
    char name[160];
    const int d = dilations[branch];
    snprintf(name, sizeof name, "%s.Conv3D_%d.layers.0.weight", cell, d);
    const ft_nn_tensor *ws = weight(n, name, 5, (int64_t[]){2 * filters, in, 1, 3, 3});
    snprintf(name, sizeof name, "%s.Conv3D_%d.layers.1.weight", cell, d);
    const ft_nn_tensor *wt = weight(n, name, 5, (int64_t[]){filters, 2 * filters, 3, 1, 1});
    const int64_t c4 = 4 * filters;
    const ft_nn_tensor *bn[4];
    static const char *const bn_names[4] = {"weight", "bias", "running_mean", "running_var"};
    for (int i = 0; i < 4; i++) {
        snprintf(name, sizeof name, "%s.bn.%s", cell, bn_names[i]);
        bn[i] = weight(n, name, 1, (int64_t[]){c4});
    }
    if (!ws || !wt || !bn[0] || !bn[1] || !bn[2] || !bn[3])
        return -1;

    /* PyTorch [O, I, 1, 3, 3] -> OHWI [O, 3, 3, I] */
    const int64_t o2 = 2 * filters;
    float *spatial = floats((size_t)(o2 * 9 * in));
    const float *src = ws->data;
    for (int64_t o = 0; spatial && o < o2; o++)
        for (int64_t i = 0; i < in; i++)
            for (int k = 0; k < 9; k++)
                spatial[(o * 9 + k) * in + i] = src[(o * in + i) * 9 + k];
    /* [O, I, 3, 1, 1] -> OHWI [O, 3, 1, I], scaled by the BatchNorm */
    float *temporal = floats((size_t)(filters * 3 * o2)), *bias = floats((size_t)filters);
    const float *tw = wt->data, *gamma = bn[0]->data, *beta = bn[1]->data;
    const float *mean = bn[2]->data, *var = bn[3]->data;
    for (int64_t o = 0; temporal && bias && o < filters; o++) {
        const int64_t c = branch * filters + o;
        const double scale = gamma[c] / sqrt((double)var[c] + BN_EPSILON);
        for (int64_t i = 0; i < o2; i++)
            for (int k = 0; k < 3; k++)
                temporal[(o * 3 + k) * o2 + i] = (float)(tw[(o * o2 + i) * 3 + k] * scale);
        bias[o] = (float)(beta[c] - mean[c] * scale);
    }

    snprintf(name, sizeof name, "%s.branch%d.spatial_filter", cell, d);
    const int sf = ft_graph_constant(&n->b, name, FT_DTYPE_F32, 4, (int64_t[]){o2, 3, 3, in}, spatial);
    snprintf(name, sizeof name, "%s.branch%d.spatial", cell, d);
    const int s = activation(n, name, 4, T, h, w, o2);
    ft_nn_op *op = ft_graph_op(&n->b, FT_OP_CONV2D, (int[]){x, sf, -1}, 3, s);
    if (op)
        op->attrs.pads[0] = op->attrs.pads[1] = op->attrs.pads[2] = op->attrs.pads[3] = 1;
    snprintf(name, sizeof name, "%s.branch%d.over_time", cell, d);
    const int st = reshape(n, name, s, 4, 1, T, h * w, o2);
    snprintf(name, sizeof name, "%s.branch%d.temporal_filter", cell, d);
    const int tf = ft_graph_constant(&n->b, name, FT_DTYPE_F32, 4, (int64_t[]){filters, 3, 1, o2},
                                     temporal);
    snprintf(name, sizeof name, "%s.branch%d.temporal_bias", cell, d);
    const int tb = ft_graph_constant(&n->b, name, FT_DTYPE_F32, 1, (int64_t[]){filters}, bias);
    snprintf(name, sizeof name, "%s.branch%d.out", cell, d);
    const int y = activation(n, name, 4, 1, T, h * w, filters);
    if ((op = ft_graph_op(&n->b, FT_OP_CONV2D, (int[]){st, tf, tb}, 3, y))) {
        op->attrs.dilation[0] = d;
        op->attrs.pads[0] = op->attrs.pads[2] = d;
        op->attrs.activation = FT_ACT_RELU;
    }
    return y;
}

/* A cell: four branches of growing temporal dilation, concatenated. */
static int add_cell(net *n, const char *cell, int x, int64_t h, int64_t w, int64_t in,
                    int64_t filters)
{
    int branches[4];
    for (int b = 0; b < 4; b++)
        branches[b] = separable_conv(n, cell, b, x, h, w, in, filters);
    char name[160];
    snprintf(name, sizeof name, "%s.out", cell);
    const int y = concat(n, name, branches, 4, 3, 4, (int64_t[]){1, T, h * w, 4 * filters});
    snprintf(name, sizeof name, "%s.frames", cell);
    return reshape(n, name, y, 4, T, h, w, 4 * filters);
}

/* A block: cells, the first one's output added to the last one's, then a
 * 2x2 average pool. Every cell's output is relu'd in the graph: the
 * original applies relu inside every cell but the last, and to the last
 * one's output before the sum, which is the same. */
static int add_block(net *n, int index, int x, int64_t *h, int64_t *w, int64_t *channels)
{
    char cell[96], name[160];
    snprintf(name, sizeof name, "SDDCNN.%d.DDCNN.0.Conv3D_1.layers.1.weight", index);
    const ft_nn_tensor *probe = weight(n, name, 5, (int64_t[]){-1, -1, 3, 1, 1});
    if (!probe)
        return -1;
    const int64_t filters = probe->shape[0];
    int first = -1, y = x, cells = 0;
    int64_t in = *channels;
    for (;; cells++) {
        snprintf(cell, sizeof cell, "SDDCNN.%d.DDCNN.%d", index, cells);
        snprintf(name, sizeof name, "%s.bn.weight", cell);
        if (!has(n, name))
            break;
        y = add_cell(n, cell, y, *h, *w, in, filters);
        in = 4 * filters;
        if (cells == 0)
            first = y;
    }
    if (cells < 2) {
        if (!n->failed)
            snprintf(n->err, n->err_size, "%s: TransNetV2 block %d has %d cell(s); 2 or more expected",
                     n->path, index, cells);
        n->failed = 1;
        return -1;
    }
    snprintf(name, sizeof name, "SDDCNN.%d.sum", index);
    const int sum = binary(n, FT_OP_ADD, y, first, activation(n, name, 4, T, *h, *w, in));
    *h /= 2;
    *w /= 2;
    *channels = in;
    snprintf(name, sizeof name, "SDDCNN.%d.out", index);
    const int pooled = activation(n, name, 4, T, *h, *w, in);
    ft_nn_op *op = ft_graph_op(&n->b, FT_OP_AVERAGE_POOL2D, (int[]){sum}, 1, pooled);
    if (op) {
        op->attrs.kernel[0] = op->attrs.kernel[1] = 2;
        op->attrs.stride[0] = op->attrs.stride[1] = 2;
    }
    return pooled;
}

/* The frame-similarity branch: each block's spatial means, projected,
 * normalised, compared along the window. */
static int frame_similarity(net *n, const int *blocks, const int64_t *channels, int count)
{
    int means[MAX_BLOCKS];
    int64_t total = 0;
    for (int i = 0; i < count; i++) {
        char name[64];
        snprintf(name, sizeof name, "SDDCNN.%d.mean", i);
        means[i] = activation(n, name, 2, T, channels[i], 0, 0);
        ft_nn_op *op = ft_graph_op(&n->b, FT_OP_REDUCE_MEAN, &blocks[i], 1, means[i]);
        if (op) {
            op->attrs.axes[0] = 1;
            op->attrs.axes[1] = 2;
            op->attrs.axis_count = 2;
        }
        total += channels[i];
    }
    const int all = concat(n, "frame_sim_layer.in", means, count, 1, 2, (int64_t[]){T, total});
    const ft_nn_tensor *proj = weight(n, "frame_sim_layer.projection.weight", 2, (int64_t[]){-1, total});
    const ft_nn_tensor *fc = weight(n, "frame_sim_layer.fc.weight", 2, (int64_t[]){-1, -1});
    if (!proj || !fc)
        return -1;
    const int x = linear(n, "frame_sim_layer.projection", all, T, total, proj->shape[0], FT_ACT_NONE);
    const int unit = l2_normalize(n, "frame_sim_layer.unit", x, T, proj->shape[0]);
    const int band = similarity_band(n, "frame_sim_layer", unit, proj->shape[0], fc->shape[1]);
    return linear(n, "frame_sim_layer.fc", band, T, fc->shape[1], fc->shape[0], FT_ACT_RELU);
}

static int64_t out_features(net *n, const char *name)
{
    const ft_nn_tensor *t = weight(n, name, 2, (int64_t[]){-1, -1});
    return t ? t->shape[0] : 0;
}

static ft_status build(net *n)
{
    ft_graph_builder *b = &n->b;
    const int frames = activation(n, "frames", 4, T, FT_TRANSNET_HEIGHT, FT_TRANSNET_WIDTH, 3);
    const int hist = activation(n, "histograms", 2, T, FT_TRANSNET_BINS, 0, 0);
    b->graph->inputs[0] = frames;
    b->graph->inputs[1] = hist;
    b->graph->input_count = 2;

    int blocks[MAX_BLOCKS], x = frames, count = 0;
    int64_t h = FT_TRANSNET_HEIGHT, w = FT_TRANSNET_WIDTH, c = 3, channels[MAX_BLOCKS];
    char name[96];
    for (; count < MAX_BLOCKS; count++) {
        snprintf(name, sizeof name, "SDDCNN.%d.DDCNN.0.bn.weight", count);
        if (!has(n, name))
            break;
        x = blocks[count] = add_block(n, count, x, &h, &w, &c);
        channels[count] = c;
    }
    if (count == 0)
        weight(n, "SDDCNN.0.DDCNN.0.bn.weight", 1, (int64_t[]){-1});

    const int sim = frame_similarity(n, blocks, channels, count);
    const ft_nn_tensor *hist_fc = weight(n, "color_hist_layer.fc.weight", 2, (int64_t[]){-1, -1});
    if (n->failed)
        return FT_ERR_FORMAT;
    const int64_t lookup = hist_fc->shape[1], hist_out = hist_fc->shape[0];
    const int band = similarity_band(n, "color_hist_layer", hist, FT_TRANSNET_BINS, lookup);
    const int colours = linear(n, "color_hist_layer.fc", band, T, lookup, hist_out, FT_ACT_RELU);

    const int64_t sim_out = out_features(n, "frame_sim_layer.fc.weight");
    const int64_t flat = h * w * c, joined = hist_out + sim_out + flat;
    const int features = reshape(n, "features", x, 2, T, flat, 0, 0);
    const int all = concat(n, "fc1.in", (int[]){colours, sim, features}, 3, 1, 2,
                           (int64_t[]){T, joined});
    const int64_t width = out_features(n, "fc1.weight");
    const int hidden = linear(n, "fc1", all, T, joined, width, FT_ACT_RELU);
    const int logits = linear(n, "cls_layer1", hidden, T, width, 1, FT_ACT_NONE);
    if (n->failed)
        return FT_ERR_FORMAT;
    b->graph->outputs[0] = logits;
    b->graph->output_count = 1;
    if (b->status != FT_OK)
        snprintf(n->err, n->err_size, "%s: %s while building the network", n->path,
                 b->status == FT_ERR_NOMEM ? "out of memory" : "an internal error");
    return b->status;
}

ft_status ft_transnet_build(const ft_pth_state *weights, const char *name, ft_nn_graph *graph,
                            char *err, size_t err_size)
{
    net n = {.weights = weights, .path = name, .err = err, .err_size = err_size};
    ft_graph_builder_init(&n.b, graph, "transnetv2");
    ft_status st = build(&n);
    if (st != FT_OK) {
        ft_nn_graph_free(graph);
        memset(graph, 0, sizeof *graph);
    }
    return st;
}

ft_status ft_transnet_load(const char *path, ft_nn_graph *graph, char *err, size_t err_size)
{
    memset(graph, 0, sizeof *graph);
    ft_pth_state weights;
    ft_status st = ft_pth_load(path, &weights, err, err_size);
    if (st != FT_OK)
        return st;
    st = ft_transnet_build(&weights, path, graph, err, err_size);
    ft_pth_free(&weights);
    return st;
}

void ft_transnet_histogram(const uint8_t *rgb, float hist[FT_TRANSNET_BINS])
{
    int counts[FT_TRANSNET_BINS] = {0};
    const int pixels = FT_TRANSNET_WIDTH * FT_TRANSNET_HEIGHT;
    for (int i = 0; i < pixels; i++, rgb += 3)
        counts[(rgb[0] >> 5) << 6 | (rgb[1] >> 5) << 3 | rgb[2] >> 5]++;
    double sum = 0;
    for (int i = 0; i < FT_TRANSNET_BINS; i++)
        sum += (double)counts[i] * counts[i];
    const double norm = sqrt(sum) > NORM_EPSILON ? sqrt(sum) : NORM_EPSILON;
    for (int i = 0; i < FT_TRANSNET_BINS; i++)
        hist[i] = (float)(counts[i] / norm);
}
