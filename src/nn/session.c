/* Sessions: per batch size, a shadow of the graph's tensor descriptors
 * (nn/batch_shapes.h), the activation buffers and the backend's plan. The
 * plans stay cached because Debian's XNNPACK (0.0~git20220216) has neither
 * a weights cache nor runtime reshape: each batch size is its own runtime,
 * with its own packed weights, and building one costs far more than a run. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nn/batch_shapes.h"
#include "nn/merged_runs.h"
#include "nn/ref_kernels.h"
#include "nn/session.h"

#define BUFFER_SLACK 64 /* kernels may read a little past the end */

typedef struct plan_slot {
    int batch;                 /* 0: empty */
    unsigned long long last_use;
    ft_nn_graph shadow;        /* the graph at this batch; plans point here */
    ft_nn_tensor *tensors;     /* shadow descriptors, owned when batch > 1 */
    ft_nn_op *ops;
    void **buffers;            /* per tensor: constant data, owned or bound buffer */
    void **owned;              /* per tensor: the session's activation buffer */
    void **tiled;              /* per tensor: a constant repeated per item */
    int bound;                 /* a caller's buffer is in BUFFERS */
    size_t workspace;
    ft_nn_plan *plan;          /* the whole batch at once */
    ft_nn_plan *item_plan;     /* or one batch-1 plan, bound to each item in turn */
    void **item_buffers;       /* batch x tensor_count: item i's view of BUFFERS */
    uint8_t *codes[FT_NN_MAX_IO];       /* per graph input of codes: the bytes, owned or bound */
    uint8_t *owned_codes[FT_NN_MAX_IO];
} plan_slot;

struct ft_nn_session {
    const ft_nn_graph *graph;
    const ft_nn_backend_def *backend;
    ft_nn_plan_target target;
    ft_nn_allocator allocator;
    ft_nn_batch_mode batch_mode;
    int batch_checked;         /* ft_nn_batch_check ran; BATCH_STATUS holds it */
    ft_status batch_status;
    plan_slot slots[FT_NN_SESSION_PLANS];
    int current;
    unsigned long long clock;
    char batch_refusal[512];
    char error[512];
    ft_nn_merger *merger;      /* runs merged with other sessions' (NULL: alone) */
    int native_ops;            /* merged: what the plan before merging ran natively */
    ft_nn_input_codes codes[FT_NN_MAX_IO]; /* per graph input */
    int has_codes;
};

static void *default_alloc(void *context, size_t size)
{
    (void)context;
    return malloc(size);
}

static void default_release(void *context, void *pointer)
{
    (void)context;
    free(pointer);
}

static const char *model_name(const ft_nn_graph *g)
{
    return g->name && *g->name ? g->name : "(model)";
}

static ft_status session_fail(ft_nn_session *s, ft_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static ft_status session_fail(ft_nn_session *s, ft_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->error, sizeof s->error, fmt, ap);
    va_end(ap);
    return st;
}

/* Every op's shapes on graph G as the reference kernels need them, and
 * every tensor made before it is read. */
static ft_status check_graph(ft_nn_session *s, const ft_nn_graph *g, int batch)
{
    char *ready = calloc((size_t)g->tensor_count + 1, 1);
    if (!ready)
        return session_fail(s, FT_ERR_NOMEM, "%s: out of memory", model_name(g));
    char at_batch[32] = "";
    if (batch > 1)
        snprintf(at_batch, sizeof at_batch, " at batch %d", batch);
    for (int i = 0; i < g->input_count; i++)
        ready[g->inputs[i]] = 1;
    for (int i = 0; i < g->op_count; i++) {
        const ft_nn_op *op = &g->ops[i];
        const char *why = NULL;
        for (int j = 0; j < op->input_count && !why; j++) {
            int t = op->inputs[j];
            if (t >= 0 && !ready[t] && !g->tensors[t].data)
                why = "reads a tensor that nothing has made yet";
        }
        if (!why)
            why = ft_ref_check_op(g, op);
        if (why) {
            free(ready);
            return session_fail(s, FT_ERR_UNSUPPORTED, "%s: op %d (%s, output '%s')%s: %s",
                                model_name(g), i, ft_nn_op_label(op),
                                g->tensors[op->outputs[0]].name, at_batch, why);
        }
        for (int j = 0; j < op->output_count; j++)
            ready[op->outputs[j]] = 1;
    }
    free(ready);
    return FT_OK;
}

