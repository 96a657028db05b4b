/* COCO objects: the decoders of both detectors on made-up outputs worked by
 * hand, the overlap suppression, the original's centroid tracker rules, and
 * real detections: persons on frames of the shared clips (people counted by
 * eye per clip) found by CenterNet and confirmed by NanoDet, a second
 * detector of another architecture, on the same frames. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "facetrack.h"
#include "nn/ref_detection_postprocess.h"
#include "nn/runner.h"
#include "nn/tflite.h"
#include "objects/coco_labels.h"
#include "objects/object_decode.h"
#include "objects/object_tracker.h"
#include "onnx_detector_builder.h"
#include "tflite_builder.h"
#include "tflite_detector_builder.h"
#include <sys/stat.h>
#include <unistd.h>

static char shared[1024], models[1024];

/* 6x6 cells, 3 classes, stride 4. Class 1 peaks at (y 2, x 3) with 0.9 and
 * has 0.8 beside it (not a peak); class 0 peaks at (5, 5) with 0.6; class 2
 * has 0.3 alone (below the threshold 0.5). */
static void centernet_peaks_and_boxes(void **state)
{
    (void)state;
    enum { H = 6, W = 6, C = 3 };
    float heat[H * W * C] = {0}, wh[H * W * 4];
    for (int i = 0; i < H * W * 4; i++)
        wh[i] = (float)(i % 4 + 1); /* left 1, top 2, right 3, bottom 4 */
    heat[(2 * W + 3) * C + 1] = 0.9f;
    heat[(2 * W + 4) * C + 1] = 0.8f;
    heat[(5 * W + 5) * C + 0] = 0.6f;
    heat[(0 * W + 0) * C + 2] = 0.3f;
    ft_object_box out[8];
    int n = ft_centernet_decode(heat, wh, H, W, C, 4, 0.5f, out, 8);
    assert_int_equal(n, 2);
    assert_int_equal(out[0].class_id, 1);
    assert_float_equal(out[0].score, 0.9f, 1e-6);
    /* point (3 * 4, 2 * 4) = (12, 8): box (12 - 1, 8 - 2, 12 + 3, 8 + 4) */
    assert_float_equal(out[0].x1, 11, 1e-6);
    assert_float_equal(out[0].y1, 6, 1e-6);
    assert_float_equal(out[0].x2, 15, 1e-6);
    assert_float_equal(out[0].y2, 12, 1e-6);
    assert_int_equal(out[1].class_id, 0);
    assert_float_equal(out[1].x1, 19, 1e-6); /* (20 - 1, 20 - 2) */
    assert_float_equal(out[1].y1, 18, 1e-6);
    /* a cap keeps the best */
    assert_int_equal(ft_centernet_decode(heat, wh, H, W, C, 4, 0.5f, out, 1), 1);
    assert_int_equal(out[0].class_id, 1);
}

/* One 2x2 level at stride 8, 3 bins: cell 3 (row 1, col 1) scores class 2
 * at 0.7. Its distributions: left all on bin 2 (logits 0, 0, 20), top even
 * over three bins (expectation 1), right on bin 0, bottom half bins 1 and 2
 * (expectation 1.5). Centre ((1 + 0.5) * 8, (1 + 0.5) * 8) = (12, 12). */
static void nanodet_distributions(void **state)
{
    (void)state;
    float scores[4 * 3] = {0}, reg[4 * 12] = {0};
    scores[3 * 3 + 2] = 0.7f;
    scores[0 * 3 + 1] = 0.2f; /* below the threshold */
    float *r = reg + 3 * 12;
    const float cell[12] = {0, 0, 20, 0, 0, 0, 20, 0, 0, -40, 0, 0};
    memcpy(r, cell, sizeof cell);
    ft_object_box out[4];
    int n = 0;
    ft_nanodet_decode(scores, reg, 2, 3, 3, 8, 0.5f, out, &n, 4);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].class_id, 2);
    assert_float_equal(out[0].x1, 12 - 2 * 8, 1e-4);
    assert_float_equal(out[0].y1, 12 - 1 * 8, 1e-4);
    assert_float_equal(out[0].x2, 12 + 0, 1e-4);
    assert_float_equal(out[0].y2, 12 + 1.5 * 8, 1e-4);
}

/* NanoDet-Plus rows [N, C + 4 * bins], centres at (col * stride, row * stride):
 * a 2x2 grid at stride 16, 2 classes, 2 bins; cell 2 (row 1, col 0) scores
 * class 1 at 0.8, distances all on bin 1 (one stride) but the bottom, even
 * over both bins (half a stride). Centre (0, 16): box (-16, 0, 16, 24). */
static void nanodet_plus_rows(void **state)
{
    (void)state;
    enum { PITCH = 2 + 4 * 2 };
    float rows[4 * PITCH] = {0};
    float *cell = rows + 2 * PITCH;
    cell[1] = 0.8f;
    const float reg[8] = {-30, 30, -30, 30, -30, 30, 0, 0};
    memcpy(cell + 2, reg, sizeof reg);
    ft_object_box out[4];
    int n = 0;
    ft_gfl_decode(rows, PITCH, rows + 2, PITCH, 2, 2, 2, 2, 16, 0.0f, 0.5f, out, &n, 4);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].class_id, 1);
    assert_float_equal(out[0].x1, -16, 1e-3);
    assert_float_equal(out[0].y1, 0, 1e-3);
    assert_float_equal(out[0].x2, 16, 1e-3);
    assert_float_equal(out[0].y2, 24, 1e-3);
}

