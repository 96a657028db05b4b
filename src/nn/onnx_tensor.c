/* ONNX TensorProto into an IR constant. Data comes either as raw_data
 * (little-endian bytes) or in the typed repeated field of its type; every
 * size is checked against the shape before a byte is copied. */
#include <stdlib.h>
#include <string.h>

#include "nn/half.h"
#include "nn/onnx_internal.h"

/* TensorProto.DataType */
enum {
    DT_FLOAT = 1, DT_UINT8 = 2, DT_INT8 = 3, DT_INT32 = 6, DT_INT64 = 7, DT_BOOL = 9,
    DT_FLOAT16 = 10, DT_DOUBLE = 11
};

int onnx_dtype(int32_t elem_type, ft_dtype *out)
{
    switch (elem_type) {
    case DT_FLOAT: *out = FT_DTYPE_F32; return 1;
    case DT_UINT8: *out = FT_DTYPE_U8; return 1;
    case DT_INT8: *out = FT_DTYPE_I8; return 1;
    case DT_INT32: *out = FT_DTYPE_I32; return 1;
    case DT_INT64: *out = FT_DTYPE_I64; return 1;
    case DT_BOOL: *out = FT_DTYPE_BOOL; return 1;
    case DT_FLOAT16: *out = FT_DTYPE_F16; return 1;
    default: return 0;
    }
}

/* Size in bytes of one element as stored in raw_data. */
static size_t raw_size(int32_t elem_type)
{
    switch (elem_type) {
    case DT_FLOAT: case DT_INT32: return 4;
    case DT_INT64: case DT_DOUBLE: return 8;
    case DT_FLOAT16: return 2;
    case DT_UINT8: case DT_INT8: case DT_BOOL: return 1;
    default: return 0;
    }
}

/* Element I of the stored data as the IR element at DST. */
static void convert(int32_t elem_type, const Onnx__TensorProto *p, const uint8_t *raw, size_t i,
                    uint8_t *dst)
{
    switch (elem_type) {
    case DT_FLOAT: {
        float v;
        if (raw)
            memcpy(&v, raw + 4 * i, 4);
        else
            v = p->float_data[i];
        memcpy(dst, &v, 4);
        return;
    }
    case DT_DOUBLE: {
        double d;
        if (raw)
            memcpy(&d, raw + 8 * i, 8);
        else
            d = p->double_data[i];
        float v = (float)d;
        memcpy(dst, &v, 4);
        return;
    }
    case DT_FLOAT16: {
        uint16_t h = raw ? (uint16_t)(raw[2 * i] | raw[2 * i + 1] << 8) : (uint16_t)p->int32_data[i];
        float v = ft_half_to_float(h);
        memcpy(dst, &v, 4);
        return;
    }
    case DT_INT32: {
        int32_t v;
        if (raw)
            memcpy(&v, raw + 4 * i, 4);
        else
            v = p->int32_data[i];
        memcpy(dst, &v, 4);
        return;
    }
    case DT_INT64: {
        int64_t v;
        if (raw)
            memcpy(&v, raw + 8 * i, 8);
        else
            v = p->int64_data[i];
        memcpy(dst, &v, 8);
        return;
    }
    default: /* one byte: uint8, int8, bool */
        *dst = raw ? raw[i] : (uint8_t)p->int32_data[i];
        return;
    }
}

/* How many typed values the proto carries for ELEM_TYPE. */
static size_t typed_count(const Onnx__TensorProto *p, int32_t elem_type)
{
    switch (elem_type) {
    case DT_FLOAT: return p->n_float_data;
    case DT_DOUBLE: return p->n_double_data;
    case DT_INT64: return p->n_int64_data;
    default: return p->n_int32_data;
    }
}

ft_status onnx_tensor_from_proto(onnx_loader *L, const Onnx__TensorProto *p, ft_nn_tensor *t)
{
    const char *name = p->name ? p->name : "(constant)";
    int32_t elem = p->data_type;
    ft_dtype dtype;
    if (elem == DT_DOUBLE)
        dtype = FT_DTYPE_F32;
    else if (!onnx_dtype(elem, &dtype))
        return onnx_error(L, FT_ERR_UNSUPPORTED, "constant '%s' has unsupported data type %d", name,
                          (int)elem);
    if (p->has_data_location && p->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
        return onnx_error(L, FT_ERR_UNSUPPORTED, "constant '%s' is stored in an external file",
                          name);
    if (p->n_dims > FT_NN_MAX_RANK)
        return onnx_error(L, FT_ERR_UNSUPPORTED, "constant '%s' has rank %zu (at most %d)", name,
                          p->n_dims, FT_NN_MAX_RANK);
    int64_t n = 1;
    for (size_t d = 0; d < p->n_dims; d++) {
        if (p->dims[d] < 0 || p->dims[d] > ONNX_MAX_DIM)
            return onnx_error(L, FT_ERR_FORMAT, "constant '%s' has an absurd dimension %lld", name,
                              (long long)p->dims[d]);
        n *= p->dims[d];
        if (n > ONNX_MAX_ELEMENTS)
            return onnx_error(L, FT_ERR_FORMAT, "constant '%s' is absurdly large", name);
    }
    const uint8_t *raw = NULL;
    if (p->has_raw_data) {
        if (p->raw_data.len != (size_t)n * raw_size(elem))
            return onnx_error(L, FT_ERR_FORMAT, "constant '%s': %zu bytes of data for %lld elements",
                              name, p->raw_data.len, (long long)n);
        raw = p->raw_data.data;
    } else if (typed_count(p, elem) != (size_t)n) {
        return onnx_error(L, FT_ERR_FORMAT, "constant '%s': %zu values for %lld elements", name,
                          typed_count(p, elem), (long long)n);
    }
    const ft_dtype stored = dtype == FT_DTYPE_F16 ? FT_DTYPE_F32 : dtype;
    const size_t esize = ft_dtype_size(stored);
    uint8_t *data = malloc(n ? (size_t)n * esize : 1);
    if (!data)
        return onnx_error(L, FT_ERR_NOMEM, "out of memory");
    for (int64_t i = 0; i < n; i++)
        convert(elem, p, raw, (size_t)i, data + (size_t)i * esize);
    free(t->data);
    t->data = data;
    t->nbytes = (size_t)n * esize;
    t->dtype = stored;
    t->rank = (int)p->n_dims;
    for (int d = 0; d < t->rank; d++)
        t->shape[d] = p->dims[d];
    return FT_OK;
}