static void slot_clear(ft_nn_session *s, plan_slot *slot)
{
    for (int i = 0; i < FT_NN_MAX_IO; i++)
        if (slot->owned_codes[i])
            s->allocator.release(s->allocator.context, slot->owned_codes[i]);
    if (slot->plan)
        s->backend->plan_free(slot->plan);
    if (slot->item_plan)
        s->backend->plan_free(slot->item_plan);
    free(slot->item_buffers);
    if (slot->owned)
        for (int t = 0; t < s->graph->tensor_count; t++)
            if (slot->owned[t])
                s->allocator.release(s->allocator.context, slot->owned[t]);
    free(slot->owned);
    if (slot->tiled)
        for (int t = 0; t < s->graph->tensor_count; t++)
            free(slot->tiled[t]);
    free(slot->tiled);
    free(slot->buffers);
    if (slot->batch > 1) {
        free(slot->tensors);
        free(slot->ops);
    }
    *slot = (plan_slot){0};
}

/* Bytes of tensor T for one item. */
static size_t item_bytes(const ft_nn_graph *g, int t)
{
    return (size_t)ft_nn_tensor_elements(&g->tensors[t]) * ft_dtype_size(g->tensors[t].dtype);
}

/* Kernels over a batch run layer by layer, each touching the whole batch's
 * activation before the next starts. Once one item's largest activation
 * outgrows a quarter of the L2 cache, the next layer finds a batch's
 * activation further out than one item's, and a batched run costs more
 * per item than single ones: measured (one thread, 1 MB L2) +47 % per item
 * for the 256 px landmark model at batch 3 and +3 % for the 128 px
 * detector, against -3 to -17 % for the blendshape model, whose 0.4 ms
 * runs are mostly fixed cost. */
static int items_outgrow_cache(const ft_nn_graph *g)
{
    long l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
    const size_t budget = (l2 > 0 ? (size_t)l2 : (size_t)1 << 20) / 4;
    for (int t = 0; t < g->tensor_count; t++)
        if (!g->tensors[t].data && item_bytes(g, t) >= budget)
            return 1;
    return 0;
}

/* Item I's view of the buffers: its slice of each activation, and the
 * graph's own constants (a batched plan may have tiled some). */
static void slot_item_views(const ft_nn_graph *g, plan_slot *slot)
{
    const int n = g->tensor_count;
    for (int i = 0; i < slot->batch; i++)
        for (int t = 0; t < n; t++)
            slot->item_buffers[(size_t)i * (size_t)n + (size_t)t] =
                g->tensors[t].data ? g->tensors[t].data
                : slot->buffers[t] ? (char *)slot->buffers[t] + (size_t)i * item_bytes(g, t)
                                   : NULL;
}

/* The plan of SLOT over its buffers: one for the batch, or one batch-1
 * plan that each run binds to item after item. One plan, not one per item:
 * per-item plans would each pack their own copy of the weights, and three
 * copies of the landmark model's weights cost more cache than binding. */
static ft_status slot_plans(ft_nn_session *s, plan_slot *slot)
{
    const int by_item = slot->batch > 1 &&
                        (s->batch_mode == FT_NN_BATCH_ITEMS ||
                         (s->batch_mode == FT_NN_BATCH_AUTO && !s->backend->whole_batches &&
                          items_outgrow_cache(s->graph)));
    if (!by_item)
        return s->backend->plan_create(&slot->shadow, slot->buffers, &s->target, &slot->plan,
                                       s->error, sizeof s->error);
    const size_t n = (size_t)s->graph->tensor_count;
    slot->item_buffers = calloc((size_t)slot->batch * n, sizeof *slot->item_buffers);
    if (!slot->item_buffers)
        return session_fail(s, FT_ERR_NOMEM, "%s: out of memory", model_name(s->graph));
    slot_item_views(s->graph, slot);
    return s->backend->plan_create(s->graph, slot->item_buffers, &s->target, &slot->item_plan,
                                   s->error, sizeof s->error);
}