/* ultralytics' layout [4 + C, N]: anchor 1 of 3 is class 2 at 0.75 with
 * centre (50, 60), size 20 x 10. */
static void yolo_columns(void **state)
{
    (void)state;
    enum { N = 3, C = 3 };
    float pred[(4 + C) * N] = {0};
    const float box[4] = {50, 60, 20, 10};
    for (int k = 0; k < 4; k++)
        pred[k * N + 1] = box[k];
    pred[(4 + 2) * N + 1] = 0.75f;
    pred[(4 + 0) * N + 1] = 0.5f;  /* a weaker class of the same anchor */
    pred[(4 + 1) * N + 0] = 0.3f;  /* below the threshold */
    ft_object_box out[4];
    int n = 0;
    ft_yolo_decode(pred, N, C, 0.4f, out, &n, 4);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].class_id, 2);
    assert_float_equal(out[0].score, 0.75f, 1e-6);
    assert_float_equal(out[0].x1, 40, 1e-6);
    assert_float_equal(out[0].y1, 55, 1e-6);
    assert_float_equal(out[0].x2, 60, 1e-6);
    assert_float_equal(out[0].y2, 65, 1e-6);
}

/* A made-up YOLO export (tests/fuzz/onnx_detector_builder.h) through the
 * whole detector: the ONNX loader, the letterbox and the way back. The
 * image is 128 x 64, black but white from x = 48 on; letterboxed into
 * 64 x 64 at scale 0.5 with 16 rows of padding above and below. Of the four
 * cells (input pixels (0|32, 0|32)) only (32, 32), image pixel (64, 32), is
 * white: person at 0.9 with the box (40, 40, 20, 10) around its centre in
 * input pixels, (30..50, 35..45), which is (60..100, 38..58) in the image. */
static void yolo_export_end_to_end(void **state)
{
    (void)state;
    const float box[4] = {40, 40, 20, 10};
    size_t size;
    uint8_t *model = yolo_tiny_model(64, box, &size);
    assert_non_null(model);
    char path[] = "/tmp/ft_yolo_tiny_XXXXXX.onnx";
    int fd = mkstemps(path, 5);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(model, 1, size, f), size);
    fclose(f);
    free(model);
    ft_object_options o;
    ft_object_options_init(&o);
    o.model = path;
    ft_object_detector *d;
    char err[512];
    if (ft_object_detector_create(&o, &d, err, sizeof err) != FT_OK) {
        remove(path);
        fail_msg("%s", err);
    }
    remove(path);
    assert_string_equal(ft_object_detector_model(d), "yolo");
    enum { W = 128, H = 64 };
    static uint8_t rgb[W * H * 3];
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            memset(rgb + (y * W + x) * 3, x >= 48 ? 255 : 0, 3);
    const ft_image im = {rgb, W, H, W * 3, FT_PIXFMT_RGB24};
    const ft_object *objs;
    int n;
    assert_int_equal(ft_object_detector_detect(d, &im, &objs, &n), FT_OK);
    assert_int_equal(n, 1);
    assert_string_equal(objs[0].label, "person");
    assert_float_equal(objs[0].score, 0.9f, 0.01f);
    printf("box %.2f %.2f %.2f %.2f\n", objs[0].box[0], objs[0].box[1], objs[0].box[2],
           objs[0].box[3]);
    assert_float_equal(objs[0].box[0], 60, 0.01f);
    assert_float_equal(objs[0].box[1], 38, 0.01f);
    assert_float_equal(objs[0].box[2], 40, 0.01f);
    assert_float_equal(objs[0].box[3], 20, 0.01f);
    ft_object_detector_free(d);
}

/* A FlexBuffers map of float values (KEYS sorted), every slot 4 bytes:
 * the keys, their vector, the map's prefix (keys offset, keys width,
 * length), the values, their type bytes, then the root. */
static size_t flex_float_map(const char *const *keys, const float *values, int n, uint8_t *b)
{
    size_t at = 0, key_at[16];
    for (int i = 0; i < n; i++) {
        key_at[i] = at;
        memcpy(b + at, keys[i], strlen(keys[i]) + 1);
        at += strlen(keys[i]) + 1;
    }
    while (at % 4)
        b[at++] = 0;
    uint32_t u = (uint32_t)n;
    memcpy(b + at, &u, 4), at += 4; /* keys vector length */
    const size_t keys_vec = at;
    for (int i = 0; i < n; i++) {
        u = (uint32_t)(at - key_at[i]);
        memcpy(b + at, &u, 4), at += 4;
    }
    u = (uint32_t)(at - keys_vec);
    memcpy(b + at, &u, 4), at += 4; /* to the keys vector */
    u = 4;
    memcpy(b + at, &u, 4), at += 4; /* its byte width */
    u = (uint32_t)n;
    memcpy(b + at, &u, 4), at += 4; /* map length */
    const size_t map = at;
    for (int i = 0; i < n; i++)
        memcpy(b + at, &values[i], 4), at += 4;
    for (int i = 0; i < n; i++)
        b[at++] = 3 << 2 | 2; /* FLOAT, 4 bytes */
    while (at % 4)
        b[at++] = 0;
    u = (uint32_t)(at - map);
    memcpy(b + at, &u, 4), at += 4; /* root: to the map */
    b[at++] = 9 << 2 | 2;           /* MAP, children 4 bytes */
    b[at++] = 4;                    /* root width */
    return at;
}

