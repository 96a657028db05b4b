/* A tiny TensorFlow.js graph model made in memory, for the loader's tests
 * and the fuzzer's seeds: model.json text and its one weight shard. Input
 * [1,4,4,2] NHWC; ops: _FusedConv2D (BiasAdd+Relu6, SAME),
 * FusedDepthwiseConv2dNative (BiasAdd+Relu, VALID), LeakyRelu, MaxPool,
 * Mean, Reshape, ConcatV2, _FusedMatMul, SplitV, Sigmoid, ResizeBilinear,
 * Transpose, Pad, and SparseToDense + AddV2 folded at load. Weights are
 * float32, float16-quantised and uint8-quantised. */
#ifndef FT_TESTS_TFJS_BUILDER_H
#define FT_TESTS_TFJS_BUILDER_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct tfjs_tiny {
    char *json;
    size_t json_size;
    uint8_t *shard;
    size_t shard_size;
} tfjs_tiny;

typedef struct tfjs_weight {
    const char *name;
    const char *quant; /* "", "float16", "uint8" */
    int is_int;
    int rank;
    int shape[4];
    const int32_t *ints; /* int32 weights */
} tfjs_weight;

/* base64: SAME U0FNRQ==, VALID VkFMSUQ=, NHWC TkhXQw==, BiasAdd Qmlhc0FkZA==,
 * Relu UmVsdQ==, Relu6 UmVsdTY= */
static const char tfjs_tiny_nodes[] =
    "{\"name\":\"x\",\"op\":\"Placeholder\",\"attr\":{\"dtype\":{\"type\":\"DT_FLOAT\"},"
    "\"shape\":{\"shape\":{\"dim\":[{\"size\":\"-1\"},{\"size\":\"4\"},{\"size\":\"4\"},{\"size\":\"2\"}]}}}},"
    "{\"name\":\"w1\",\"op\":\"Const\"},{\"name\":\"b1\",\"op\":\"Const\"},"
    "{\"name\":\"dw\",\"op\":\"Const\"},{\"name\":\"db\",\"op\":\"Const\"},"
    "{\"name\":\"fw\",\"op\":\"Const\"},{\"name\":\"fb\",\"op\":\"Const\"},"
    "{\"name\":\"axes\",\"op\":\"Const\"},{\"name\":\"axis1\",\"op\":\"Const\"},"
    "{\"name\":\"sizes\",\"op\":\"Const\"},{\"name\":\"rsize\",\"op\":\"Const\"},"
    "{\"name\":\"perm\",\"op\":\"Const\"},{\"name\":\"pads\",\"op\":\"Const\"},"
    "{\"name\":\"sp_idx\",\"op\":\"Const\"},{\"name\":\"sp_shape\",\"op\":\"Const\"},"
    "{\"name\":\"sp_val\",\"op\":\"Const\"},{\"name\":\"sp_def\",\"op\":\"Const\"},"
    "{\"name\":\"one\",\"op\":\"Const\"},"
    "{\"name\":\"shape6\",\"op\":\"SparseToDense\",\"input\":[\"sp_idx\",\"sp_shape\",\"sp_val\",\"sp_def\"]},"
    "{\"name\":\"shape6b\",\"op\":\"AddV2\",\"input\":[\"shape6\",\"one\"]},"
    "{\"name\":\"c1\",\"op\":\"_FusedConv2D\",\"input\":[\"x\",\"w1\",\"b1\"],\"attr\":{"
    "\"padding\":{\"s\":\"U0FNRQ==\"},\"data_format\":{\"s\":\"TkhXQw==\"},"
    "\"strides\":{\"list\":{\"i\":[\"1\",\"1\",\"1\",\"1\"]}},\"num_args\":{\"i\":\"1\"},"
    "\"fused_ops\":{\"list\":{\"s\":[\"Qmlhc0FkZA==\",\"UmVsdTY=\"]}}}},"
    "{\"name\":\"d1\",\"op\":\"FusedDepthwiseConv2dNative\",\"input\":[\"c1\",\"dw\",\"db\"],\"attr\":{"
    "\"padding\":{\"s\":\"VkFMSUQ=\"},\"strides\":{\"list\":{\"i\":[\"1\",\"1\",\"1\",\"1\"]}},"
    "\"fused_ops\":{\"list\":{\"s\":[\"Qmlhc0FkZA==\",\"UmVsdQ==\"]}}}},"
    "{\"name\":\"l1\",\"op\":\"LeakyRelu\",\"input\":[\"d1\"],\"attr\":{\"alpha\":{\"f\":0.1}}},"
    "{\"name\":\"p1\",\"op\":\"MaxPool\",\"input\":[\"l1\"],\"attr\":{\"padding\":{\"s\":\"U0FNRQ==\"},"
    "\"ksize\":{\"list\":{\"i\":[\"1\",\"2\",\"2\",\"1\"]}},\"strides\":{\"list\":{\"i\":[\"1\",\"2\",\"2\",\"1\"]}}}},"
    "{\"name\":\"m1\",\"op\":\"Mean\",\"input\":[\"c1\",\"axes\"],\"attr\":{\"keep_dims\":{\"b\":true}}},"
    "{\"name\":\"r1\",\"op\":\"Reshape\",\"input\":[\"p1\",\"shape6b\"]},"
    "{\"name\":\"r2\",\"op\":\"Squeeze\",\"input\":[\"m1\"],\"attr\":{\"squeeze_dims\":{\"list\":{\"i\":[\"1\",\"2\"]}}}},"
    "{\"name\":\"cat\",\"op\":\"ConcatV2\",\"input\":[\"r1\",\"r2\",\"axis1\"]},"
    "{\"name\":\"fc\",\"op\":\"_FusedMatMul\",\"input\":[\"cat\",\"fw\",\"fb\"],\"attr\":{"
    "\"fused_ops\":{\"list\":{\"s\":[\"Qmlhc0FkZA==\"]}}}},"
    "{\"name\":\"s\",\"op\":\"SplitV\",\"input\":[\"fc\",\"sizes\",\"axis1\"],\"attr\":{\"num_split\":{\"i\":\"2\"}}},"
    "{\"name\":\"sig\",\"op\":\"Sigmoid\",\"input\":[\"s:1\"]},"
    "{\"name\":\"out_a\",\"op\":\"Identity\",\"input\":[\"s\"]},"
    "{\"name\":\"out_b\",\"op\":\"Identity\",\"input\":[\"sig\"]},"
    "{\"name\":\"rs\",\"op\":\"ResizeBilinear\",\"input\":[\"c1\",\"rsize\"],\"attr\":{"
    "\"half_pixel_centers\":{\"b\":true},\"align_corners\":{\"b\":false}}},"
    "{\"name\":\"tr\",\"op\":\"Transpose\",\"input\":[\"rs\",\"perm\"]},"
    "{\"name\":\"out_c\",\"op\":\"Pad\",\"input\":[\"tr\",\"pads\"]}";

