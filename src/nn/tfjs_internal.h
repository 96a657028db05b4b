/* What the TF.js loader's two files share (tfjs_loader.c reads the JSON,
 * the weights and the graph's order; tfjs_ops.c maps each node to IR ops):
 * the loader's state and small helpers on JSON values and tensors. */
#ifndef FT_NN_TFJS_INTERNAL_H
#define FT_NN_TFJS_INTERNAL_H

#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/graph_builder.h"
#include "nn/load_error.h"
#include "nn/tfjs.h"

#define FT_TFJS_MAX_NODES 200000
#define FT_TFJS_MAX_ELEMENTS ((int64_t)1 << 28) /* per tensor: 1 GiB of float32 */

typedef struct weight {
    const char *name;
    ft_dtype dtype; /* F32 or I32 after decoding */
    int rank;
    int64_t shape[FT_NN_MAX_RANK];
    void *data;
    size_t nbytes;
} weight;

typedef struct node {
    const char *name;
    const char *op;
    json_object *obj;
    json_object *inputs; /* array or NULL */
    int state;           /* 0 unseen, 1 on the stack, 2 done */
    int built;
    int value[FT_NN_MAX_IO]; /* tensor of each output; -1 none */
    int value_count;
} node;

typedef struct loader {
    const char *name;
    char *err;
    size_t err_size;
    ft_graph_builder b;
    ft_nn_graph *g;
    node *nodes;
    int node_count;
    int *sorted; /* node indices by name */
    weight *weights;
    int weight_count;
    int *order;
    int order_count;
} loader;

static inline ft_status fail(loader *L, ft_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ft_nn_format_error(L->err, L->err_size, L->name, fmt, ap);
    va_end(ap);
    return st;
}

/* ------------------------------------------------------------ JSON helpers */

static inline json_object *member(json_object *o, const char *key)
{
    json_object *v = NULL;
    return o && json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, key, &v)
               ? v
               : NULL;
}

static inline const char *string_of(json_object *o)
{
    return o && json_object_is_type(o, json_type_string) ? json_object_get_string(o) : NULL;
}

/* proto3 JSON writes int64 as a string; accept numbers too. */
static inline int int_of(json_object *o, int64_t *out)
{
    if (!o)
        return 0;
    if (json_object_is_type(o, json_type_int)) {
        *out = json_object_get_int64(o);
        return 1;
    }
    const char *s = string_of(o);
    if (!s || !*s)
        return 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*end)
        return 0;
    *out = v;
    return 1;
}

static inline int double_of(json_object *o, double *out)
{
    if (o && (json_object_is_type(o, json_type_double) || json_object_is_type(o, json_type_int))) {
        *out = json_object_get_double(o);
        return 1;
    }
    const char *s = string_of(o); /* "NaN", "Infinity" in proto3 JSON */
    if (!s)
        return 0;
    char *end;
    *out = strtod(s, &end);
    return *end == '\0' && end != s;
}

static inline int b64_value(int c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
}

/* Base64 text S into OUT (NUL-terminated, at most SIZE-1 bytes); 0 when it
 * is not base64 or does not fit. */
static inline int b64_decode(const char *s, char *out, size_t size)
{
    size_t n = 0;
    unsigned acc = 0;
    int bits = 0;
    for (; *s && *s != '='; s++) {
        int v = b64_value((unsigned char)*s);
        if (v < 0)
            return 0;
        acc = (acc << 6 | (unsigned)v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n + 1 >= size)
                return 0;
            out[n++] = (char)(acc >> bits & 0xff);
        }
    }
    out[n] = '\0';
    return 1;
}

static inline json_object *attr(const node *n, const char *key)
{
    return member(member(n->obj, "attr"), key);
}

static inline int64_t attr_int(const node *n, const char *key, int64_t def)
{
    int64_t v;
    return int_of(member(attr(n, key), "i"), &v) ? v : def;
}

static inline float attr_float(const node *n, const char *key, float def)
{
    double v;
    return double_of(member(attr(n, key), "f"), &v) ? (float)v : def;
}

static inline int attr_bool(const node *n, const char *key)
{
    json_object *b = member(attr(n, key), "b");
    return b && json_object_get_boolean(b);
}

/* A string attribute decoded; DEF when absent. 0 when it is malformed. */
static inline int attr_string(const node *n, const char *key, const char *def, char *out, size_t size)
{
    json_object *a = attr(n, key);
    if (!a) {
        snprintf(out, size, "%s", def);
        return 1;
    }
    const char *s = string_of(member(a, "s"));
    return s && b64_decode(s, out, size);
}