/* TFLite_Detection_PostProcess on three anchors, two classes behind a
 * background column. Anchor 0 (centre 0.5, 0.5, size 0.2) scores class 1
 * (column 2) 0.9 with a zero encoding: box (0.4, 0.4, 0.6, 0.6). Anchor 1,
 * 0.01 lower, scores 0.8 and overlaps it (IoU 0.9): suppressed. Anchor 2
 * (0.2, 0.2, size 0.1) scores class 0 0.7 with ty = 1, th = 5 ln 2: centre y
 * 1 / 10 * 0.1 + 0.2 = 0.21, height 2 * 0.1: box (0.11, 0.15, 0.31, 0.25).
 * A background score of 0.95 counts for nothing. */
static void detection_postprocess(void **state)
{
    (void)state;
    static const char *const keys[] = {"h_scale", "max_detections", "nms_iou_threshold",
                                       "nms_score_threshold", "num_classes", "w_scale",
                                       "x_scale", "y_scale"};
    const float values[] = {5, 3, 0.5f, 0.3f, 2, 5, 10, 10};
    uint8_t opts[512];
    const size_t opts_size = flex_float_map(keys, values, 8, opts);
    ft_nn_tensor t[7];
    memset(t, 0, sizeof t);
    const int64_t shapes[7][3] = {{1, 3, 4}, {1, 3, 3}, {3, 4, 0}, {1, 3, 4}, {1, 3, 0},
                                  {1, 3, 0}, {1, 0, 0}};
    const int ranks[7] = {3, 3, 2, 3, 2, 2, 1};
    for (int i = 0; i < 7; i++) {
        t[i].dtype = FT_DTYPE_F32;
        t[i].rank = ranks[i];
        memcpy(t[i].shape, shapes[i], sizeof shapes[i]);
    }
    ft_nn_op op;
    memset(&op, 0, sizeof op);
    op.type = FT_OP_CUSTOM;
    op.attrs.custom_name = (char[]){FT_DETECTION_POSTPROCESS};
    op.attrs.custom_options = opts;
    op.attrs.custom_options_size = opts_size;
    op.input_count = 3;
    op.output_count = 4;
    for (int i = 0; i < 3; i++)
        op.inputs[i] = i;
    for (int i = 0; i < 4; i++)
        op.outputs[i] = 3 + i;
    ft_nn_graph g = {.tensors = t, .tensor_count = 7, .ops = &op, .op_count = 1};
    const char *why = ft_ref_check_detection_postprocess(&g, &op);
    if (why)
        fail_msg("%s", why);
    const float enc[12] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 5 * logf(2), 0};
    const float scores[9] = {0.1f, 0.2f, 0.9f, 0, 0.3f, 0.8f, 0.95f, 0.7f, 0.1f};
    const float anchors[12] = {0.5f, 0.5f, 0.2f, 0.2f, 0.51f, 0.5f, 0.2f, 0.2f,
                               0.2f, 0.2f, 0.1f, 0.1f};
    float boxes[12], classes[3], out_scores[3], num[1];
    ft_ref_call c = {.op = &op};
    const void *in[3] = {enc, scores, anchors};
    void *out[4] = {boxes, classes, out_scores, num};
    for (int i = 0; i < 3; i++) {
        c.in[i] = &t[i];
        c.in_data[i] = in[i];
    }
    for (int i = 0; i < 4; i++) {
        c.out[i] = &t[3 + i];
        c.out_data[i] = out[i];
    }
    assert_int_equal(ft_ref_run_detection_postprocess(&c), FT_OK);
    assert_float_equal(num[0], 2, 0);
    assert_float_equal(classes[0], 1, 0);
    assert_float_equal(out_scores[0], 0.9f, 1e-6);
    const float want0[4] = {0.4f, 0.4f, 0.6f, 0.6f}, want1[4] = {0.11f, 0.15f, 0.31f, 0.25f};
    for (int k = 0; k < 4; k++) {
        assert_float_equal(boxes[k], want0[k], 1e-6);
        assert_float_equal(boxes[4 + k], want1[k], 1e-6);
        assert_float_equal(boxes[8 + k], 0, 0); /* past the count */
    }
    assert_float_equal(classes[1], 0, 0);
    assert_float_equal(out_scores[1], 0.7f, 1e-6);
    /* what the kernel does not do is refused by name */
    static const char *const regular_keys[] = {"h_scale", "max_detections", "nms_iou_threshold",
                                               "nms_score_threshold", "num_classes",
                                               "use_regular_nms", "w_scale", "x_scale", "y_scale"};
    const float regular_values[] = {5, 3, 0.5f, 0.3f, 2, 1, 5, 10, 10};
    op.attrs.custom_options_size = flex_float_map(regular_keys, regular_values, 9, opts);
    why = ft_ref_check_detection_postprocess(&g, &op);
    assert_non_null(why);
    assert_non_null(strstr(why, "use_regular_nms"));
    op.attrs.custom_options_size = opts_size / 2; /* cut */
    assert_non_null(ft_ref_check_detection_postprocess(&g, &op));
}