static const int32_t tfjs_tiny_axes[] = {1, 2};
static const int32_t tfjs_tiny_axis1[] = {1};
static const int32_t tfjs_tiny_sizes[] = {1, -1};
static const int32_t tfjs_tiny_rsize[] = {8, 8};
static const int32_t tfjs_tiny_perm[] = {0, 3, 1, 2};
static const int32_t tfjs_tiny_pads[] = {0, 0, 0, 0, 1, 1, 0, 0};
/* The reshape target [1, 6] as onnx-tf writes such shapes:
 * SparseToDense([1], [2], [5], 0) = [0, 5], then + 1. */
static const int32_t tfjs_tiny_sp_idx[] = {1};
static const int32_t tfjs_tiny_sp_shape[] = {2};
static const int32_t tfjs_tiny_sp_val[] = {5};
static const int32_t tfjs_tiny_sp_def[] = {0};
static const int32_t tfjs_tiny_one[] = {1};

static const tfjs_weight tfjs_tiny_weights[] = {
    {"w1", "float16", 0, 4, {3, 3, 2, 3}, NULL},
    {"b1", "", 0, 1, {3}, NULL},
    {"dw", "uint8", 0, 4, {3, 3, 3, 2}, NULL},
    {"db", "", 0, 1, {6}, NULL},
    {"fw", "", 0, 2, {9, 4}, NULL},
    {"fb", "", 0, 1, {4}, NULL},
    {"axes", "", 1, 1, {2}, tfjs_tiny_axes},
    {"axis1", "", 1, 0, {0}, tfjs_tiny_axis1},
    {"sizes", "", 1, 1, {2}, tfjs_tiny_sizes},
    {"rsize", "", 1, 1, {2}, tfjs_tiny_rsize},
    {"perm", "", 1, 1, {4}, tfjs_tiny_perm},
    {"pads", "", 1, 2, {4, 2}, tfjs_tiny_pads},
    {"sp_idx", "", 1, 1, {1}, tfjs_tiny_sp_idx},
    {"sp_shape", "", 1, 1, {1}, tfjs_tiny_sp_shape},
    {"sp_val", "", 1, 1, {1}, tfjs_tiny_sp_val},
    {"sp_def", "", 1, 0, {0}, tfjs_tiny_sp_def},
    {"one", "", 1, 0, {0}, tfjs_tiny_one},
};

