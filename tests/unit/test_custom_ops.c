/* MediaPipe's custom ops on small hand-made inputs with hand-computed
 * results, and the FlexBuffers options reader on hand-written bytes. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "nn/flexbuffer.h"
#include "nn/ref_custom_ops.h"

/* {"output_height": 2, "output_width": 3}, laid out as FlexBuffers
 * writes it: key strings, key vector [len][offsets], map [keys offset]
 * [keys width][len][values][types], root [offset][type][width]. */
static void flexbuffer_reads_a_map(void **state)
{
    (void)state;
    uint8_t b[64];
    size_t n = 0;
    memcpy(b, "output_height", 14);
    memcpy(b + 14, "output_width", 13);
    n = 27;
    b[n++] = 2;                   /* 27: key vector length */
    b[n] = (uint8_t)(n - 0); n++; /* 28: -> 0 */
    b[n] = (uint8_t)(n - 14); n++;/* 29: -> 14 */
    b[n] = (uint8_t)(n - 28); n++;/* 30: keys vector offset (to 28) */
    b[n++] = 1;                   /* 31: keys byte width */
    b[n++] = 2;                   /* 32: map length */
    const size_t map = n;         /* 33: values */
    b[n++] = 2;
    b[n++] = 3;
    b[n++] = 1 << 2;              /* INT, width 1 */
    b[n++] = 1 << 2;
    b[n] = (uint8_t)(n - map); n++; /* root: offset to the map */
    b[n++] = 9 << 2;              /* MAP, child width 1 */
    b[n++] = 1;                   /* root width */
    ft_flex_ref r;
    double v;
    assert_int_equal(ft_flex_map_find(b, n, "output_width", &r), 1);
    assert_true(ft_flex_number(&r, &v));
    assert_true(v == 3);
    assert_int_equal(ft_flex_map_find(b, n, "output_height", &r), 1);
    assert_true(ft_flex_number(&r, &v) && v == 2);
    assert_int_equal(ft_flex_map_find(b, n, "output", &r), 0);
    assert_int_equal(ft_flex_vector_length(&r), -1);
    /* Every truncation is malformed or absent, never an out-of-bounds read
     * (ASan checks the latter). */
    for (size_t cut = 0; cut < n; cut++)
        assert_true(ft_flex_map_find(b + cut, n - cut, "output_width", &r) <= 1);
    b[n - 3] = 200; /* the root offset points before the buffer */
    assert_int_equal(ft_flex_map_find(b, n, "output_width", &r), -1);
}

/* A graph of one op with tensors of the given shapes. */
typedef struct one_op {
    ft_nn_graph g;
    ft_nn_tensor t[3];
    ft_nn_op op;
    char name[64];
} one_op;

static void make_op(one_op *o, const char *name, const int64_t *s0, int r0, const int64_t *s1, int r1,
                    const int64_t *sy, int ry, uint8_t *options, size_t options_size)
{
    memset(o, 0, sizeof *o);
    const int64_t *shapes[3] = {s0, s1, sy};
    const int ranks[3] = {r0, r1, ry};
    for (int i = 0; i < 3; i++) {
        o->t[i].dtype = FT_DTYPE_F32;
        o->t[i].rank = ranks[i];
        for (int d = 0; d < ranks[i]; d++)
            o->t[i].shape[d] = shapes[i] ? shapes[i][d] : 0;
    }
    o->op.type = FT_OP_CUSTOM;
    snprintf(o->name, sizeof o->name, "%s", name);
    o->op.attrs.custom_name = o->name;
    o->op.attrs.custom_options = options;
    o->op.attrs.custom_options_size = options_size;
    o->op.inputs[0] = 0;
    o->op.inputs[1] = s1 ? 1 : -1;
    o->op.input_count = s1 ? 2 : 1;
    o->op.outputs[0] = 2;
    o->op.output_count = 1;
    o->g.tensors = o->t;
    o->g.tensor_count = 3;
    o->g.ops = &o->op;
    o->g.op_count = 1;
}

static ft_status run(one_op *o, const float *x, const float *m, float *y)
{
    ft_ref_call c = {.op = &o->op};
    c.in[0] = &o->t[0];
    c.in_data[0] = x;
    c.in[1] = &o->t[1];
    c.in_data[1] = m;
    c.out[0] = &o->t[2];
    c.out_data[0] = y;
    return ft_ref_run_custom(&c);
}