/* The same three anchors as a TFLite file (tests/fuzz/tflite_builder.h):
 * boxes and scores as inputs, the anchors a constant buffer, the custom op
 * with its FlexBuffers options; loaded, checked and run by both backends
 * (the fast one hands the custom op to the reference kernels). */
static void detection_postprocess_tflite(void **state)
{
    (void)state;
    static const char *const keys[] = {"h_scale", "max_detections", "nms_iou_threshold",
                                       "nms_score_threshold", "num_classes", "w_scale",
                                       "x_scale", "y_scale"};
    const float values[] = {5, 3, 0.5f, 0.3f, 2, 5, 10, 10};
    uint8_t opts[512];
    const size_t opts_size = flex_float_map(keys, values, 8, opts);
    static fbw w;
    memset(&w, 0, sizeof w);
    w.len = 8;
    memcpy(w.buf + 4, "TFL3", 4);
    size_t model = fbw_table(&w, 5);
    fbw_u32_at(&w, 0, (uint32_t)model);
    fbw_set(&w, model, 0, 3);
    size_t codes = fbw_table_vector(&w, 1);
    fbw_link(&w, model, 1, codes);
    size_t oc = fbw_table(&w, 4);
    fbw_set(&w, oc, 0, 32); /* CUSTOM */
    fbw_set(&w, oc, 2, 1);
    fbw_set(&w, oc, 3, 32);
    fbw_link(&w, oc, 1, fbw_bytes(&w, FT_DETECTION_POSTPROCESS, (uint32_t)strlen(FT_DETECTION_POSTPROCESS)));
    fbw_link_elem(&w, codes, 0, oc);
    size_t subgraphs = fbw_table_vector(&w, 1);
    fbw_link(&w, model, 2, subgraphs);
    size_t sg = fbw_table(&w, 5);
    fbw_link_elem(&w, subgraphs, 0, sg);
    size_t tensors = fbw_table_vector(&w, 7);
    fbw_link(&w, sg, 0, tensors);
    const int32_t s134[3] = {1, 3, 4}, s133[3] = {1, 3, 3}, s34[2] = {3, 4}, s13[2] = {1, 3},
                  s1[1] = {1};
    fbw_link_elem(&w, tensors, 0, fbw_tensor(&w, s134, 3, 0, 0, "raw_boxes"));
    fbw_link_elem(&w, tensors, 1, fbw_tensor(&w, s133, 3, 0, 0, "raw_scores"));
    fbw_link_elem(&w, tensors, 2, fbw_tensor(&w, s34, 2, 0, 1, "anchors"));
    fbw_link_elem(&w, tensors, 3, fbw_tensor(&w, s134, 3, 0, 0, "boxes"));
    fbw_link_elem(&w, tensors, 4, fbw_tensor(&w, s13, 2, 0, 0, "classes"));
    fbw_link_elem(&w, tensors, 5, fbw_tensor(&w, s13, 2, 0, 0, "scores"));
    fbw_link_elem(&w, tensors, 6, fbw_tensor(&w, s1, 1, 0, 0, "count"));
    fbw_link(&w, sg, 1, fbw_ints(&w, (const int32_t[]){0, 1}, 2));
    fbw_link(&w, sg, 2, fbw_ints(&w, (const int32_t[]){3, 4, 5, 6}, 4));
    size_t ops = fbw_table_vector(&w, 1);
    fbw_link(&w, sg, 3, ops);
    /* Operator: opcode_index, inputs, outputs, builtin_options_type,
     * builtin_options (none), custom_options */
    size_t op = fbw_table(&w, 6);
    fbw_link_elem(&w, ops, 0, op);
    fbw_link(&w, op, 1, fbw_ints(&w, (const int32_t[]){0, 1, 2}, 3));
    fbw_link(&w, op, 2, fbw_ints(&w, (const int32_t[]){3, 4, 5, 6}, 4));
    fbw_link(&w, op, 5, fbw_bytes(&w, opts, (uint32_t)opts_size));
    fbw_link(&w, sg, 4, fbw_bytes(&w, "main", 4));
    size_t buffers = fbw_table_vector(&w, 2);
    fbw_link(&w, model, 4, buffers);
    fbw_link_elem(&w, buffers, 0, fbw_table(&w, 1));
    size_t anchor_buf = fbw_table(&w, 1);
    fbw_link_elem(&w, buffers, 1, anchor_buf);
    const float anchors[12] = {0.5f, 0.5f, 0.2f, 0.2f, 0.51f, 0.5f, 0.2f, 0.2f,
                               0.2f, 0.2f, 0.1f, 0.1f};
    fbw_link(&w, anchor_buf, 0, fbw_bytes(&w, anchors, sizeof anchors));

    ft_nn_graph g;
    char err[512];
    if (ft_tflite_load(w.buf, w.len, "ssd.tflite", &g, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    assert_int_equal(g.op_count, 1);
    assert_int_equal(g.output_count, 4);
    const float enc[12] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 5 * logf(2), 0};
    const float scores[9] = {0.1f, 0.2f, 0.9f, 0, 0.3f, 0.8f, 0.95f, 0.7f, 0.1f};
    for (int backend = 0; backend < 2; backend++) {
        ft_nn_runner *r;
        if (ft_nn_runner_create(&g, backend ? FT_NN_BACKEND_FAST : FT_NN_BACKEND_REFERENCE, 1, &r,
                                err, sizeof err) != FT_OK)
            fail_msg("%s", err);
        memcpy(ft_nn_runner_input(r, 0), enc, sizeof enc);
        memcpy(ft_nn_runner_input(r, 1), scores, sizeof scores);
        assert_int_equal(ft_nn_runner_run(r), FT_OK);
        const float *boxes = ft_nn_runner_output(r, 0), *classes = ft_nn_runner_output(r, 1);
        const float *sc = ft_nn_runner_output(r, 2), *count = ft_nn_runner_output(r, 3);
        assert_float_equal(count[0], 2, 0);
        assert_float_equal(classes[0], 1, 0);
        assert_float_equal(classes[1], 0, 0);
        assert_float_equal(sc[0], 0.9f, 1e-6);
        assert_float_equal(sc[1], 0.7f, 1e-6);
        assert_float_equal(boxes[4], 0.11f, 1e-6);
        assert_float_equal(boxes[6], 0.31f, 1e-6);
        ft_nn_runner_free(r);
    }
    ft_nn_graph_free(&g);
}

/* A TFLite detector made as MediaPipe's EfficientDet-Lite files are
 * (tests/fuzz/tflite_detector_builder.h: metadata with the input's
 * NormalizationOptions and a label file in a zip appended to the model).
 * The image is 40x40, black but for two 10x10 blocks: G = 231 in cell
 * (row 1, column 2), B = 207 in cell (3, 0). With mean 15 and std 240 from
 * the metadata they score (231 - 15) / 240 = 0.9 for class 0 and
 * (207 - 15) / 240 = 0.8 for class 1 (raw levels would give 231, the
 * default 127.5 / 127.5 0.81), every other cell -0.0625. */
typedef struct tflite_case {
    int norm;
    const char *label_file, *labels; /* labels NULL: no zip appended */
} tflite_case;

/* The post-processing options of the made-up detector: 3 detections at
 * most, 2 classes, scores from 0.3. */
static size_t detector_options(uint8_t *opts)
{
    static const char *const keys[] = {"h_scale", "max_detections", "nms_iou_threshold",
                                       "nms_score_threshold", "num_classes", "w_scale",
                                       "x_scale", "y_scale"};
    const float values[] = {5, 3, 0.5f, 0.3f, 2, 5, 10, 10};
    return flex_float_map(keys, values, 8, opts);
}

static ft_status write_tflite_detector(const char *path, const tflite_case *c)
{
    uint8_t opts[512];
    const size_t opts_size = detector_options(opts);
    static fbw meta, w;
    tdb_metadata(&meta, c->norm, 15.0f, 240.0f, c->label_file);
    tdb_model(&w, opts, opts_size, &meta);
    if (c->labels)
        tdb_append_zip(&w, c->label_file, c->labels, strlen(c->labels));
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(w.buf, 1, w.len, f) != w.len || fclose(f) != 0)
        return FT_ERR_IO;
    return FT_OK;
}