static uint16_t tfjs_half_of(float f)
{
    /* exact for the values used: multiples of 1/64 in [-2, 2] */
    if (f == 0)
        return 0;
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    uint32_t sign = x >> 16 & 0x8000, exp = (x >> 23 & 0xff) - 127 + 15, mant = x >> 13 & 0x3ff;
    return (uint16_t)(sign | exp << 10 | mant);
}

/* Builds the model; SHARD_CUT > 0 drops that many bytes from the shard's
 * end. Returns 0 on success; free with tfjs_tiny_free. */
static int tfjs_tiny_model(tfjs_tiny *m, size_t shard_cut)
{
    memset(m, 0, sizeof *m);
    size_t cap = 1 << 16;
    char *manifest = malloc(cap);
    m->shard = malloc(1 << 14);
    if (!manifest || !m->shard) {
        free(manifest);
        return -1;
    }
    size_t mlen = 0, off = 0;
    mlen += (size_t)snprintf(manifest + mlen, cap - mlen, "[{\"paths\":[\"tiny.bin\"],\"weights\":[");
    unsigned counter = 1;
    for (size_t w = 0; w < sizeof tfjs_tiny_weights / sizeof tfjs_tiny_weights[0]; w++) {
        const tfjs_weight *tw = &tfjs_tiny_weights[w];
        int n = 1;
        char shape[64] = "[";
        for (int d = 0; d < tw->rank; d++) {
            n *= tw->shape[d];
            snprintf(shape + strlen(shape), sizeof shape - strlen(shape), "%s%d", d ? "," : "",
                     tw->shape[d]);
        }
        strcat(shape, "]");
        char quant[128] = "";
        if (!strcmp(tw->quant, "float16"))
            snprintf(quant, sizeof quant, ",\"quantization\":{\"dtype\":\"float16\"}");
        else if (!strcmp(tw->quant, "uint8"))
            snprintf(quant, sizeof quant,
                     ",\"quantization\":{\"dtype\":\"uint8\",\"scale\":0.0078125,\"min\":-1.0}");
        mlen += (size_t)snprintf(manifest + mlen, cap - mlen,
                                 "%s{\"name\":\"%s\",\"shape\":%s,\"dtype\":\"%s\"%s}", w ? "," : "",
                                 tw->name, shape, tw->is_int ? "int32" : "float32", quant);
        for (int i = 0; i < n; i++) {
            counter = counter * 1103515245u + 12345u;
            int step = (int)(counter >> 16 & 0xff); /* 0..255 */
            if (tw->is_int) {
                memcpy(m->shard + off, &tw->ints[i], 4);
                off += 4;
            } else if (!strcmp(tw->quant, "float16")) {
                uint16_t h = tfjs_half_of((float)(step - 128) / 64.0f);
                memcpy(m->shard + off, &h, 2);
                off += 2;
            } else if (!strcmp(tw->quant, "uint8")) {
                m->shard[off++] = (uint8_t)step;
            } else {
                float f = (float)(step - 128) / 100.0f;
                memcpy(m->shard + off, &f, 4);
                off += 4;
            }
        }
    }
    mlen += (size_t)snprintf(manifest + mlen, cap - mlen, "]}]");
    size_t jcap = sizeof tfjs_tiny_nodes + mlen + 512;
    m->json = malloc(jcap);
    if (!m->json) {
        free(manifest);
        return -1;
    }
    m->json_size = (size_t)snprintf(
        m->json, jcap,
        "{\"format\":\"graph-model\",\"generatedBy\":\"tests\",\"convertedBy\":\"tests\","
        "\"modelTopology\":{\"node\":[%s],\"library\":{},\"versions\":{}},"
        "\"weightsManifest\":%s}",
        tfjs_tiny_nodes, manifest);
    free(manifest);
    m->shard_size = off > shard_cut ? off - shard_cut : 0;
    return 0;
}

static void tfjs_tiny_free(tfjs_tiny *m)
{
    free(m->json);
    free(m->shard);
    memset(m, 0, sizeof *m);
}

#endif
