/* A made-up COCO detector in ONNX with the output layout of ultralytics'
 * YOLOv8/YOLO11 export, for the object detector's tests: x [1, 3, S, S] ->
 * Conv 1x1 with stride 32 (84 output channels) -> Reshape [1, 84, -1] ->
 * y [1, 84, (S/32)^2]. Channel 4 (class 0, person) is 0.9 x the red value
 * of the pixel each cell samples; channels 0..3 (box centre x, y, width,
 * height in input pixels) are the constants BOX; every other class is 0. */
#ifndef FT_TESTS_ONNX_DETECTOR_BUILDER_H
#define FT_TESTS_ONNX_DETECTOR_BUILDER_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "onnx_builder.h"

#define YOLO_TINY_CHANNELS 84

/* The packed model (malloc'd) and its size; SIDE a multiple of 32. */
static inline uint8_t *yolo_tiny_model(int64_t side, const float box[4], size_t *size)
{
    static float w[YOLO_TINY_CHANNELS * 3], b[YOLO_TINY_CHANNELS];
    memset(w, 0, sizeof w);
    memset(b, 0, sizeof b);
    for (int k = 0; k < 4; k++)
        b[k] = box[k];
    w[4 * 3 + 0] = 0.9f; /* class 0 from the red channel */
    static int64_t shape_values[3] = {1, YOLO_TINY_CHANNELS, -1};

    Onnx__TensorProto wt, bt, st, *inits[3] = {&wt, &bt, &st};
    int64_t wdims[4] = {YOLO_TINY_CHANNELS, 3, 1, 1}, bdims[1] = {YOLO_TINY_CHANNELS},
            sdims[1] = {3};
    onnx__tensor_proto__init(&wt);
    wt.name = "W";
    wt.has_data_type = 1;
    wt.data_type = 1;
    wt.n_dims = 4;
    wt.dims = wdims;
    wt.has_raw_data = 1;
    wt.raw_data.len = sizeof w;
    wt.raw_data.data = (uint8_t *)w;
    onnx__tensor_proto__init(&bt);
    bt.name = "B";
    bt.has_data_type = 1;
    bt.data_type = 1;
    bt.n_dims = 1;
    bt.dims = bdims;
    bt.n_float_data = YOLO_TINY_CHANNELS;
    bt.float_data = b;
    onnx__tensor_proto__init(&st);
    st.name = "shape";
    st.has_data_type = 1;
    st.data_type = 7; /* int64 */
    st.n_dims = 1;
    st.dims = sdims;
    st.n_int64_data = 3;
    st.int64_data = shape_values;

    Onnx__AttributeProto strides, kernel;
    int64_t stride_values[2] = {32, 32}, kernel_values[2] = {1, 1};
    onnx__attribute_proto__init(&strides);
    strides.name = "strides";
    strides.has_type = 1;
    strides.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
    strides.n_ints = 2;
    strides.ints = stride_values;
    onnx__attribute_proto__init(&kernel);
    kernel.name = "kernel_shape";
    kernel.has_type = 1;
    kernel.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
    kernel.n_ints = 2;
    kernel.ints = kernel_values;
    Onnx__AttributeProto *conv_attrs[2] = {&strides, &kernel};

    Onnx__NodeProto conv, reshape, *nodes[2] = {&conv, &reshape};
    char *conv_in[3] = {"x", "W", "B"}, *conv_out[1] = {"c"};
    char *reshape_in[2] = {"c", "shape"}, *reshape_out[1] = {"y"};
    onnx__node_proto__init(&conv);
    conv.op_type = "Conv";
    conv.n_input = 3;
    conv.input = conv_in;
    conv.n_output = 1;
    conv.output = conv_out;
    conv.n_attribute = 2;
    conv.attribute = conv_attrs;
    onnx__node_proto__init(&reshape);
    reshape.op_type = "Reshape";
    reshape.n_input = 2;
    reshape.input = reshape_in;
    reshape.n_output = 1;
    reshape.output = reshape_out;

    const int64_t cells = (side / 32) * (side / 32);
    const int64_t xs[4] = {1, 3, side, side}, ys[3] = {1, YOLO_TINY_CHANNELS, cells};
    Onnx__TensorShapeProto__Dimension dims[2][4], *dimp[2][4];
    Onnx__TensorShapeProto shapes[2];
    Onnx__TypeProto__Tensor tts[2];
    Onnx__TypeProto types[2];
    Onnx__ValueInfoProto vin, vout, *ins[1] = {&vin}, *outs[1] = {&vout};
    onnx_float_value("x", xs, 4, dims[0], dimp[0], &shapes[0], &tts[0], &types[0], &vin);
    onnx_float_value("y", ys, 3, dims[1], dimp[1], &shapes[1], &tts[1], &types[1], &vout);

    Onnx__GraphProto g;
    onnx__graph_proto__init(&g);
    g.name = "yolo_tiny";
    g.n_node = 2;
    g.node = nodes;
    g.n_initializer = 3;
    g.initializer = inits;
    g.n_input = 1;
    g.input = ins;
    g.n_output = 1;
    g.output = outs;

    return onnx_pack_model(&g, size);
}

#endif