static int detect_blocks(const char *model, float min_score, ft_object *out, int cap, char *err,
                         size_t err_size)
{
    static uint8_t px[40 * 40 * 3];
    memset(px, 0, sizeof px);
    for (int y = 0; y < 10; y++)
        for (int x = 0; x < 10; x++) {
            px[((10 + y) * 40 + 20 + x) * 3 + 1] = 231;
            px[((30 + y) * 40 + x) * 3 + 2] = 207;
        }
    const ft_image im = {px, 40, 40, 40 * 3, FT_PIXFMT_RGB24};
    ft_object_options o;
    ft_object_options_init(&o);
    o.model = model;
    o.min_score = min_score;
    ft_object_detector *d = NULL;
    if (ft_object_detector_create(&o, &d, err, err_size) != FT_OK)
        return -1;
    assert_string_equal(ft_object_detector_model(d), "tflite_detection");
    const ft_object *objs;
    int n = 0;
    assert_int_equal(ft_object_detector_detect(d, &im, &objs, &n), FT_OK);
    for (int i = 0; i < n && i < cap; i++)
        out[i] = objs[i];
    ft_object_detector_free(d);
    return n;
}

static void tflite_detector_metadata(void **state)
{
    (void)state;
    char dir[] = "/tmp/ft_tflite_det_XXXXXX", path[256], err[512];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/EfficientDet-Lite2-32.tflite", dir);
    ft_object got[4];

    /* labels from the appended zip: class 0 "person", class 1 "dog" */
    const tflite_case named = {1, "labelmap.txt", "person\ndog\n"};
    assert_int_equal(write_tflite_detector(path, &named), FT_OK);
    int n = detect_blocks(path, 0.4f, got, 4, err, sizeof err);
    if (n < 0)
        fail_msg("%s", err);
    assert_int_equal(n, 2);
    assert_string_equal(got[0].label, "person");
    assert_int_equal(got[0].class_id, 0);
    assert_float_equal(got[0].score, 0.9f, 1e-4);
    const float want0[4] = {20, 10, 10, 10}, want1[4] = {0, 30, 10, 10};
    for (int k = 0; k < 4; k++) {
        assert_float_equal(got[0].box[k], want0[k], 1e-3);
        assert_float_equal(got[1].box[k], want1[k], 1e-3);
    }
    assert_string_equal(got[1].label, "dog");
    assert_int_equal(got[1].class_id, 16);
    assert_float_equal(got[1].score, 0.8f, 1e-4);
    assert_int_equal(detect_blocks(path, 0.85f, got, 4, err, sizeof err), 1); /* the threshold */

    /* the registry name finds the original's file on the model search path */
    const char *old = getenv("FACETRACK_MODEL_PATH");
    char *saved = old ? strdup(old) : NULL;
    setenv("FACETRACK_MODEL_PATH", dir, 1);
    assert_int_equal(detect_blocks("efficientdet_lite2", 0.4f, got, 4, err, sizeof err), 2);
    /* ... and in its object_detectors/tflite subfolder, by MediaPipe's name too */
    char sub[256], nested[320];
    snprintf(sub, sizeof sub, "%s/object_detectors", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    snprintf(sub, sizeof sub, "%s/object_detectors/tflite", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    snprintf(nested, sizeof nested, "%s/efficientdet_lite0.tflite", sub);
    assert_int_equal(write_tflite_detector(nested, &named), FT_OK);
    assert_int_equal(detect_blocks("efficientdet_lite0", 0.4f, got, 4, err, sizeof err), 2);
    unlink(nested);
    rmdir(sub);
    snprintf(sub, sizeof sub, "%s/object_detectors", dir);
    rmdir(sub);

    /* "???" (a gap of COCO's ids) is no object */
    const tflite_case gap = {1, "labelmap.txt", "???\r\ndog\r\n"};
    assert_int_equal(write_tflite_detector(path, &gap), FT_OK);
    assert_int_equal(detect_blocks(path, 0.4f, got, 4, err, sizeof err), 1);
    assert_string_equal(got[0].label, "dog");

    /* no label file: COCO's 90 ids (0 person, 1 bicycle) */
    const tflite_case ids = {1, NULL, NULL};
    assert_int_equal(write_tflite_detector(path, &ids), FT_OK);
    assert_int_equal(detect_blocks(path, 0.4f, got, 4, err, sizeof err), 2);
    assert_string_equal(got[0].label, "person");
    assert_string_equal(got[1].label, "bicycle");

    /* refusals, one line naming the file */
    const struct {
        tflite_case c;
        const char *why;
    } bad[] = {
        {{0, NULL, NULL}, "needs NormalizationOptions"},
        {{1, "labelmap.txt", NULL}, "cannot be read"},
        {{1, "labels.txt", NULL}, "cannot be read"},
        {{1, "labelmap.txt", "car\n"}, NULL}, /* fine: a label file shorter than the ids */
        {{1, "labelmap.txt", "cheese\nbread\n"}, "none of the 2 labels"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(write_tflite_detector(path, &bad[i].c), FT_OK);
        n = detect_blocks(path, 0.4f, got, 4, err, sizeof err);
        if (!bad[i].why) {
            assert_int_equal(n, 1); /* class 1 has no label: dropped */
            assert_string_equal(got[0].label, "car");
            continue;
        }
        assert_int_equal(n, -1);
        assert_non_null(strstr(err, path));
        if (!strstr(err, bad[i].why))
            fail_msg("case %zu: %s", i, err);
        assert_null(strchr(err, '\n'));
    }
    /* a label file the zip does not hold */
    static fbw meta, w;
    tdb_metadata(&meta, 1, 15.0f, 240.0f, "labelmap.txt");
    uint8_t opts[512];
    const size_t opts_size = detector_options(opts);
    tdb_model(&w, opts, opts_size, &meta);
    tdb_append_zip(&w, "other.txt", "person\n", 7);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(w.buf, 1, w.len, f), w.len);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(detect_blocks(path, 0.4f, got, 4, err, sizeof err), -1);
    if (!strstr(err, "does not hold"))
        fail_msg("%s", err);
    /* a zip made on its own and concatenated (offsets from its own start) */
    static fbw zip;
    memset(&zip, 0, sizeof zip);
    tdb_append_zip(&zip, "labelmap.txt", "person\ndog\n", 11);
    tdb_model(&w, opts, opts_size, &meta);
    memcpy(w.buf + w.len, zip.buf, zip.len);
    w.len += zip.len;
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(w.buf, 1, w.len, f), w.len);
    assert_int_equal(fclose(f), 0);
    n = detect_blocks(path, 0.4f, got, 4, err, sizeof err);
    if (n < 0)
        fail_msg("%s", err);
    assert_int_equal(n, 2);
    assert_string_equal(got[1].label, "dog");
    /* metadata that is not metadata */
    memcpy(meta.buf + 4, "XXXX", 4);
    tdb_model(&w, opts, opts_size, &meta);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(w.buf, 1, w.len, f), w.len);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(detect_blocks(path, 0.4f, got, 4, err, sizeof err), -1);
    assert_non_null(strstr(err, "M001"));

    if (saved) {
        setenv("FACETRACK_MODEL_PATH", saved, 1);
        free(saved);
    } else {
        unsetenv("FACETRACK_MODEL_PATH");
    }
    unlink(path);
    rmdir(dir);
}

