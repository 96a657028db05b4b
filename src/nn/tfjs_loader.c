/* TensorFlow.js graph models (model.json + weight shards) into the graph IR.
 * The format: tfjs-converter's model.json holds "modelTopology" (a GraphDef
 * in proto3 JSON: node[] with name, op, input[], attr{}) and
 * "weightsManifest" (groups of shard paths, each with the weights laid end to
 * end over its shards in manifest order: name, shape, dtype, optional
 * quantization {dtype, scale, min}). Attributes follow the AttrValue JSON
 * mapping: integers as strings, strings base64. */
#include "nn/tfjs.h"

#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/half.h"
#include "nn/ref_kernels.h"
#include "nn/tfjs_internal.h"

/* ------------------------------------------------------------ nodes by name */

typedef struct named {
    const char *name;
    int index;
} named;

static int by_name(const void *a, const void *b)
{
    return strcmp(((const named *)a)->name, ((const named *)b)->name);
}


/* ------------------------------------------------------------ weights */


static int read_shape(json_object *list, int *rank, int64_t *shape, int64_t *elements)
{
    if (!list || !json_object_is_type(list, json_type_array) ||
        json_object_array_length(list) > FT_NN_MAX_RANK)
        return 0;
    *rank = (int)json_object_array_length(list);
    *elements = 1;
    for (int d = 0; d < *rank; d++) {
        if (!int_of(json_object_array_get_idx(list, (size_t)d), &shape[d]) || shape[d] < 0 ||
            shape[d] > FT_TFJS_MAX_ELEMENTS)
            return 0;
        *elements *= shape[d];
        if (*elements > FT_TFJS_MAX_ELEMENTS)
            return 0;
    }
    return 1;
}

static ft_status decode_weight(loader *L, json_object *w, const uint8_t *bytes, size_t size,
                               size_t *offset, const char *shard)
{
    weight *out = &L->weights[L->weight_count];
    memset(out, 0, sizeof *out);
    out->name = string_of(member(w, "name"));
    const char *dtype = string_of(member(w, "dtype"));
    int64_t n;
    if (!out->name || !dtype || !read_shape(member(w, "shape"), &out->rank, out->shape, &n))
        return fail(L, FT_ERR_FORMAT, "weightsManifest: a weight without a valid name, dtype or shape");
    json_object *q = member(w, "quantization");
    const char *qtype = q ? string_of(member(q, "dtype")) : NULL;
    if (q && !qtype)
        return fail(L, FT_ERR_FORMAT, "weight '%s': quantization without a dtype", out->name);
    size_t esize;
    if (!strcmp(dtype, "float32"))
        out->dtype = FT_DTYPE_F32;
    else if (!strcmp(dtype, "int32"))
        out->dtype = FT_DTYPE_I32;
    else
        return fail(L, FT_ERR_UNSUPPORTED, "weight '%s': dtype '%s' is not supported", out->name,
                    dtype);
    if (!qtype)
        esize = 4;
    else if (!strcmp(qtype, "float16") && out->dtype == FT_DTYPE_F32)
        esize = 2;
    else if (!strcmp(qtype, "uint8") || !strcmp(qtype, "uint16"))
        esize = qtype[4] == '8' ? 1 : 2;
    else
        return fail(L, FT_ERR_UNSUPPORTED, "weight '%s': quantization '%s' of %s", out->name, qtype,
                    dtype);
    size_t need = (size_t)n * esize;
    if (*offset > size || size - *offset < need)
        return fail(L, FT_ERR_FORMAT,
                    "weight shard '%s' is too short: weight '%s' needs bytes %zu..%zu of %zu",
                    shard, out->name, *offset, *offset + need, size);
    const uint8_t *src = bytes + *offset;
    *offset += need;
    out->nbytes = (size_t)n * 4;
    if (!(out->data = malloc(out->nbytes ? out->nbytes : 1)))
        return FT_ERR_NOMEM;
    L->weight_count++;
    if (!qtype) {
        memcpy(out->data, src, need);
    } else if (esize == 2 && qtype[0] == 'f') {
        float *f = out->data;
        for (int64_t i = 0; i < n; i++) {
            uint16_t h;
            memcpy(&h, src + 2 * i, 2);
            f[i] = ft_half_to_float(h);
        }
    } else {
        double scale = 0, min = 0;
        if (!double_of(member(q, "scale"), &scale) || !double_of(member(q, "min"), &min))
            return fail(L, FT_ERR_FORMAT, "weight '%s': quantization without scale and min", out->name);
        for (int64_t i = 0; i < n; i++) {
            uint16_t v = esize == 1 ? src[i] : 0;
            if (esize == 2)
                memcpy(&v, src + 2 * i, 2);
            double x = v * scale + min;
            if (out->dtype == FT_DTYPE_F32)
                ((float *)out->data)[i] = (float)x;
            else
                ((int32_t *)out->data)[i] = (int32_t)lrint(x);
        }
    }
    return FT_OK;
}