/* The plans see BUFFERS again after a binding changed (an item plan is
 * bound anew by every run anyway). */
static ft_status slot_rebind(ft_nn_session *s, plan_slot *slot)
{
    if (s->merger)
        return FT_OK;
    if (slot->plan)
        return s->backend->plan_rebind(slot->plan, slot->buffers, s->error, sizeof s->error);
    slot_item_views(s->graph, slot);
    return FT_OK;
}

/* Builds SLOT for BATCH items: shadow shapes, checks, buffers, plan. */
static ft_status slot_build(ft_nn_session *s, plan_slot *slot, int batch)
{
    const ft_nn_graph *g = s->graph;
    slot->batch = batch;
    if (batch == 1) {
        slot->shadow = *g;
    } else {
        slot->tensors = malloc(sizeof *slot->tensors * (size_t)g->tensor_count);
        slot->ops = malloc(sizeof *slot->ops * (size_t)(g->op_count ? g->op_count : 1));
        slot->tiled = calloc((size_t)g->tensor_count, sizeof *slot->tiled);
        if (!slot->tensors || !slot->ops || !slot->tiled ||
            ft_nn_batch_shapes(g, batch, slot->tensors, slot->ops, slot->tiled, &slot->shadow) !=
                FT_OK)
            return session_fail(s, FT_ERR_NOMEM, "%s: out of memory", model_name(g));
    }
    ft_status st = check_graph(s, &slot->shadow, batch);
    if (st != FT_OK)
        return st;
    slot->buffers = calloc((size_t)g->tensor_count, sizeof *slot->buffers);
    slot->owned = calloc((size_t)g->tensor_count, sizeof *slot->owned);
    char *needed = malloc((size_t)g->tensor_count + 1);
    if (!slot->buffers || !slot->owned || !needed) {
        free(needed);
        return session_fail(s, FT_ERR_NOMEM, "%s: out of memory", model_name(g));
    }
    if (s->merger) { /* the merger's runners hold the rest */
        memset(needed, 0, (size_t)g->tensor_count);
        for (int i = 0; i < g->input_count; i++)
            needed[g->inputs[i]] = 1;
        for (int i = 0; i < g->output_count; i++)
            needed[g->outputs[i]] = 1;
    } else if (s->backend->mark_buffers) {
        s->backend->mark_buffers(&slot->shadow, needed);
    } else {
        memset(needed, 1, (size_t)g->tensor_count);
    }
    for (int i = 0; i < g->input_count; i++) {
        if (!s->codes[i].on)
            continue;
        const size_t bytes = (size_t)ft_nn_tensor_elements(&slot->shadow.tensors[g->inputs[i]]) +
                             BUFFER_SLACK;
        slot->owned_codes[i] = s->allocator.alloc(s->allocator.context, bytes);
        if (!slot->owned_codes[i]) {
            free(needed);
            return session_fail(s, FT_ERR_NOMEM, "%s: out of memory for input %d at batch %d",
                                model_name(g), i, batch);
        }
        memset(slot->owned_codes[i], 0, bytes);
        slot->codes[i] = slot->owned_codes[i];
        if (s->merger || s->backend->takes_input_codes) {
            needed[g->inputs[i]] = 0; /* no floats on the host */
            slot->buffers[g->inputs[i]] = slot->codes[i];
        }
    }
    for (int t = 0; t < g->tensor_count; t++) {
        const ft_nn_tensor *tensor = &slot->shadow.tensors[t];
        if (tensor->data) {
            slot->buffers[t] = tensor->data;
            continue;
        }
        const int64_t n = ft_nn_tensor_elements(tensor);
        if (n < 0) {
            free(needed);
            return session_fail(s, FT_ERR_UNSUPPORTED, "%s: tensor '%s' has no fixed shape",
                                model_name(g), tensor->name);
        }
        if (!needed[t])
            continue; /* lives in the backend's own arena, or is bytes */
        const size_t bytes = (size_t)n * ft_dtype_size(tensor->dtype) + BUFFER_SLACK;
        slot->owned[t] = s->allocator.alloc(s->allocator.context, bytes);
        if (!slot->owned[t]) {
            free(needed);
            return session_fail(s, FT_ERR_NOMEM, "%s: out of memory for tensor '%s' at batch %d",
                                model_name(g), tensor->name, batch);
        }
        memset(slot->owned[t], 0, bytes); /* runs must not depend on old memory */
        slot->buffers[t] = slot->owned[t];
        slot->workspace += bytes;
    }
    free(needed);
    return s->merger ? FT_OK : slot_plans(s, slot);
}