/* An integer list attribute into OUT; its length, or -1 when malformed. */
static inline int attr_ints(const node *n, const char *key, int64_t *out, int max)
{
    json_object *list = member(member(attr(n, key), "list"), "i");
    if (!list)
        return 0;
    if (!json_object_is_type(list, json_type_array) || (int)json_object_array_length(list) > max)
        return -1;
    int count = (int)json_object_array_length(list);
    for (int i = 0; i < count; i++)
        if (!int_of(json_object_array_get_idx(list, (size_t)i), &out[i]))
            return -1;
    return count;
}

/* ------------------------------------------------------------ nodes and weights by name */

static inline int find_node(const loader *L, const char *name, size_t len)
{
    int lo = 0, hi = L->node_count - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        const char *m = L->nodes[L->sorted[mid]].name;
        int c = strncmp(m, name, len);
        if (c == 0 && m[len] != '\0')
            c = 1;
        if (c == 0)
            return L->sorted[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

/* "name", "name:k" or "^name" (a control input: *control set). */
static inline int resolve_input(const loader *L, const char *ref, int *output, int *control)
{
    *control = ref[0] == '^';
    if (*control)
        ref++;
    size_t len = strlen(ref);
    *output = 0;
    const char *colon = strrchr(ref, ':');
    if (colon) {
        char *end;
        long k = strtol(colon + 1, &end, 10);
        if (*end == '\0' && colon[1] && k >= 0 && k < FT_NN_MAX_IO) {
            len = (size_t)(colon - ref);
            *output = (int)k;
        }
    }
    return find_node(L, ref, len);
}

static inline int input_count(const node *n)
{
    return n->inputs ? (int)json_object_array_length(n->inputs) : 0;
}

static inline const char *input_ref(const node *n, int i)
{
    return string_of(json_object_array_get_idx(n->inputs, (size_t)i));
}

static inline int by_weight_name(const void *a, const void *b)
{
    return strcmp(((const weight *)a)->name, ((const weight *)b)->name);
}

static inline const weight *find_weight(const loader *L, const char *name)
{
    weight key = {.name = name};
    return L->weight_count ? bsearch(&key, L->weights, (size_t)L->weight_count, sizeof key,
                                     by_weight_name)
                           : NULL;
}


/* ------------------------------------------------------------ tensors */

static inline const ft_nn_tensor *T(loader *L, int t)
{
    return &L->g->tensors[t];
}

static inline int is_const(loader *L, int t)
{
    return T(L, t)->data != NULL;
}

/* Integers of a constant int32 tensor (any rank); -1 when not one. */
static inline int const_ints(loader *L, int t, int64_t *out, int max)
{
    const ft_nn_tensor x_at = *T(L, t), *x = &x_at;
    if (!x->data || x->dtype != FT_DTYPE_I32)
        return -1;
    int64_t n = ft_nn_tensor_elements(x);
    if (n < 0 || n > max)
        return -1;
    for (int64_t i = 0; i < n; i++)
        out[i] = ((const int32_t *)x->data)[i];
    return (int)n;
}

static inline int new_value(loader *L, node *n, int k, int rank, const int64_t *shape)
{
    char name[512];
    if (k == 0)
        snprintf(name, sizeof name, "%s", n->name);
    else
        snprintf(name, sizeof name, "%s:%d", n->name, k);
    int64_t elements = 1;
    for (int d = 0; d < rank; d++) {
        if (shape[d] < 0 || shape[d] > FT_TFJS_MAX_ELEMENTS || (elements *= shape[d]) > FT_TFJS_MAX_ELEMENTS) {
            if (L->b.status == FT_OK)
                L->b.status = FT_ERR_FORMAT;
            return -1;
        }
    }
    return ft_graph_activation(&L->b, name, rank, shape);
}

static inline int new_const(loader *L, const char *name, ft_dtype dtype, int rank, const int64_t *shape,
                     const void *data)
{
    int64_t n = 1;
    for (int d = 0; d < rank; d++)
        n *= shape[d];
    size_t bytes = (size_t)n * ft_dtype_size(dtype);
    void *copy = malloc(bytes ? bytes : 1);
    if (copy && bytes)
        memcpy(copy, data, bytes);
    return ft_graph_constant(&L->b, name, dtype, rank, shape, copy);
}

/* Whether facetrack maps TF op OP. */
int ft_tfjs_op_known(const char *op);

/* Builds node N's IR ops (its inputs are built); one line in L->err. */
ft_status ft_tfjs_build_node(loader *L, node *n);

#endif