static void suppression(void **state)
{
    (void)state;
    ft_object_box b[4] = {
        {0, 0, 10, 10, 0.6f, 0},
        {1, 1, 11, 11, 0.9f, 3},   /* overlaps the first by 81/119 = 0.68 */
        {20, 20, 30, 30, 0.5f, 0}, /* alone */
        {0, 0, 10, 5, 0.7f, 0},    /* overlaps the first by 0.5, the second by 36/114 */
    };
    assert_float_equal(ft_object_iou(&b[0], &b[1]), 81.0 / 119.0, 1e-6);
    int n = ft_object_nms(b, 4, 0.4f, 10);
    assert_int_equal(n, 3); /* 0.9 kept; 0.7 kept (0.32 <= 0.4); 0.6 goes; 0.5 kept */
    assert_float_equal(b[0].score, 0.9f, 1e-6);
    assert_float_equal(b[1].score, 0.7f, 1e-6);
    assert_float_equal(b[2].score, 0.5f, 1e-6);
    ft_object_box c[2] = {{0, 0, 10, 10, 0.6f, 0}, {50, 50, 60, 60, 0.8f, 0}};
    assert_int_equal(ft_object_nms(c, 2, 0.4f, 1), 1); /* max_keep */
    assert_float_equal(c[0].score, 0.8f, 1e-6);
}

