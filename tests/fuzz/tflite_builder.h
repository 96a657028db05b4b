/* A tiny FlatBuffers writer that makes small, valid TFLite models for the
 * loader's tests and the fuzzer's seed corpus (we commit no model files).
 * It writes front to back: a parent table first, its children after it,
 * then patches the parent's offsets. Every scalar field takes 4 bytes. */
#ifndef FT_TESTS_TFLITE_BUILDER_H
#define FT_TESTS_TFLITE_BUILDER_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct fbw {
    uint8_t buf[1 << 16];
    size_t len;
} fbw;

static inline void fbw_align(fbw *w)
{
    while (w->len % 4)
        w->buf[w->len++] = 0;
}

static inline void fbw_u32_at(fbw *w, size_t pos, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        w->buf[pos + i] = (uint8_t)(v >> (8 * i));
}

static inline size_t fbw_u32(fbw *w, uint32_t v)
{
    fbw_align(w);
    size_t pos = w->len;
    fbw_u32_at(w, pos, v);
    w->len += 4;
    return pos;
}

/* A table of NFIELDS 4-byte slots, all present; returns the table position.
 * Slot i lives at table + 4 + 4 * i. */
static inline size_t fbw_table(fbw *w, int nfields)
{
    fbw_align(w);
    size_t vt = w->len;
    uint16_t vt_size = (uint16_t)(4 + 2 * nfields), tbl_size = (uint16_t)(4 + 4 * nfields);
    w->buf[w->len++] = (uint8_t)vt_size;
    w->buf[w->len++] = (uint8_t)(vt_size >> 8);
    w->buf[w->len++] = (uint8_t)tbl_size;
    w->buf[w->len++] = (uint8_t)(tbl_size >> 8);
    for (int i = 0; i < nfields; i++) {
        uint16_t off = (uint16_t)(4 + 4 * i);
        w->buf[w->len++] = (uint8_t)off;
        w->buf[w->len++] = (uint8_t)(off >> 8);
    }
    fbw_align(w);
    size_t table = w->len;
    fbw_u32(w, (uint32_t)(table - vt)); /* soffset: vtable = table - soffset */
    for (int i = 0; i < nfields; i++)
        fbw_u32(w, 0);
    return table;
}

static inline void fbw_set(fbw *w, size_t table, int field, uint32_t v)
{
    fbw_u32_at(w, table + 4 + 4 * (size_t)field, v);
}

/* Points slot FIELD of TABLE at TARGET (which must come later). */
static inline void fbw_link(fbw *w, size_t table, int field, size_t target)
{
    size_t slot = table + 4 + 4 * (size_t)field;
    fbw_u32_at(w, slot, (uint32_t)(target - slot));
}

static inline size_t fbw_ints(fbw *w, const int32_t *v, uint32_t n)
{
    size_t pos = fbw_u32(w, n);
    for (uint32_t i = 0; i < n; i++)
        fbw_u32(w, (uint32_t)v[i]);
    return pos;
}

static inline size_t fbw_bytes(fbw *w, const void *data, uint32_t n)
{
    size_t pos = fbw_u32(w, n);
    memcpy(w->buf + w->len, data, n);
    w->len += n;
    w->buf[w->len++] = 0; /* strings end with NUL; harmless for byte vectors */
    return pos;
}

/* A vector of N table offsets, to be linked with fbw_link_elem. */
static inline size_t fbw_table_vector(fbw *w, uint32_t n)
{
    size_t pos = fbw_u32(w, n);
    for (uint32_t i = 0; i < n; i++)
        fbw_u32(w, 0);
    return pos;
}

static inline void fbw_link_elem(fbw *w, size_t vec, uint32_t i, size_t target)
{
    size_t slot = vec + 4 + 4 * (size_t)i;
    fbw_u32_at(w, slot, (uint32_t)(target - slot));
}

/* Tensor: shape, type (0 float32, 1 float16), buffer index, name. */
static inline size_t fbw_tensor(fbw *w, const int32_t *shape, uint32_t rank, int type,
                                uint32_t buffer, const char *name)
{
    size_t t = fbw_table(w, 4);
    fbw_set(w, t, 1, (uint32_t)type);
    fbw_set(w, t, 2, buffer);
    fbw_link(w, t, 0, fbw_ints(w, shape, rank));
    fbw_link(w, t, 3, fbw_bytes(w, name, (uint32_t)strlen(name)));
    return t;
}

/* A model: y = relu(conv1x1(x, dequantize(w_fp16)) + x), x [1,4,4,2].
 * Exercises float16 weights, DEQUANTIZE folding, options tables, fused
 * activation and a broadcast-free ADD. Writes the bytes into W. */