ft_status ft_nn_session_create(const ft_nn_graph *g, const ft_nn_backend_def *backend,
                               const ft_nn_session_options *opt, ft_nn_session **out,
                               char *err, size_t err_size)
{
    *out = NULL;
    if (!g || !backend) {
        snprintf(err, err_size, "%s: no graph or backend given", g ? model_name(g) : "(model)");
        return FT_ERR_INVALID_ARG;
    }
    ft_status st = backend->init(err, err_size);
    if (st != FT_OK)
        return st;
    ft_nn_session *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, err_size, "%s: out of memory", model_name(g));
        return FT_ERR_NOMEM;
    }
    s->graph = g;
    s->backend = backend;
    s->target = (ft_nn_plan_target){opt ? opt->pool : NULL, opt ? opt->device : 0,
                                    opt ? opt->half : 0, NULL};
    s->batch_mode = opt ? opt->batch_mode : FT_NN_BATCH_AUTO;
    for (int i = 0; opt && opt->input_codes && i < g->input_count && i < FT_NN_MAX_IO; i++) {
        s->codes[i] = opt->input_codes[i];
        s->has_codes |= s->codes[i].on;
    }
    if (s->has_codes && backend->takes_input_codes)
        s->target.input_codes = s->codes;
    s->allocator = opt && opt->allocator
                       ? *opt->allocator
                       : (ft_nn_allocator){default_alloc, default_release, NULL};
    st = slot_build(s, &s->slots[0], 1);
    if (st != FT_OK) {
        snprintf(err, err_size, "%s", s->error);
        ft_nn_session_free(s);
        return st;
    }
    s->slots[0].last_use = ++s->clock;
    *out = s;
    return FT_OK;
}

void ft_nn_session_free(ft_nn_session *s)
{
    if (!s)
        return;
    for (int i = 0; i < FT_NN_SESSION_PLANS; i++)
        slot_clear(s, &s->slots[i]);
    ft_nn_merger_release(s->merger);
    free(s);
}

/* Back to the session's own buffers (the caller's were for one plan). */
static ft_status unbind(ft_nn_session *s, plan_slot *slot)
{
    if (!slot->bound)
        return FT_OK;
    for (int t = 0; t < s->graph->tensor_count; t++)
        if (slot->owned[t])
            slot->buffers[t] = slot->owned[t];
    for (int i = 0; i < s->graph->input_count; i++)
        if (s->codes[i].on) {
            slot->codes[i] = slot->owned_codes[i];
            if (!slot->owned[s->graph->inputs[i]])
                slot->buffers[s->graph->inputs[i]] = slot->codes[i];
        }
    slot->bound = 0;
    return slot_rebind(s, slot);
}

ft_status ft_nn_session_reshape(ft_nn_session *s, int batch, size_t *workspace_bytes)
{
    if (!s || batch < 1)
        return FT_ERR_INVALID_ARG;
    s->error[0] = '\0';
    int found = -1, oldest = 0;
    for (int i = 0; i < FT_NN_SESSION_PLANS; i++) {
        if (s->slots[i].batch == batch)
            found = i;
        if (s->slots[i].last_use < s->slots[oldest].last_use)
            oldest = i;
    }
    if (found < 0) {
        if (batch > 1) {
            if (!s->batch_checked) {
                s->batch_status =
                    ft_nn_batch_check(s->graph, s->batch_refusal, sizeof s->batch_refusal);
                s->batch_checked = 1;
            }
            if (s->batch_status != FT_OK)
                return session_fail(s, s->batch_status, "%s", s->batch_refusal);
        }
        slot_clear(s, &s->slots[oldest]);
        ft_status st = slot_build(s, &s->slots[oldest], batch);
        if (st != FT_OK) {
            slot_clear(s, &s->slots[oldest]);
            /* the current plan may have been the one dropped */
            if (oldest == s->current)
                s->current = -1;
            return st;
        }
        found = oldest;
    }
    ft_status st = unbind(s, &s->slots[found]);
    if (st != FT_OK)
        return st;
    s->current = found;
    s->slots[found].last_use = ++s->clock;
    if (workspace_bytes)
        *workspace_bytes = s->slots[found].workspace;
    return FT_OK;
}