/* The original's tracker: nearest within the radius, greedy by distance,
 * no second choice, new IDs in detection order, 7 unseen frames kept. */
static void centroid_tracker_rules(void **state)
{
    (void)state;
    ft_object_tracker t;
    ft_object_tracker_init(&t, 80, 7);
    int ids[4];
    const float a[2][2] = {{100, 100}, {300, 100}};
    ft_object_tracker_update(&t, a, 2, ids);
    assert_int_equal(ids[0], 0);
    assert_int_equal(ids[1], 1);
    /* moved 50 px and 79 px: both kept */
    const float b[2][2] = {{350, 100}, {179, 100}};
    ft_object_tracker_update(&t, b, 2, ids);
    assert_int_equal(ids[0], 1);
    assert_int_equal(ids[1], 0);
    /* both detections nearest to track 0 (at 179): the nearer wins, the other
     * does not try track 1 (at 350, 90 px away: out of reach anyway) and is new */
    const float c[2][2] = {{200, 100}, {260, 100}};
    ft_object_tracker_update(&t, c, 2, ids);
    assert_int_equal(ids[0], 0);
    assert_int_equal(ids[1], 2);
    /* k = 1: a detection whose nearest track is taken starts a new track even
     * when another track is within reach */
    ft_object_tracker_init(&t, 80, 7);
    const float d[2][2] = {{0, 0}, {60, 0}};
    ft_object_tracker_update(&t, d, 2, ids);
    const float e[2][2] = {{10, 0}, {20, 0}}; /* both nearest to track 0 */
    ft_object_tracker_update(&t, e, 2, ids);
    assert_int_equal(ids[0], 0);
    assert_int_equal(ids[1], 2); /* not track 1 at 40 px */
    /* seven unseen frames survive, the eighth forgets */
    ft_object_tracker_init(&t, 80, 7);
    const float p[1][2] = {{500, 500}};
    ft_object_tracker_update(&t, p, 1, ids);
    for (int i = 0; i < 7; i++)
        ft_object_tracker_update(&t, NULL, 0, ids);
    ft_object_tracker_update(&t, p, 1, ids);
    assert_int_equal(ids[0], 0);
    for (int i = 0; i < 8; i++)
        ft_object_tracker_update(&t, NULL, 0, ids);
    ft_object_tracker_update(&t, p, 1, ids);
    assert_int_equal(ids[0], 1);
    /* a cut forgets, IDs go on */
    ft_object_tracker_clear(&t);
    ft_object_tracker_update(&t, p, 1, ids);
    assert_int_equal(ids[0], 2);
}

static void labels(void **state)
{
    (void)state;
    assert_string_equal(ft_coco_label(0), "person");
    assert_string_equal(ft_coco_label(56), "chair");
    assert_string_equal(ft_coco_label(58), "potted plant");
    assert_string_equal(ft_coco_label(79), "toothbrush");
    assert_null(ft_coco_label(80));
    assert_null(ft_coco_label(-1));
    assert_string_equal(ft_object_label(2), "car");
}

static float iou(const float *a, const float *b)
{
    const float ix = fminf(a[0] + a[2], b[0] + b[2]) - fmaxf(a[0], b[0]);
    const float iy = fminf(a[1] + a[3], b[1] + b[3]) - fmaxf(a[1], b[1]);
    if (ix <= 0 || iy <= 0)
        return 0;
    return ix * iy / (a[2] * a[3] + b[2] * b[3] - ix * iy);
}

/* Frames of the shared clips with the people each shows. CenterNet at the
 * original's CPU threshold (0.4) finds each person once (measured 137 of
 * 137 on every 25th frame of these clips, bench/objects_eval.sh); NanoDet,
 * at 0.3 here, confirms each box with IoU >= 0.5 (measured 132 of 137 at
 * 0.4: its misses are the bench clip's left person). */