static void transform_landmarks_applies_two_rows(void **state)
{
    (void)state;
    one_op o;
    const int64_t s[] = {1, 2, 3}, sm[] = {1, 4, 4};
    make_op(&o, "TransformLandmarks", s, 3, sm, 3, s, 3, NULL, 0);
    assert_null(ft_ref_check_custom(&o.g, &o.op));
    /* x' = 2x + y + 10, y' = -x + 3y + 20 (the third column multiplies 0). */
    const float m[16] = {2, 1, 99, 10, -1, 3, 99, 20, 0, 0, 1, 0, 0, 0, 0, 1};
    const float x[6] = {1, 2, 7, -3, 0.5f, 8};
    float y[6];
    assert_int_equal(run(&o, x, m, y), FT_OK);
    const float want[6] = {14, 25, 7, 4.5f, 24.5f, 8};
    for (int i = 0; i < 6; i++)
        assert_float_equal(y[i], want[i], 1e-6);
    const int64_t bad[] = {1, 2, 4};
    make_op(&o, "TransformLandmarks", bad, 3, sm, 3, bad, 3, NULL, 0);
    assert_non_null(ft_ref_check_custom(&o.g, &o.op));
}

static void transform_tensor_bilinear_samples_centres(void **state)
{
    (void)state;
    one_op o;
    const int64_t sx[] = {1, 3, 3, 1}, sm[] = {1, 4, 4}, sy[] = {1, 2, 2, 1};
    make_op(&o, "TransformTensorBilinear", sx, 4, sm, 3, sy, 4, NULL, 0);
    assert_null(ft_ref_check_custom(&o.g, &o.op));
    /* Input value = 10 * row + col. Scale 1, shift (0.25, 0.5): output pixel
     * (x, y) reads source (x + 0.25, y + 0.5) after the centre correction
     * (T·(x + ½, y + ½) − ½ with T translating by (0.25, 0.5)). */
    const float x[9] = {0, 1, 2, 10, 11, 12, 20, 21, 22};
    const float m[16] = {1, 0, 0, 0.25f, 0, 1, 0, 0.5f, 0, 0, 1, 0, 0, 0, 0, 1};
    float y[4];
    assert_int_equal(run(&o, x, m, y), FT_OK);
    /* Bilinear of 10r + c is 10 * (y + 0.5) + (x + 0.25). */
    assert_float_equal(y[0], 5.25f, 1e-5);
    assert_float_equal(y[1], 6.25f, 1e-5);
    assert_float_equal(y[2], 15.25f, 1e-5);
    assert_float_equal(y[3], 16.25f, 1e-5);
    /* Shift by 1.5: x = 1.5 and 2.5; 2.5 > W - 1 is outside, so 0. */
    const float m2[16] = {1, 0, 0, 1.5f, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
    assert_int_equal(run(&o, x, m2, y), FT_OK);
    assert_float_equal(y[0], 1.5f, 1e-5);
    assert_float_equal(y[1], 0.0f, 0);
    assert_float_equal(y[2], 11.5f, 1e-5);
    /* Exactly on the last column: its right tap is past the edge and reads
     * 0 with weight 0. */
    const float m3[16] = {1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1};
    assert_int_equal(run(&o, x, m3, y), FT_OK);
    assert_float_equal(y[0], 11.0f, 1e-5);
    assert_float_equal(y[3], 22.0f, 1e-5);
}

/* Options {"left_rotation_idx": 0, "output_height": 4, "output_width": 4,
 * "right_rotation_idx": 1, "scale_x": 1.5, "scale_y": 1.5 (float32),
 * "subset_idxs": [0, 1, 2, 3] (uint8 typed vector)}. */
static size_t l2tm_options(uint8_t *b, int right)
{
    static const char *keys[] = {"left_rotation_idx", "output_height", "output_width",
                                 "right_rotation_idx", "scale_x", "scale_y", "subset_idxs"};
    size_t n = 0, kpos[7];
    for (int i = 0; i < 7; i++) {
        kpos[i] = n;
        memcpy(b + n, keys[i], strlen(keys[i]) + 1);
        n += strlen(keys[i]) + 1;
    }
    b[n++] = 4; /* subset vector: length, then 4 uint8 */
    const size_t vec = n;
    const uint8_t subset[4] = {0, 1, 2, 3};
    memcpy(b + n, subset, 4);
    n += 4;
    while (n % 4)
        b[n++] = 0;
    b[n++] = 7; b[n++] = 0; b[n++] = 0; b[n++] = 0; /* key vector, width 4 */
    const size_t kv = n;
    for (int i = 0; i < 7; i++, n += 4) {
        uint32_t off = (uint32_t)(n - kpos[i]);
        memcpy(b + n, &off, 4);
    }
    uint32_t w;
    w = (uint32_t)(n - kv); memcpy(b + n, &w, 4); n += 4; /* keys offset */
    w = 4; memcpy(b + n, &w, 4); n += 4;                  /* keys width */
    w = 7; memcpy(b + n, &w, 4); n += 4;                  /* length */
    const size_t map = n;
    int32_t ints[4] = {0, 4, 4, right};
    for (int i = 0; i < 4; i++, n += 4)
        memcpy(b + n, &ints[i], 4);
    float f = 1.5f;
    memcpy(b + n, &f, 4); n += 4;
    memcpy(b + n, &f, 4); n += 4;
    w = (uint32_t)(n - vec); memcpy(b + n, &w, 4); n += 4;
    const uint8_t types[7] = {1 << 2, 1 << 2, 1 << 2, 1 << 2, 3 << 2 | 2, 3 << 2 | 2, 12 << 2};
    memcpy(b + n, types, 7);
    n += 7;
    b[n] = (uint8_t)(n - map); n++;
    b[n++] = 9 << 2 | 2; /* MAP, child width 4 */
    b[n++] = 1;
    return n;
}

static void landmarks_to_transform_matrix_builds_the_crop(void **state)
{
    (void)state;
    uint8_t opts[512];
    size_t size = l2tm_options(opts, 1);
    one_op o;
    const int64_t sx[] = {1, 4, 3}, sy[] = {1, 4, 4};
    make_op(&o, "Landmarks2TransformMatrix", sx, 3, NULL, 0, sy, 3, opts, size);
    assert_null(ft_ref_check_custom(&o.g, &o.op));
    /* Level left→right points: no rotation. Box x 2..10, y 4..8: centre
     * (6, 6), w 8, h 4; T = Shift(6, 6) Scale(1.5·8/4, 1.5·4/4) Shift(-2, -2). */
    const float lm[12] = {2, 6, 0, 10, 6, 0, 6, 4, 0, 6, 8, 0};
    float t[16];
    assert_int_equal(run(&o, lm, NULL, t), FT_OK);
    const float want[16] = {3, 0, 0, 0, 0, 1.5f, 0, 3, 0, 0, 1, 0, 0, 0, 0, 1};
    for (int i = 0; i < 16; i++)
        assert_float_equal(t[i], want[i], 1e-5);
    /* Rotated 90°: right point straight below the left one, r = -π/2. In
     * the rotated frame (x, y) → (y, -x) the box is again w 8 by h 4, so T's
     * linear part is Rot(π/2)·Scale(3, 1.5) = [[0, -1.5], [3, 0]]. */
    const float lm2[12] = {6, 2, 0, 6, 10, 0, 4, 6, 0, 8, 6, 0};
    assert_int_equal(run(&o, lm2, NULL, t), FT_OK);
    assert_float_equal(t[0], 0.0f, 1e-5);
    assert_float_equal(t[1], -1.5f, 1e-5);
    assert_float_equal(t[4], 3.0f, 1e-5);
    assert_float_equal(t[5], 0.0f, 1e-5);
    /* Crop centre (2, 2) maps to the box centre (6, 6). */
    assert_float_equal(t[0] * 2 + t[1] * 2 + t[3], 6.0f, 1e-4);
    assert_float_equal(t[4] * 2 + t[5] * 2 + t[7], 6.0f, 1e-4);
    /* An index past the landmarks is refused before any run. */
    size = l2tm_options(opts, 9);
    make_op(&o, "Landmarks2TransformMatrix", sx, 3, NULL, 0, sy, 3, opts, size);
    assert_non_null(ft_ref_check_custom(&o.g, &o.op));
    /* Options cut short are refused too. */
    size = l2tm_options(opts, 1);
    for (size_t cut = 1; cut < size; cut += 7) {
        make_op(&o, "Landmarks2TransformMatrix", sx, 3, NULL, 0, sy, 3, opts, size - cut);
        assert_non_null(ft_ref_check_custom(&o.g, &o.op));
    }
}

static void unknown_custom_op_is_refused(void **state)
{
    (void)state;
    one_op o;
    const int64_t s[] = {1, 2, 2};
    make_op(&o, "MaxPoolingWithArgmax2D", s, 3, NULL, 0, s, 3, NULL, 0);
    assert_non_null(ft_ref_check_custom(&o.g, &o.op));
    float x[4] = {0}, y[4];
    assert_int_equal(run(&o, x, NULL, y), FT_ERR_UNSUPPORTED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(flexbuffer_reads_a_map),
        cmocka_unit_test(transform_landmarks_applies_two_rows),
        cmocka_unit_test(transform_tensor_bilinear_samples_centres),
        cmocka_unit_test(landmarks_to_transform_matrix_builds_the_crop),
        cmocka_unit_test(unknown_custom_op_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