static ft_status read_weights(loader *L, json_object *manifest, ft_tfjs_shard_reader reader,
                              void *ctx)
{
    if (!manifest)
        return FT_OK;
    if (!json_object_is_type(manifest, json_type_array))
        return fail(L, FT_ERR_FORMAT, "weightsManifest is not an array");
    size_t total = 0;
    for (size_t gi = 0; gi < json_object_array_length(manifest); gi++) {
        json_object *ws = member(json_object_array_get_idx(manifest, gi), "weights");
        if (!ws || !json_object_is_type(ws, json_type_array))
            return fail(L, FT_ERR_FORMAT, "weightsManifest group %zu has no weights array", gi);
        total += json_object_array_length(ws);
    }
    if (total > FT_TFJS_MAX_NODES)
        return fail(L, FT_ERR_FORMAT, "weightsManifest lists %zu weights", total);
    if (!(L->weights = calloc(total ? total : 1, sizeof *L->weights)))
        return FT_ERR_NOMEM;
    for (size_t gi = 0; gi < json_object_array_length(manifest); gi++) {
        json_object *group = json_object_array_get_idx(manifest, gi);
        json_object *paths = member(group, "paths"), *ws = member(group, "weights");
        if (!paths || !json_object_is_type(paths, json_type_array))
            return fail(L, FT_ERR_FORMAT, "weightsManifest group %zu has no paths array", gi);
        /* The group's weights run on across its shards: join them. */
        uint8_t *bytes = NULL;
        size_t size = 0;
        const char *last = "(none)";
        for (size_t pi = 0; pi < json_object_array_length(paths); pi++) {
            const char *path = string_of(json_object_array_get_idx(paths, pi));
            if (!path || !*path) {
                free(bytes);
                return fail(L, FT_ERR_FORMAT, "weightsManifest group %zu: a path is not a string", gi);
            }
            ft_model_bytes shard = {0};
            ft_status st = reader ? reader(ctx, path, &shard, L->err, L->err_size)
                                  : fail(L, FT_ERR_IO, "no reader for weight shard '%s'", path);
            if (st != FT_OK) {
                free(bytes);
                return st;
            }
            uint8_t *grown = realloc(bytes, size + shard.size + 1);
            if (!grown) {
                ft_model_bytes_free(&shard);
                free(bytes);
                return FT_ERR_NOMEM;
            }
            bytes = grown;
            if (shard.size)
                memcpy(bytes + size, shard.data, shard.size);
            size += shard.size;
            ft_model_bytes_free(&shard);
            last = path;
        }
        size_t offset = 0;
        ft_status st = FT_OK;
        for (size_t wi = 0; st == FT_OK && wi < json_object_array_length(ws); wi++)
            st = decode_weight(L, json_object_array_get_idx(ws, wi), bytes, size, &offset, last);
        free(bytes);
        if (st != FT_OK)
            return st;
    }
    qsort(L->weights, (size_t)L->weight_count, sizeof *L->weights, by_weight_name);
    for (int i = 1; i < L->weight_count; i++)
        if (!strcmp(L->weights[i].name, L->weights[i - 1].name))
            return fail(L, FT_ERR_FORMAT, "weight '%s' is listed twice", L->weights[i].name);
    return FT_OK;
}

/* ------------------------------------------------------------ traversal */

/* Depth-first from ROOT over inputs, appending finished nodes to L->order;
 * with CHECK_ONLY, only whether every node's op is known (*unknown names
 * the first that is not). Iterative: a hostile graph may be deep. */
