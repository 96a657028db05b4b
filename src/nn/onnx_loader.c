/* ONNX ModelProto into the graph IR. protobuf-c parses the file (code
 * generated at build time from Debian's onnx.proto); this file binds names
 * to tensors, fixes the input shapes, walks the nodes in their (topological)
 * order through onnx_map_node, and drops what folding left unused. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/load_error.h"
#include "nn/onnx_internal.h"
#include "nn/ref_kernels.h"

#define MAX_NODES 1000000
#define FOLD_MAX_ELEMENTS ((int64_t)1 << 22) /* larger constant results stay run-time ops */

ft_status onnx_error(onnx_loader *L, ft_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ft_nn_format_error(L->err, L->err_size, L->name, fmt, ap);
    va_end(ap);
    return st;
}

/* ------------------------------------------------------------- name table */

static size_t hash_name(const char *s)
{
    size_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

int onnx_find(const onnx_loader *L, const char *name)
{
    if (!name || !L->name_cap)
        return -1;
    for (size_t i = hash_name(name) & (L->name_cap - 1);; i = (i + 1) & (L->name_cap - 1)) {
        if (!L->names[i].key)
            return -1;
        if (strcmp(L->names[i].key, name) == 0)
            return L->names[i].tensor;
    }
}

static void put_name(onnx_name *table, size_t cap, const char *key, int tensor)
{
    size_t i = hash_name(key) & (cap - 1);
    while (table[i].key && strcmp(table[i].key, key) != 0)
        i = (i + 1) & (cap - 1);
    table[i] = (onnx_name){key, tensor};
}

ft_status onnx_bind(onnx_loader *L, const char *name, int tensor)
{
    if (!name || !*name)
        return FT_OK;
    if (2 * (L->name_count + 1) > L->name_cap) {
        size_t cap = L->name_cap ? 2 * L->name_cap : 256;
        onnx_name *table = calloc(cap, sizeof *table);
        if (!table)
            return onnx_error(L, FT_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < L->name_cap; i++)
            if (L->names[i].key)
                put_name(table, cap, L->names[i].key, L->names[i].tensor);
        free(L->names);
        L->names = table;
        L->name_cap = cap;
    }
    if (onnx_find(L, name) < 0)
        L->name_count++;
    put_name(L->names, L->name_cap, name, tensor);
    return FT_OK;
}

/* ------------------------------------------------------- tensors and ops */

ft_status onnx_reserve(onnx_loader *L, int extra)
{
    ft_nn_graph *g = L->g;
    if (g->tensor_count + extra <= L->tensor_cap)
        return FT_OK;
    int cap = L->tensor_cap ? 2 * L->tensor_cap : 256;
    while (cap < g->tensor_count + extra)
        cap *= 2;
    ft_nn_tensor *t = realloc(g->tensors, (size_t)cap * sizeof *t);
    if (!t)
        return onnx_error(L, FT_ERR_NOMEM, "out of memory");
    g->tensors = t;
    L->tensor_cap = cap;
    return FT_OK;
}

int onnx_add_tensor(onnx_loader *L, const char *name, ft_dtype dtype, int rank,
                    const int64_t *shape)
{
    ft_nn_graph *g = L->g;
    if (g->tensor_count == L->tensor_cap && onnx_reserve(L, 1) != FT_OK)
        return -1;
    ft_nn_tensor *t = &g->tensors[g->tensor_count];
    memset(t, 0, sizeof *t);
    t->name = strdup(name ? name : "");
    if (!t->name)
        return -1;
    t->dtype = dtype;
    t->rank = rank;
    for (int d = 0; d < rank; d++)
        t->shape[d] = shape[d];
    return g->tensor_count++;
}

/* Integer arithmetic on constants (shape computations); the reference
 * kernels do float only. Returns 1 when it computed the output. */
static int fold_int_binary(onnx_loader *L, const ft_nn_op *op, ft_status *st)
{
    ft_nn_graph *g = L->g;
    if (op->type != FT_OP_ADD && op->type != FT_OP_SUB && op->type != FT_OP_MUL &&
        op->type != FT_OP_DIV)
        return 0;
    const ft_nn_tensor *a = &g->tensors[op->inputs[0]], *b = &g->tensors[op->inputs[1]];
    ft_nn_tensor *y = &g->tensors[op->outputs[0]];
    if (a->dtype != FT_DTYPE_I64 || b->dtype != FT_DTYPE_I64 || y->dtype != FT_DTYPE_I64)
        return 0;
    int64_t na = ft_nn_tensor_elements(a), nb = ft_nn_tensor_elements(b);
    int64_t n = ft_nn_tensor_elements(y);
    /* only what shape arithmetic needs: same size, or one side a single value */
    if (!(na == n || na == 1) || !(nb == n || nb == 1) || n < 0 || n > 64)
        return 0;
    int64_t *out = malloc(n ? (size_t)n * 8 : 1);
    if (!out) {
        *st = onnx_error(L, FT_ERR_NOMEM, "out of memory");
        return 1;
    }
    for (int64_t i = 0; i < n; i++) {
        int64_t x = ((const int64_t *)a->data)[na == 1 ? 0 : i];
        int64_t z = ((const int64_t *)b->data)[nb == 1 ? 0 : i];
        int64_t r = 0;
        int bad = 0;
        switch (op->type) {
        case FT_OP_ADD: bad = __builtin_add_overflow(x, z, &r); break;
        case FT_OP_SUB: bad = __builtin_sub_overflow(x, z, &r); break;
        case FT_OP_MUL: bad = __builtin_mul_overflow(x, z, &r); break;
        default:
            bad = z == 0 || (x == INT64_MIN && z == -1);
            if (!bad) { /* ONNX integer Div truncates like C */
                r = x / z;
            }
            break;
        }
        if (bad) {
            free(out);
            *st = onnx_error(L, FT_ERR_FORMAT, "integer overflow or division by zero in constant '%s'",
                             y->name);
            return 1;
        }
        out[i] = r;
    }
    free(y->data);
    y->data = out;
    y->nbytes = (size_t)n * 8;
    *st = FT_OK;
    return 1;
}

/* Computes OP at load time when its inputs are all constant. Returns 1 when
 * it did (or failed, with *st set), 0 to keep OP as a run-time op. */
static int try_fold(onnx_loader *L, const ft_nn_op *op, ft_status *st)
{
    ft_nn_graph *g = L->g;
    if (op->output_count != 1 || op->input_count < 1)
        return 0;
    for (int i = 0; i < op->input_count; i++)
        if (op->inputs[i] >= 0 && !g->tensors[op->inputs[i]].data)
            return 0;
    if (fold_int_binary(L, op, st))
        return 1;
    ft_nn_tensor *y = &g->tensors[op->outputs[0]];
    int64_t n = ft_nn_tensor_elements(y);
    if (n < 0 || n > FOLD_MAX_ELEMENTS || ft_ref_check_op(g, op))
        return 0;
    size_t nbytes = (size_t)n * ft_dtype_size(y->dtype);
    void *out = calloc(1, nbytes + 64); /* kernels may touch a little past the end */
    if (!out) {
        *st = onnx_error(L, FT_ERR_NOMEM, "out of memory");
        return 1;
    }
    ft_ref_call call = {.op = op};
    for (int i = 0; i < op->input_count; i++) {
        call.in[i] = op->inputs[i] >= 0 ? &g->tensors[op->inputs[i]] : NULL;
        call.in_data[i] = call.in[i] ? call.in[i]->data : NULL;
    }
    call.out[0] = y;
    call.out_data[0] = out;
    ft_status r = ft_ref_run_op(&call);
    if (r == FT_ERR_UNSUPPORTED) {
        free(out);
        return 0;
    }
    if (r != FT_OK) {
        free(out);
        *st = onnx_error(L, FT_ERR_FORMAT, "computing constant '%s' failed: %s", y->name,
                         ft_status_str(r));
        return 1;
    }
    free(y->data);
    y->data = out;
    y->nbytes = nbytes;
    *st = FT_OK;
    return 1;
}

ft_status onnx_emit(onnx_loader *L, const ft_nn_op *op)
{
    ft_status st = FT_OK;
    if (try_fold(L, op, &st))
        return st;
    ft_nn_graph *g = L->g;
    if (g->op_count == L->op_cap) {
        int cap = L->op_cap ? 2 * L->op_cap : 256;
        ft_nn_op *ops = realloc(g->ops, (size_t)cap * sizeof *ops);
        if (!ops)
            return onnx_error(L, FT_ERR_NOMEM, "out of memory");
        g->ops = ops;
        L->op_cap = cap;
    }
    g->ops[g->op_count++] = *op;
    return FT_OK;
}

/* ------------------------------------------------------------ graph input */

static const ft_onnx_input_shape *option_for(const ft_onnx_options *o, const char *name)
{
    for (int i = 0; o && i < o->input_count; i++)
        if (o->inputs[i].name && strcmp(o->inputs[i].name, name) == 0)
            return &o->inputs[i];
    return NULL;
}

static ft_status add_input(onnx_loader *L, const Onnx__ValueInfoProto *v, const ft_onnx_options *o)
{
    ft_nn_graph *g = L->g;
    const char *name = v->name ? v->name : "";
    const Onnx__TypeProto__Tensor *tt = v->type ? v->type->tensor_type : NULL;
    ft_dtype dtype;
    if (!tt || !tt->has_elem_type || !onnx_dtype(tt->elem_type, &dtype))
        return onnx_error(L, FT_ERR_UNSUPPORTED, "graph input '%s' is not a tensor of a supported type",
                          name);
    if (!tt->shape || tt->shape->n_dim > FT_NN_MAX_RANK)
        return onnx_error(L, FT_ERR_UNSUPPORTED, "graph input '%s' has no shape or rank above %d",
                          name, FT_NN_MAX_RANK);
    int rank = (int)tt->shape->n_dim;
    int64_t shape[FT_NN_MAX_RANK];
    const ft_onnx_input_shape *given = option_for(o, name);
    if (given && given->rank != rank)
        return onnx_error(L, FT_ERR_INVALID_ARG, "input '%s' has rank %d, the shape given has %d",
                          name, rank, given->rank);
    for (int d = 0; d < rank; d++) {
        const Onnx__TensorShapeProto__Dimension *dim = tt->shape->dim[d];
        int known = dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
                    dim->dim_value > 0;
        if (given)
            shape[d] = given->shape[d];
        else if (known)
            shape[d] = dim->dim_value;
        else if (d == 0)
            shape[d] = 1; /* a symbolic batch: one */
        else
            return onnx_error(L, FT_ERR_INVALID_ARG,
                              "input '%s' dimension %d is symbolic ('%s'); give the input a shape",
                              name, d,
                              dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM
                                  ? dim->dim_param : "?");
        if (shape[d] < 1 || shape[d] > ONNX_MAX_DIM)
            return onnx_error(L, FT_ERR_FORMAT, "input '%s' has an absurd dimension %lld", name,
                              (long long)shape[d]);
    }
    if (g->input_count == FT_NN_MAX_IO)
        return onnx_error(L, FT_ERR_UNSUPPORTED, "more than %d graph inputs", FT_NN_MAX_IO);
    int t = onnx_add_tensor(L, name, dtype, rank, shape);
    if (t < 0)
        return onnx_error(L, FT_ERR_NOMEM, "out of memory");
    if (ft_nn_tensor_elements(&g->tensors[t]) > ONNX_MAX_ELEMENTS)
        return onnx_error(L, FT_ERR_FORMAT, "input '%s' is absurdly large", name);
    g->inputs[g->input_count++] = t;
    return onnx_bind(L, name, t);
}

/* --------------------------------------------------------------- clean-up */

/* Keeps only the tensors that ops or the graph's inputs and outputs use;
 * folding leaves many intermediate constants behind. */
static ft_status compact(onnx_loader *L)
{
    ft_nn_graph *g = L->g;
    int *map = malloc((size_t)(g->tensor_count ? g->tensor_count : 1) * sizeof *map);
    if (!map)
        return onnx_error(L, FT_ERR_NOMEM, "out of memory");
    for (int t = 0; t < g->tensor_count; t++)
        map[t] = -1;
    for (int i = 0; i < g->op_count; i++) {
        for (int j = 0; j < g->ops[i].input_count; j++)
            if (g->ops[i].inputs[j] >= 0)
                map[g->ops[i].inputs[j]] = 0;
        for (int j = 0; j < g->ops[i].output_count; j++)
            map[g->ops[i].outputs[j]] = 0;
    }
    for (int i = 0; i < g->input_count; i++)
        map[g->inputs[i]] = 0;
    for (int i = 0; i < g->output_count; i++)
        map[g->outputs[i]] = 0;
    int kept = 0;
    for (int t = 0; t < g->tensor_count; t++) {
        if (map[t] < 0) {
            free(g->tensors[t].name);
            free(g->tensors[t].data);
            continue;
        }
        map[t] = kept;
        g->tensors[kept++] = g->tensors[t];
    }
    g->tensor_count = kept;
    for (int i = 0; i < g->op_count; i++) {
        for (int j = 0; j < g->ops[i].input_count; j++)
            if (g->ops[i].inputs[j] >= 0)
                g->ops[i].inputs[j] = map[g->ops[i].inputs[j]];
        for (int j = 0; j < g->ops[i].output_count; j++)
            g->ops[i].outputs[j] = map[g->ops[i].outputs[j]];
    }
    for (int i = 0; i < g->input_count; i++)
        g->inputs[i] = map[g->inputs[i]];
    for (int i = 0; i < g->output_count; i++)
        g->outputs[i] = map[g->outputs[i]];
    free(map);
    return FT_OK;
}

/* ------------------------------------------------------------------ model */

static ft_status load_graph(onnx_loader *L, const Onnx__GraphProto *gp, const ft_onnx_options *o)
{
    ft_nn_graph *g = L->g;
    if (gp->n_node > MAX_NODES || gp->n_initializer > MAX_NODES)
        return onnx_error(L, FT_ERR_FORMAT, "absurdly many nodes or initializers");
    for (size_t i = 0; i < gp->n_initializer; i++) {
        const Onnx__TensorProto *p = gp->initializer[i];
        int t = onnx_add_tensor(L, p->name, FT_DTYPE_F32, 0, NULL);
        if (t < 0)
            return onnx_error(L, FT_ERR_NOMEM, "out of memory");
        ft_status st = onnx_tensor_from_proto(L, p, &g->tensors[t]);
        if (st == FT_OK)
            st = onnx_bind(L, p->name, t);
        if (st != FT_OK)
            return st;
    }
    for (size_t i = 0; i < gp->n_input; i++) {
        /* before IR version 4, initializers are listed as inputs too */
        if (onnx_find(L, gp->input[i]->name) >= 0)
            continue;
        ft_status st = add_input(L, gp->input[i], o);
        if (st != FT_OK)
            return st;
    }
    for (size_t i = 0; i < gp->n_node; i++) {
        L->node = gp->node[i];
        ft_status st = onnx_map_node(L, gp->node[i]);
        if (st != FT_OK)
            return st;
    }
    L->node = NULL;
    if (gp->n_output == 0 || gp->n_output > FT_NN_MAX_IO)
        return onnx_error(L, FT_ERR_UNSUPPORTED, "%zu graph outputs (1 to %d supported)",
                          gp->n_output, FT_NN_MAX_IO);
    for (size_t i = 0; i < gp->n_output; i++) {
        int t = onnx_find(L, gp->output[i]->name);
        if (t < 0)
            return onnx_error(L, FT_ERR_FORMAT, "graph output '%s' is made by no node",
                              gp->output[i]->name ? gp->output[i]->name : "");
        g->outputs[g->output_count++] = t;
    }
    return compact(L);
}

int ft_onnx_sniff(const uint8_t *data, size_t size)
{
    if (!data || size < 2)
        return 0;
    /* ModelProto field tags: ir_version, producer_name/version, domain,
     * model_version, doc_string, graph, opset_import, metadata_props */
    static const uint8_t tags[] = {0x08, 0x12, 0x1a, 0x22, 0x28, 0x32, 0x3a, 0x42, 0x72};
    return memchr(tags, data[0], sizeof tags) != NULL;
}

ft_status ft_onnx_load_with(const uint8_t *data, size_t size, const char *name,
                            const ft_onnx_options *options, ft_nn_graph *graph, char *err,
                            size_t err_size)
{
    onnx_loader L = {.name = name ? name : "(model)", .err = err, .err_size = err_size, .g = graph};
    memset(graph, 0, sizeof *graph);
    if (err && err_size)
        err[0] = '\0';
    if (!data || size == 0)
        return onnx_error(&L, FT_ERR_FORMAT, "not an ONNX model (0 bytes)");
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, size, data);
    if (!m)
        return onnx_error(&L, FT_ERR_FORMAT, "not an ONNX model (the protobuf does not parse)");
    ft_status st = FT_OK;
    L.opset = 1; /* files from before opset_import existed */
    for (size_t i = 0; i < m->n_opset_import; i++) {
        const char *domain = m->opset_import[i]->domain;
        if (!domain || !*domain || strcmp(domain, "ai.onnx") == 0)
            L.opset = m->opset_import[i]->version;
    }
    if (!m->graph)
        st = onnx_error(&L, FT_ERR_FORMAT, "ONNX model without a graph");
    else if (L.opset < 1 || L.opset > 21)
        st = onnx_error(&L, FT_ERR_UNSUPPORTED, "ONNX opset %lld (1 to 21 supported)",
                        (long long)L.opset);
    else
        st = load_graph(&L, m->graph, options);
    if (st == FT_OK) {
        const char *gname = m->graph->name && *m->graph->name ? m->graph->name : L.name;
        if (!(graph->name = strdup(gname)))
            st = onnx_error(&L, FT_ERR_NOMEM, "out of memory");
    }
    free(L.names);
    onnx__model_proto__free_unpacked(m, NULL);
    if (st != FT_OK)
        ft_nn_graph_free(graph);
    return st;
}

int ft_onnx_node_names(const uint8_t *data, size_t size, char (*names)[FT_ONNX_NODE_NAME_SIZE],
                       int max)
{
    Onnx__ModelProto *m = data && size ? onnx__model_proto__unpack(NULL, size, data) : NULL;
    if (!m)
        return -1;
    int n = 0;
    for (; m->graph && n < max && (size_t)n < m->graph->n_node; n++) {
        const char *name = m->graph->node[n]->name;
        snprintf(names[n], FT_ONNX_NODE_NAME_SIZE, "%s", name ? name : "");
    }
    onnx__model_proto__free_unpacked(m, NULL);
    return n;
}
