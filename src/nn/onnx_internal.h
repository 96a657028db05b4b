/* What the parts of the ONNX loader share: the loader state, the name table
 * and the helpers that add tensors and ops to the graph being built. */
#ifndef FT_NN_ONNX_INTERNAL_H
#define FT_NN_ONNX_INTERNAL_H

#include "nn/graph.h"
#include "nn/onnx.h"
#include "onnx.pb-c.h"

#define ONNX_MAX_ELEMENTS ((int64_t)1 << 31) /* any tensor; beyond is a broken file */
#define ONNX_MAX_DIM ((int64_t)1 << 24)

typedef struct onnx_name {
    const char *key; /* points into the parsed model, alive while loading */
    int tensor;
} onnx_name;

typedef struct onnx_loader {
    const char *name;
    char *err;
    size_t err_size;
    ft_nn_graph *g;
    int tensor_cap, op_cap;
    int64_t opset;               /* of the default (ai.onnx) domain */
    onnx_name *names;            /* open addressing, size a power of two */
    size_t name_cap, name_count;
    const Onnx__NodeProto *node; /* the node being mapped, for errors */
} onnx_loader;

ft_status onnx_error(onnx_loader *L, ft_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The tensor bound to NAME, or -1. */
int onnx_find(const onnx_loader *L, const char *name);
/* Binds NAME to TENSOR (a later binding of the same name wins). */
ft_status onnx_bind(onnx_loader *L, const char *name, int tensor);

/* Makes room for EXTRA more tensors, so that adding them moves nothing:
 * node mapping holds tensor pointers while it adds outputs. */
ft_status onnx_reserve(onnx_loader *L, int extra);

/* A new tensor without data; its index, or -1 when out of memory. */
int onnx_add_tensor(onnx_loader *L, const char *name, ft_dtype dtype, int rank,
                    const int64_t *shape);

/* Appends OP to the graph, or, when every input is constant and a reference
 * kernel can compute it, computes its outputs into constants instead. */
ft_status onnx_emit(onnx_loader *L, const ft_nn_op *op);

/* Converts an ONNX TensorProto (an initializer or a Constant's value) into
 * T: dtype, shape, data (float16 widened to float32, double narrowed). */
ft_status onnx_tensor_from_proto(onnx_loader *L, const Onnx__TensorProto *p, ft_nn_tensor *t);
/* The IR type of an ONNX TensorProto.DataType; 0 when unsupported. */
int onnx_dtype(int32_t elem_type, ft_dtype *out);

/* Maps one node into ops (or constants). */
ft_status onnx_map_node(onnx_loader *L, const Onnx__NodeProto *node);

#endif