int ft_nn_session_batch(const ft_nn_session *s)
{
    return s && s->current >= 0 ? s->slots[s->current].batch : 0;
}

ft_status ft_nn_session_setup(ft_nn_session *s, void *const *inputs, void *const *outputs)
{
    if (!s || s->current < 0)
        return FT_ERR_INVALID_ARG;
    plan_slot *slot = &s->slots[s->current];
    const ft_nn_graph *g = s->graph;
    for (int i = 0; i < g->input_count; i++) {
        const int t = g->inputs[i];
        if (s->codes[i].on) {
            slot->codes[i] = inputs && inputs[i] ? inputs[i] : slot->owned_codes[i];
            slot->bound |= slot->codes[i] != slot->owned_codes[i];
            if (!slot->owned[t]) /* the plan or the merger reads the bytes */
                slot->buffers[t] = slot->codes[i];
            continue;
        }
        slot->buffers[t] = inputs && inputs[i] ? inputs[i] : slot->owned[t];
        slot->bound |= slot->buffers[t] != slot->owned[t];
    }
    for (int i = 0; i < g->output_count; i++) {
        const int t = g->outputs[i];
        if (!slot->owned[t])
            continue; /* a constant output stays the graph's */
        slot->buffers[t] = outputs && outputs[i] ? outputs[i] : slot->owned[t];
        slot->bound |= slot->buffers[t] != slot->owned[t];
    }
    return slot_rebind(s, slot);
}

void *ft_nn_session_input(ft_nn_session *s, int i)
{
    if (!s || s->current < 0 || i < 0 || i >= s->graph->input_count)
        return NULL;
    if (s->codes[i].on)
        return s->slots[s->current].codes[i];
    return s->slots[s->current].buffers[s->graph->inputs[i]];
}

int ft_nn_session_input_is_codes(const ft_nn_session *s, int i)
{
    return s && i >= 0 && i < s->graph->input_count && i < FT_NN_MAX_IO && s->codes[i].on;
}

/* Codes the plan does not take itself, mapped into the floats it reads. */
static void map_codes(ft_nn_session *s, const plan_slot *slot)
{
    const ft_nn_graph *g = s->graph;
    for (int i = 0; i < g->input_count; i++) {
        const int t = g->inputs[i];
        if (!s->codes[i].on || !slot->owned[t])
            continue;
        const int64_t n = ft_nn_tensor_elements(&slot->shadow.tensors[t]);
        const uint8_t *c = slot->codes[i];
        float *out = slot->buffers[t];
        const float scale = s->codes[i].scale, offset = s->codes[i].offset;
        for (int64_t k = 0; k < n; k++) {
            const float scaled = (float)c[k] * scale; /* two roundings, as the warp does it */
            out[k] = scaled + offset;
        }
    }
}

const void *ft_nn_session_output(const ft_nn_session *s, int i)
{
    if (!s || s->current < 0 || i < 0 || i >= s->graph->output_count)
        return NULL;
    return s->slots[s->current].buffers[s->graph->outputs[i]];
}

int ft_nn_session_output_shape(const ft_nn_session *s, int i, int64_t *shape)
{
    if (!s || s->current < 0 || i < 0 || i >= s->graph->output_count)
        return -1;
    const ft_nn_tensor *t = &s->slots[s->current].shadow.tensors[s->graph->outputs[i]];
    memcpy(shape, t->shape, sizeof(int64_t) * (size_t)t->rank);
    return t->rank;
}