static void persons_on_shared_frames(void **state)
{
    (void)state;
    char probe[1400];
    snprintf(probe, sizeof probe, "%s/centernet.json", models);
    FILE *f = fopen(probe, "rb");
    if (!f) {
        printf("SKIP part: %s not found (run scripts/models.sh)\n", probe);
        return;
    }
    fclose(f);
    static const struct {
        const char *clip;
        int frame, people;
    } frames[] = {
        {"bench/bench_1080p25_3faces_20s.mp4", 10, 3},
        {"bench/bench_1080p25_3faces_20s.mp4", 250, 3},
        {"bench/bench_1080p25_3faces_20s.mp4", 480, 3},
        {"faces/liveportrait_driving_d6.mp4", 300, 1},
        {"faces/liveportrait_driving_d13.mp4", 100, 1},
        {"faces/liveportrait_source_s13.mp4", 50, 1},
        {"faces/videoretalking_face_1.mp4", 60, 1},
        {"faces/fom_demo_old_08.mp4", 75, 1},
    };
    setenv("FACETRACK_MODEL_PATH", models, 1);
    ft_object_options oc, on;
    ft_object_options_init(&oc);
    ft_object_options_init(&on);
    oc.min_score = 0.4f;
    on.model = "nanodet";
    on.min_score = 0.3f;
    oc.max_results = on.max_results = 10;
    ft_object_detector *cn, *nd;
    char err[512];
    if (ft_object_detector_create(&oc, &cn, err, sizeof err) != FT_OK ||
        ft_object_detector_create(&on, &nd, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    assert_string_equal(ft_object_detector_model(cn), "centernet");
    assert_string_equal(ft_object_detector_model(nd), "nanodet");
    int tested = 0;
    for (size_t i = 0; i < sizeof frames / sizeof frames[0]; i++) {
        char path[1400];
        snprintf(path, sizeof path, "%s/media/%s", shared, frames[i].clip);
        ft_video_options vo;
        ft_video_options_init(&vo);
        vo.pixfmt = FT_PIXFMT_RGB24;
        ft_video *v;
        if (ft_video_open(path, &vo, &v, err, sizeof err) != FT_OK) {
            printf("SKIP part: %s\n", err);
            continue;
        }
        ft_frame fr;
        assert_int_equal(ft_video_seek(v, frames[i].frame), FT_OK);
        assert_int_equal(ft_video_read(v, &fr), FT_OK);
        const ft_image im = {fr.data[0], fr.width, fr.height, fr.linesize[0], FT_PIXFMT_RGB24};
        const ft_object *a, *b;
        int na, nb;
        assert_int_equal(ft_object_detector_detect(cn, &im, &a, &na), FT_OK);
        float boxes[10][4];
        int persons = 0;
        for (int k = 0; k < na; k++) {
            assert_true(a[k].score >= 0.4f && a[k].score <= 1);
            assert_true(a[k].box[0] >= 0 && a[k].box[0] + a[k].box[2] <= fr.width + 0.01f);
            if (a[k].class_id == 0)
                memcpy(boxes[persons++], a[k].box, sizeof boxes[0]);
        }
        assert_int_equal(ft_object_detector_detect(nd, &im, &b, &nb), FT_OK);
        int confirmed = 0;
        for (int k = 0; k < persons; k++) {
            float best = 0;
            for (int m = 0; m < nb; m++)
                if (b[m].class_id == 0)
                    best = fmaxf(best, iou(boxes[k], b[m].box));
            confirmed += best >= 0.5f;
        }
        printf("%s frame %d: %d persons (want %d), %d confirmed by NanoDet\n", frames[i].clip,
               frames[i].frame, persons, frames[i].people, confirmed);
        assert_int_equal(persons, frames[i].people);
        assert_int_equal(confirmed, persons);
        ft_video_close(v);
        tested++;
    }
    printf("%d frames tested\n", tested);
    ft_object_detector_free(cn);
    ft_object_detector_free(nd);
}

static void bad_inputs(void **state)
{
    (void)state;
    ft_object_options o;
    ft_object_options_init(&o);
    ft_object_detector *d = NULL;
    char err[512];
    o.model = "no_such_model";
    assert_int_not_equal(ft_object_detector_create(&o, &d, err, sizeof err), FT_OK);
    assert_null(d);
    assert_non_null(strstr(err, "unknown object detector model 'no_such_model'"));
    o.model = "/nonexistent/model.json";
    assert_int_not_equal(ft_object_detector_create(&o, &d, err, sizeof err), FT_OK);
    assert_non_null(strstr(err, "/nonexistent/model.json"));
    assert_null(strchr(err, '\n'));
    ft_object_options_init(&o);
    o.min_score = 2;
    assert_int_equal(ft_object_detector_create(&o, &d, err, sizeof err), FT_ERR_INVALID_ARG);
}

int main(void)
{
    const char *s = getenv("FT_SHARED_DIR"), *m = getenv("FT_NPM_MODELS_DIR");
    snprintf(shared, sizeof shared, "%s", s ? s : "../shared");
    snprintf(models, sizeof models, "%s", m ? m : "build/models");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(centernet_peaks_and_boxes),
        cmocka_unit_test(nanodet_distributions),
        cmocka_unit_test(nanodet_plus_rows),
        cmocka_unit_test(yolo_columns),
        cmocka_unit_test(yolo_export_end_to_end),
        cmocka_unit_test(detection_postprocess),
        cmocka_unit_test(detection_postprocess_tflite),
        cmocka_unit_test(tflite_detector_metadata),
        cmocka_unit_test(suppression),
        cmocka_unit_test(centroid_tracker_rules),
        cmocka_unit_test(labels),
        cmocka_unit_test(persons_on_shared_frames),
        cmocka_unit_test(bad_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