static ft_status visit(loader *L, int root, int check_only, const char **unknown)
{
    typedef struct frame { int node, next; } frame;
    frame *stack = malloc((size_t)L->node_count * sizeof *stack);
    if (!stack)
        return FT_ERR_NOMEM;
    int top = 0;
    ft_status st = FT_OK;
    if (L->nodes[root].state == 0) {
        stack[top++] = (frame){root, 0};
        L->nodes[root].state = 1;
    }
    while (top > 0 && st == FT_OK) {
        frame *f = &stack[top - 1];
        node *n = &L->nodes[f->node];
        if (f->next < input_count(n)) {
            const char *ref = input_ref(n, f->next++);
            int k, control;
            int src = ref ? resolve_input(L, ref, &k, &control) : -1;
            if (src < 0) {
                st = fail(L, FT_ERR_FORMAT, "node '%s': input '%s' names no node", n->name,
                          ref ? ref : "(not a string)");
                break;
            }
            if (control)
                continue;
            if (L->nodes[src].state == 1) {
                st = fail(L, FT_ERR_FORMAT, "node '%s' is on a cycle", L->nodes[src].name);
                break;
            }
            if (L->nodes[src].state == 0) {
                L->nodes[src].state = 1;
                stack[top++] = (frame){src, 0};
            }
            continue;
        }
        n->state = 2;
        if (!ft_tfjs_op_known(n->op) && unknown && !*unknown)
            *unknown = n->op;
        if (!check_only)
            L->order[L->order_count++] = f->node;
        top--;
    }
    free(stack);
    return st;
}

static void reset_states(loader *L)
{
    for (int i = 0; i < L->node_count; i++)
        L->nodes[i].state = 0;
}

/* The output node names: OPTIONS, the signature, or the unread nodes. */
static ft_status choose_outputs(loader *L, json_object *root, const ft_tfjs_options *opt, int *roots,
                                int *count)
{
    *count = 0;
    if (opt && opt->outputs) {
        for (int i = 0; i < opt->output_count; i++) {
            int k, control;
            int r = resolve_input(L, opt->outputs[i], &k, &control);
            if (r < 0 || control || k != 0 || *count >= FT_NN_MAX_IO)
                return fail(L, FT_ERR_NOT_FOUND, "no output node '%s'", opt->outputs[i]);
            roots[(*count)++] = r;
        }
        return FT_OK;
    }
    json_object *outs = member(member(root, "signature"), "outputs");
    const char *unknown = NULL;
    if (outs && json_object_is_type(outs, json_type_object)) {
        json_object_object_foreach(outs, key, val) {
            const char *nm = string_of(member(val, "name"));
            int k, control;
            int r = resolve_input(L, nm ? nm : key, &k, &control);
            if (r < 0 || control)
                return fail(L, FT_ERR_FORMAT, "signature output '%s' names no node", nm ? nm : key);
            const char *missing = NULL;
            reset_states(L);
            ft_status st = visit(L, r, 1, &missing);
            if (st != FT_OK)
                return st;
            if (missing) {
                unknown = unknown ? unknown : missing;
                continue;
            }
            if (*count >= FT_NN_MAX_IO)
                return fail(L, FT_ERR_UNSUPPORTED, "more than %d outputs", FT_NN_MAX_IO);
            roots[(*count)++] = r;
        }
        if (*count == 0)
            return fail(L, FT_ERR_UNSUPPORTED, "every output needs an unsupported TensorFlow op ('%s')",
                        unknown ? unknown : "?");
        /* signature order is a JSON object's: sort outputs by name for a stable order */
        for (int i = 1; i < *count; i++)
            for (int j = i; j > 0 && strcmp(L->nodes[roots[j]].name, L->nodes[roots[j - 1]].name) < 0; j--) {
                int t = roots[j];
                roots[j] = roots[j - 1];
                roots[j - 1] = t;
            }
        return FT_OK;
    }
    /* No signature: the nodes nothing reads. */
    char *read = calloc((size_t)L->node_count, 1);
    if (!read)
        return FT_ERR_NOMEM;
    for (int i = 0; i < L->node_count; i++)
        for (int j = 0; j < input_count(&L->nodes[i]); j++) {
            int k, control;
            const char *ref = input_ref(&L->nodes[i], j);
            int src = ref ? resolve_input(L, ref, &k, &control) : -1;
            if (src >= 0)
                read[src] = 1;
        }
    for (int i = 0; i < L->node_count && *count < FT_NN_MAX_IO; i++)
        if (!read[i] && strcmp(L->nodes[i].op, "Const") && strcmp(L->nodes[i].op, "NoOp"))
            roots[(*count)++] = i;
    free(read);
    return *count ? FT_OK : fail(L, FT_ERR_FORMAT, "the graph has no output");
}