static inline void fbw_conv_add_model(fbw *w)
{
    memset(w, 0, sizeof *w);
    w->len = 8; /* root offset, then the file identifier */
    memcpy(w->buf + 4, "TFL3", 4);
    size_t model = fbw_table(w, 5); /* version, operator_codes, subgraphs, description, buffers */
    fbw_u32_at(w, 0, (uint32_t)model);
    fbw_set(w, model, 0, 3);

    size_t codes = fbw_table_vector(w, 3);
    fbw_link(w, model, 1, codes);
    const int builtins[3] = {6 /* DEQUANTIZE */, 3 /* CONV_2D */, 0 /* ADD */};
    for (uint32_t i = 0; i < 3; i++) {
        size_t oc = fbw_table(w, 4); /* deprecated_builtin_code, custom_code, version, builtin_code */
        fbw_set(w, oc, 0, (uint32_t)builtins[i]);
        fbw_set(w, oc, 2, 1);
        fbw_set(w, oc, 3, (uint32_t)builtins[i]);
        fbw_link_elem(w, codes, i, oc);
    }

    size_t subgraphs = fbw_table_vector(w, 1);
    fbw_link(w, model, 2, subgraphs);
    size_t sg = fbw_table(w, 5); /* tensors, inputs, outputs, operators, name */
    fbw_link_elem(w, subgraphs, 0, sg);
    size_t tensors = fbw_table_vector(w, 5);
    fbw_link(w, sg, 0, tensors);
    const int32_t act[4] = {1, 4, 4, 2}, wshape[4] = {2, 1, 1, 2};
    fbw_link_elem(w, tensors, 0, fbw_tensor(w, act, 4, 0, 0, "x"));
    fbw_link_elem(w, tensors, 1, fbw_tensor(w, wshape, 4, 1, 1, "w_fp16"));
    fbw_link_elem(w, tensors, 2, fbw_tensor(w, wshape, 4, 0, 0, "w"));
    fbw_link_elem(w, tensors, 3, fbw_tensor(w, act, 4, 0, 0, "conv"));
    fbw_link_elem(w, tensors, 4, fbw_tensor(w, act, 4, 0, 0, "y"));
    fbw_link(w, sg, 1, fbw_ints(w, (const int32_t[]){0}, 1));
    fbw_link(w, sg, 2, fbw_ints(w, (const int32_t[]){4}, 1));

    size_t ops = fbw_table_vector(w, 3);
    fbw_link(w, sg, 3, ops);
    /* Operator: opcode_index, inputs, outputs, builtin_options_type, builtin_options */
    size_t deq = fbw_table(w, 5);
    fbw_link_elem(w, ops, 0, deq);
    fbw_set(w, deq, 0, 0);
    fbw_link(w, deq, 1, fbw_ints(w, (const int32_t[]){1}, 1));
    fbw_link(w, deq, 2, fbw_ints(w, (const int32_t[]){2}, 1));
    size_t conv = fbw_table(w, 5);
    fbw_link_elem(w, ops, 1, conv);
    fbw_set(w, conv, 0, 1);
    fbw_set(w, conv, 3, 1); /* Conv2DOptions */
    fbw_link(w, conv, 1, fbw_ints(w, (const int32_t[]){0, 2, -1}, 3));
    fbw_link(w, conv, 2, fbw_ints(w, (const int32_t[]){3}, 1));
    size_t conv_opts = fbw_table(w, 6); /* padding, stride_w, stride_h, act, dil_w, dil_h */
    fbw_set(w, conv_opts, 0, 1);        /* VALID */
    fbw_set(w, conv_opts, 1, 1);
    fbw_set(w, conv_opts, 2, 1);
    fbw_set(w, conv_opts, 4, 1);
    fbw_set(w, conv_opts, 5, 1);
    fbw_link(w, conv, 4, conv_opts);
    size_t add = fbw_table(w, 5);
    fbw_link_elem(w, ops, 2, add);
    fbw_set(w, add, 0, 2);
    fbw_set(w, add, 3, 11); /* AddOptions */
    fbw_link(w, add, 1, fbw_ints(w, (const int32_t[]){3, 0}, 2));
    fbw_link(w, add, 2, fbw_ints(w, (const int32_t[]){4}, 1));
    size_t add_opts = fbw_table(w, 1);
    fbw_set(w, add_opts, 0, 1); /* RELU */
    fbw_link(w, add, 4, add_opts);
    fbw_link(w, sg, 4, fbw_bytes(w, "main", 4));

    size_t buffers = fbw_table_vector(w, 2);
    fbw_link(w, model, 4, buffers);
    fbw_link_elem(w, buffers, 0, fbw_table(w, 1)); /* the empty sentinel */
    size_t weights = fbw_table(w, 1);
    fbw_link_elem(w, buffers, 1, weights);
    /* float16 weights [[1, 0.5], [-2, 0.25]]: w[o][i] */
    const uint16_t half[4] = {0x3c00, 0x3800, 0xc000, 0x3400};
    fbw_link(w, weights, 0, fbw_bytes(w, half, sizeof half));
}

#endif