ft_status ft_nn_session_run(ft_nn_session *s)
{
    if (!s || s->current < 0)
        return FT_ERR_INVALID_ARG;
    const plan_slot *slot = &s->slots[s->current];
    if (s->merger) {
        const void *in[FT_NN_MAX_IO];
        void *out[FT_NN_MAX_IO];
        for (int i = 0; i < s->graph->input_count; i++)
            in[i] = s->codes[i].on ? slot->codes[i] : slot->buffers[s->graph->inputs[i]];
        for (int i = 0; i < s->graph->output_count; i++)
            out[i] = slot->buffers[s->graph->outputs[i]];
        return ft_nn_merger_run(s->merger, slot->batch, in, out, s->error, sizeof s->error);
    }
    if (s->has_codes)
        map_codes(s, slot);
    if (slot->plan)
        return s->backend->plan_run(slot->plan, s->error, sizeof s->error);
    const size_t n = (size_t)s->graph->tensor_count;
    for (int i = 0; i < slot->batch; i++) {
        ft_status st = s->backend->plan_rebind(slot->item_plan, &slot->item_buffers[(size_t)i * n],
                                               s->error, sizeof s->error);
        if (st == FT_OK)
            st = s->backend->plan_run(slot->item_plan, s->error, sizeof s->error);
        if (st != FT_OK)
            return st;
    }
    return FT_OK;
}

ft_status ft_nn_session_merge_runs(ft_nn_session *s, int max_items)
{
    if (!s || max_items < 1 || s->merger)
        return FT_ERR_INVALID_ARG;
    char why[256];
    const int native_ops = ft_nn_session_native_ops(s);
    ft_status st = ft_nn_merger_acquire(s->graph, s->backend, s->target.device, s->target.half,
                                        s->has_codes ? s->codes : NULL, max_items, &s->merger,
                                        why, sizeof why);
    if (st != FT_OK)
        return session_fail(s, st, "%s: runs alone on %s: %s", model_name(s->graph),
                            s->backend->name, why);
    /* From now on the session's plans are its inputs and outputs on the
     * host: the runs, and their plans, are the merger's. */
    s->native_ops = native_ops;
    for (int i = 0; i < FT_NN_SESSION_PLANS; i++)
        slot_clear(s, &s->slots[i]);
    s->current = -1;
    return ft_nn_session_reshape(s, 1, NULL);
}

ft_status ft_nn_session_run_library_only(ft_nn_session *s)
{
    if (!s || s->current < 0)
        return FT_ERR_INVALID_ARG;
    if (!s->backend->plan_run_library_only || s->merger)
        return FT_ERR_UNSUPPORTED;
    const plan_slot *slot = &s->slots[s->current];
    if (slot->plan)
        return s->backend->plan_run_library_only(slot->plan);
    const size_t n = (size_t)s->graph->tensor_count;
    for (int i = 0; i < slot->batch; i++) {
        ft_status st = s->backend->plan_rebind(slot->item_plan, &slot->item_buffers[(size_t)i * n],
                                               s->error, sizeof s->error);
        if (st == FT_OK)
            st = s->backend->plan_run_library_only(slot->item_plan);
        if (st != FT_OK)
            return st;
    }
    return FT_OK;
}

int ft_nn_session_native_ops(const ft_nn_session *s)
{
    if (!s || s->current < 0)
        return 0;
    if (s->merger)
        return s->native_ops;
    const plan_slot *slot = &s->slots[s->current];
    return s->backend->plan_native_ops(slot->plan ? slot->plan : slot->item_plan);
}

int ft_nn_session_item_by_item(const ft_nn_session *s)
{
    return s && s->current >= 0 && s->slots[s->current].item_plan != NULL;
}

const ft_nn_backend_def *ft_nn_session_backend(const ft_nn_session *s)
{
    return s ? s->backend : NULL;
}

const ft_nn_graph *ft_nn_session_graph(const ft_nn_session *s)
{
    return s ? s->graph : NULL;
}

const char *ft_nn_session_error(const ft_nn_session *s)
{
    return s ? s->error : "";
}