static ft_status read_nodes(loader *L, json_object *root)
{
    json_object *topo = member(root, "modelTopology");
    json_object *nodes = member(topo, "node");
    if (!nodes)
        nodes = member(member(topo, "graph"), "node");
    if (!nodes || !json_object_is_type(nodes, json_type_array))
        return fail(L, FT_ERR_FORMAT, "modelTopology has no node array");
    size_t count = json_object_array_length(nodes);
    if (count == 0 || count > FT_TFJS_MAX_NODES)
        return fail(L, FT_ERR_FORMAT, "modelTopology holds %zu nodes", count);
    L->nodes = calloc(count, sizeof *L->nodes);
    L->sorted = malloc(count * sizeof *L->sorted);
    L->order = malloc(count * sizeof *L->order);
    if (!L->nodes || !L->sorted || !L->order)
        return FT_ERR_NOMEM;
    for (size_t i = 0; i < count; i++) {
        json_object *o = json_object_array_get_idx(nodes, i);
        node *n = &L->nodes[i];
        n->obj = o;
        n->name = string_of(member(o, "name"));
        n->op = string_of(member(o, "op"));
        n->inputs = member(o, "input");
        if (!n->name || !n->op || !*n->name)
            return fail(L, FT_ERR_FORMAT, "node %zu has no name or op", i);
        if (n->inputs && !json_object_is_type(n->inputs, json_type_array))
            return fail(L, FT_ERR_FORMAT, "node '%s': input is not an array", n->name);
        for (int k = 0; k < FT_NN_MAX_IO; k++)
            n->value[k] = -1;
        L->sorted[i] = (int)i;
    }
    L->node_count = (int)count;
    named *byname = malloc(count * sizeof *byname);
    if (!byname)
        return FT_ERR_NOMEM;
    for (size_t i = 0; i < count; i++)
        byname[i] = (named){L->nodes[i].name, (int)i};
    qsort(byname, count, sizeof *byname, by_name);
    for (size_t i = 0; i < count; i++)
        L->sorted[i] = byname[i].index;
    free(byname);
    for (size_t i = 1; i < count; i++)
        if (!strcmp(L->nodes[L->sorted[i]].name, L->nodes[L->sorted[i - 1]].name))
            return fail(L, FT_ERR_FORMAT, "two nodes are called '%s'", L->nodes[L->sorted[i]].name);
    return FT_OK;
}

static void loader_free(loader *L)
{
    for (int i = 0; i < L->weight_count; i++)
        free(L->weights[i].data);
    free(L->weights);
    free(L->nodes);
    free(L->sorted);
    free(L->order);
}

