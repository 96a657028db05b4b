/* Builds a tiny ONNX model with protobuf-c, for the loader's tests and the
 * fuzzer's seeds: y = Op2(Conv(x, W, B)) + x, x of shape [1, 2, D, D]
 * (Op2 is Relu unless told otherwise), opset 13. */
#ifndef FT_TESTS_ONNX_BUILDER_H
#define FT_TESTS_ONNX_BUILDER_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "onnx.pb-c.h"

typedef struct onnx_tiny {
    char *op2;        /* NULL: Relu (not const: protobuf-c's fields are char *) */
    char *op2_domain; /* NULL: the default domain */
    int64_t dim;            /* spatial size D; 0: 4 */
    int64_t weight_in;      /* input channels of W; 0: 2 */
} onnx_tiny;

/* The value info of float tensor NAME of SHAPE (RANK dimensions), built in
 * the caller's storage (DIMS and DIMP hold RANK entries). */
/* GRAPH as the bytes of a model file (IR 7, opset 13); malloc'ed, NULL
 * when out of memory. */
static inline uint8_t *onnx_pack_model(Onnx__GraphProto *graph, size_t *size)
{
    Onnx__OperatorSetIdProto opset, *opsets[1] = {&opset};
    onnx__operator_set_id_proto__init(&opset);
    opset.domain = "";
    opset.has_version = 1;
    opset.version = 13;
    Onnx__ModelProto m;
    onnx__model_proto__init(&m);
    m.has_ir_version = 1;
    m.ir_version = 7;
    m.producer_name = "facetrack-tests";
    m.graph = graph;
    m.n_opset_import = 1;
    m.opset_import = opsets;
    *size = onnx__model_proto__get_packed_size(&m);
    uint8_t *buf = malloc(*size ? *size : 1);
    if (buf)
        onnx__model_proto__pack(&m, buf);
    return buf;
}

static inline Onnx__ValueInfoProto *onnx_float_value(char *name, const int64_t *shape, int rank,
                                                     Onnx__TensorShapeProto__Dimension *dims,
                                                     Onnx__TensorShapeProto__Dimension **dimp,
                                                     Onnx__TensorShapeProto *sp,
                                                     Onnx__TypeProto__Tensor *tt,
                                                     Onnx__TypeProto *type, Onnx__ValueInfoProto *v)
{
    for (int i = 0; i < rank; i++) {
        onnx__tensor_shape_proto__dimension__init(&dims[i]);
        dims[i].value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
        dims[i].dim_value = shape[i];
        dimp[i] = &dims[i];
    }
    onnx__tensor_shape_proto__init(sp);
    sp->n_dim = (size_t)rank;
    sp->dim = dimp;
    onnx__type_proto__tensor__init(tt);
    tt->has_elem_type = 1;
    tt->elem_type = 1;
    tt->shape = sp;
    onnx__type_proto__init(type);
    type->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    type->tensor_type = tt;
    onnx__value_info_proto__init(v);
    v->name = name;
    v->type = type;
    return v;
}

/* The tiny model's [1, 2, D, D] input or output. */
static inline Onnx__ValueInfoProto *onnx_tiny_value(char *name, int64_t d,
                                                    Onnx__TensorShapeProto__Dimension *dims,
                                                    Onnx__TensorShapeProto__Dimension **dimp,
                                                    Onnx__TensorShapeProto *shape,
                                                    Onnx__TypeProto__Tensor *tt, Onnx__TypeProto *type,
                                                    Onnx__ValueInfoProto *v)
{
    const int64_t s[4] = {1, 2, d, d};
    return onnx_float_value(name, s, 4, dims, dimp, shape, tt, type, v);
}

/* The packed model (malloc'd) and its size. */
static inline uint8_t *onnx_tiny_model(const onnx_tiny *o, size_t *size)
{
    const int64_t d = o->dim ? o->dim : 4;
    const int64_t win = o->weight_in > 0 && o->weight_in <= 16 ? o->weight_in : 2;
    static float w[2 * 16 * 9], b[2];
    for (int i = 0; i < 2 * 16 * 9; i++)
        w[i] = (float)((i * 7) % 11 - 5) / 10.0f;
    b[0] = 0.5f;
    b[1] = -0.25f;
    Onnx__TensorProto wt, bt, *inits[2] = {&wt, &bt};
    int64_t wdims[4] = {2, win, 3, 3}, bdims[1] = {2};
    onnx__tensor_proto__init(&wt);
    wt.name = "W";
    wt.has_data_type = 1;
    wt.data_type = 1;
    wt.n_dims = 4;
    wt.dims = wdims;
    wt.has_raw_data = 1;
    wt.raw_data.len = (size_t)(2 * win * 9) * sizeof(float);
    wt.raw_data.data = (uint8_t *)w;
    onnx__tensor_proto__init(&bt);
    bt.name = "B";
    bt.has_data_type = 1;
    bt.data_type = 1;
    bt.n_dims = 1;
    bt.dims = bdims;
    bt.n_float_data = 2;
    bt.float_data = b;

    Onnx__AttributeProto pads;
    int64_t pad_values[4] = {1, 1, 1, 1};
    onnx__attribute_proto__init(&pads);
    pads.name = "pads";
    pads.has_type = 1;
    pads.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
    pads.n_ints = 4;
    pads.ints = pad_values;
    Onnx__AttributeProto *conv_attrs[1] = {&pads};

    Onnx__NodeProto conv, act, add, *nodes[3] = {&conv, &act, &add};
    char *conv_in[3] = {"x", "W", "B"}, *conv_out[1] = {"c"};
    char *act_in[1] = {"c"}, *act_out[1] = {"r"};
    char *add_in[2] = {"r", "x"}, *add_out[1] = {"y"};
    onnx__node_proto__init(&conv);
    conv.op_type = "Conv";
    conv.n_input = 3;
    conv.input = conv_in;
    conv.n_output = 1;
    conv.output = conv_out;
    conv.n_attribute = 1;
    conv.attribute = conv_attrs;
    onnx__node_proto__init(&act);
    act.op_type = o->op2 ? o->op2 : "Relu";
    act.domain = o->op2_domain ? o->op2_domain : "";
    act.n_input = 1;
    act.input = act_in;
    act.n_output = 1;
    act.output = act_out;
    onnx__node_proto__init(&add);
    add.op_type = "Add";
    add.n_input = 2;
    add.input = add_in;
    add.n_output = 1;
    add.output = add_out;

    Onnx__TensorShapeProto__Dimension dims[2][4], *dimp[2][4];
    Onnx__TensorShapeProto shapes[2];
    Onnx__TypeProto__Tensor tts[2];
    Onnx__TypeProto types[2];
    Onnx__ValueInfoProto vin, vout;
    Onnx__ValueInfoProto *ins[1] = {
        onnx_tiny_value("x", d, dims[0], dimp[0], &shapes[0], &tts[0], &types[0], &vin)};
    Onnx__ValueInfoProto *outs[1] = {
        onnx_tiny_value("y", d, dims[1], dimp[1], &shapes[1], &tts[1], &types[1], &vout)};

    Onnx__GraphProto g;
    onnx__graph_proto__init(&g);
    g.name = "tiny";
    g.n_node = 3;
    g.node = nodes;
    g.n_initializer = 2;
    g.initializer = inits;
    g.n_input = 1;
    g.input = ins;
    g.n_output = 1;
    g.output = outs;

    return onnx_pack_model(&g, size);
}

#endif