ft_status ft_tfjs_load(const uint8_t *json, size_t size, const char *name,
                       ft_tfjs_shard_reader reader, void *reader_ctx,
                       const ft_tfjs_options *options, ft_nn_graph *graph, char *err,
                       size_t err_size)
{
    loader L = {.name = name, .err = err, .err_size = err_size, .g = graph};
    memset(graph, 0, sizeof *graph);
    if (err && err_size)
        err[0] = '\0';
    if (size > INT32_MAX)
        return fail(&L, FT_ERR_FORMAT, "model.json larger than 2 GiB");
    json_tokener *tok = json_tokener_new_ex(64);
    if (!tok)
        return FT_ERR_NOMEM;
    json_object *root = json_tokener_parse_ex(tok, (const char *)json, (int)size);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    json_tokener_free(tok);
    if (!root || jerr != json_tokener_success) {
        json_object_put(root);
        return fail(&L, FT_ERR_FORMAT, "not valid JSON (%s)",
                    jerr == json_tokener_continue ? "truncated" : json_tokener_error_desc(jerr));
    }
    ft_status st = FT_OK;
    const char *format = string_of(member(root, "format"));
    if (!json_object_is_type(root, json_type_object) || !member(root, "modelTopology"))
        st = fail(&L, FT_ERR_FORMAT, "not a TensorFlow.js model (no modelTopology)");
    else if (format && strcmp(format, "graph-model"))
        st = fail(&L, FT_ERR_UNSUPPORTED, "a TensorFlow.js '%s', not a graph-model", format);
    if (st == FT_OK)
        st = read_nodes(&L, root);
    int roots[FT_NN_MAX_IO], root_count = 0;
    if (st == FT_OK)
        st = choose_outputs(&L, root, options, roots, &root_count);
    reset_states(&L);
    for (int i = 0; st == FT_OK && i < root_count; i++)
        st = visit(&L, roots[i], 0, NULL);
    if (st == FT_OK)
        st = read_weights(&L, member(root, "weightsManifest"), reader, reader_ctx);
    if (st == FT_OK) {
        ft_graph_builder_init(&L.b, graph, name);
        st = L.b.status;
    }
    for (int i = 0; st == FT_OK && i < L.order_count; i++) {
        st = ft_tfjs_build_node(&L, &L.nodes[L.order[i]]);
        if (st == FT_OK && L.b.status != FT_OK)
            st = L.b.status == FT_ERR_FORMAT
                     ? fail(&L, FT_ERR_FORMAT, "node '%s': a shape is out of range", L.nodes[L.order[i]].name)
                     : L.b.status;
    }
    for (int i = 0; st == FT_OK && i < root_count; i++) {
        int t = L.nodes[roots[i]].value[0];
        if (t < 0 || graph->tensors[t].data)
            st = fail(&L, FT_ERR_UNSUPPORTED, "output '%s' is a constant", L.nodes[roots[i]].name);
        else
            graph->outputs[graph->output_count++] = t;
    }
    if (st == FT_OK && graph->input_count == 0)
        st = fail(&L, FT_ERR_FORMAT, "the outputs depend on no input");
    for (int i = 0; st == FT_OK && i < graph->op_count; i++) {
        const char *why = ft_ref_check_op(graph, &graph->ops[i]);
        if (why)
            st = fail(&L, FT_ERR_FORMAT, "op %d (%s, tensor '%s'): %s", i,
                      ft_op_name(graph->ops[i].type),
                      graph->tensors[graph->ops[i].outputs[0]].name, why);
    }
    loader_free(&L);
    json_object_put(root);
    if (st != FT_OK) {
        if (err && err_size && !err[0])
            fail(&L, st, "cannot load (status %d)", (int)st);
        ft_nn_graph_free(graph);
        memset(graph, 0, sizeof *graph);
    }
    return st;
}

/* ------------------------------------------------------------ files */

typedef struct dir_ctx {
    char dir[4096];
} dir_ctx;

static ft_status read_shard_beside(void *ctx, const char *path, ft_model_bytes *out, char *err,
                                   size_t err_size)
{
    const dir_ctx *d = ctx;
    /* Shards sit beside model.json: a path leaving that folder is refused. */
    if (path[0] == '/' || strstr(path, "..")) {
        snprintf(err, err_size, "%s: weight shard path '%s' leaves the model's folder", d->dir, path);
        for (char *c = err; *c; c++)
            if ((unsigned char)*c < 0x20)
                *c = '?';
        return FT_ERR_FORMAT;
    }
    char full[8192];
    snprintf(full, sizeof full, "%s%s", d->dir, path);
    return ft_model_bytes_read(full, out, err, err_size);
}

ft_status ft_tfjs_load_file(const char *path, const ft_tfjs_options *options, ft_nn_graph *graph,
                            char *err, size_t err_size)
{
    ft_model_bytes bytes;
    memset(graph, 0, sizeof *graph);
    ft_status st = ft_model_bytes_read(path, &bytes, err, err_size);
    if (st != FT_OK)
        return st;
    dir_ctx d;
    const char *slash = strrchr(path, '/');
    size_t len = slash ? (size_t)(slash - path) + 1 : 0;
    if (len >= sizeof d.dir)
        len = 0;
    memcpy(d.dir, path, len);
    d.dir[len] = '\0';
    st = ft_tfjs_load(bytes.data, bytes.size, path, read_shard_beside, &d, options, graph, err,
                      err_size);
    ft_model_bytes_free(&bytes);
    return st;
}

int ft_tfjs_sniff(const uint8_t *data, size_t size)
{
    size_t i = 0;
    while (i < size && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t'))
        i++;
    if (i >= size || data[i] != '{')
        return 0;
    const char key[] = "\"modelTopology\"";
    size_t scan = size < 1u << 20 ? size : 1u << 20; /* the key comes early in converter output */
    for (size_t j = i; j + sizeof key - 1 <= scan; j++)
        if (!memcmp(data + j, key, sizeof key - 1))
            return 1;
    return 0;
}

