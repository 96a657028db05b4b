#include "nn/op_profile.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nn/backend.h"

/* the costliest ops listed one by one */
#define TOP_OPS 25

struct ft_nn_profile {
    const ft_nn_graph *graph;
    const char *backend;
    uint64_t *ns;   /* per op: time of the step it starts */
    int *span;      /* per op: ops in its step (0: not a step's first op) */
    char *native;   /* per op: where its step ran (ft_nn_profile_add's KERNELS) */
    long runs;
};

static int enabled = 0, split_ops = 0, list_all = 0;
static pthread_once_t enabled_once = PTHREAD_ONCE_INIT;

static void read_env(void)
{
    const char *v = getenv("FACETRACK_NN_PROFILE");
    enabled = v && *v && strcmp(v, "0") != 0;
    split_ops = enabled && strcmp(v, "steps") != 0;
    list_all = enabled && strcmp(v, "all") == 0;
}

int ft_nn_profile_enabled(void)
{
    pthread_once(&enabled_once, read_env);
    return enabled;
}

int ft_nn_profile_split_ops(void)
{
    pthread_once(&enabled_once, read_env);
    return split_ops;
}

ft_nn_profile *ft_nn_profile_create(const ft_nn_graph *g, const char *backend)
{
    if (!ft_nn_profile_enabled())
        return NULL;
    ft_nn_profile *p = calloc(1, sizeof *p);
    const size_t n = (size_t)g->op_count + 1;
    if (p) {
        p->ns = calloc(n, sizeof *p->ns);
        p->span = calloc(n, sizeof *p->span);
        p->native = calloc(n, 1);
    }
    if (!p || !p->ns || !p->span || !p->native) {
        if (p) {
            free(p->ns);
            free(p->span);
            free(p->native);
        }
        free(p);
        return NULL;
    }
    p->graph = g;
    p->backend = backend;
    return p;
}

uint64_t ft_nn_profile_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void ft_nn_profile_add(ft_nn_profile *p, int first, int last, int kernels, uint64_t ns)
{
    if (!p || first < 0 || first >= p->graph->op_count)
        return;
    p->ns[first] += ns;
    p->span[first] = last - first;
    p->native[first] = (char)kernels;
}

void ft_nn_profile_run_done(ft_nn_profile *p)
{
    if (p)
        p->runs++;
}

/* "Conv2D 3x3/2", "Transpose", ...: what tells two ops of a type apart. */
static void describe(const ft_nn_graph *g, int i, int span, char *buf, size_t size)
{
    const ft_nn_op *op = &g->ops[i];
    const ft_nn_tensor *w = op->input_count > 1 && op->inputs[1] >= 0 ? &g->tensors[op->inputs[1]]
                                                                       : NULL;
    int n = snprintf(buf, size, "%s", ft_nn_op_label(op));
    if ((op->type == FT_OP_CONV2D || op->type == FT_OP_DEPTHWISE_CONV2D) && w && w->rank == 4) {
        const int nhwc = op->attrs.layout == FT_LAYOUT_NHWC;
        n += snprintf(buf + n, size - (size_t)n, " %lldx%lld/%d",
                      (long long)w->shape[nhwc ? 1 : 2], (long long)w->shape[nhwc ? 2 : 3],
                      op->attrs.stride[0]);
        const ft_nn_tensor *x = &g->tensors[op->inputs[0]], *y = &g->tensors[op->outputs[0]];
        const int c = nhwc ? 3 : 1;
        if (op->type == FT_OP_DEPTHWISE_CONV2D && x->rank == 4 && y->rank == 4 &&
            x->shape[c] > 0 && y->shape[c] != x->shape[c])
            n += snprintf(buf + n, size - (size_t)n, " x%lld",
                          (long long)(y->shape[c] / x->shape[c]));
    }
    static const char *const act[] = {"", " relu", " relu6", " relu1", " tanh", " sigmoid"};
    if (op->attrs.activation > FT_ACT_NONE && op->attrs.activation <= FT_ACT_SIGMOID && (size_t)n < size)
        n += snprintf(buf + n, size - (size_t)n, "%s", act[op->attrs.activation]);
    if (span > 1 && (size_t)n < size)
        snprintf(buf + n, size - (size_t)n, " +%d ops", span - 1);
}

static void shape_text(const ft_nn_tensor *t, char *buf, size_t size)
{
    int n = snprintf(buf, size, "[");
    for (int d = 0; d < t->rank && (size_t)n < size; d++)
        n += snprintf(buf + n, size - (size_t)n, "%s%lld", d ? "," : "", (long long)t->shape[d]);
    if ((size_t)n < size)
        snprintf(buf + n, size - (size_t)n, "]");
}

/* ORDER by time, costliest first (plans may be freed on several threads at
 * once, so no qsort with a shared key). */
static void sort_by_time(const ft_nn_profile *p, int *order, int n)
{
    for (int k = 1; k < n; k++) {
        const int i = order[k];
        int j = k;
        for (; j > 0 && p->ns[order[j - 1]] < p->ns[i]; j--)
            order[j] = order[j - 1];
        order[j] = i;
    }
}

void ft_nn_profile_finish(ft_nn_profile *p)
{
    if (!p)
        return;
    const ft_nn_graph *g = p->graph;
    int *order = malloc(sizeof *order * (size_t)(g->op_count + 1));
    uint64_t total = 0, type_ns[FT_OP_COUNT] = {0}, fallback_ns = 0;
    int type_ops[FT_OP_COUNT] = {0};
    int steps = 0;
    for (int i = 0; i < g->op_count; i++) {
        if (!p->span[i])
            continue;
        total += p->ns[i];
        type_ns[g->ops[i].type] += p->ns[i];
        type_ops[g->ops[i].type]++;
        if (!p->native[i])
            fallback_ns += p->ns[i];
        if (order)
            order[steps] = i;
        steps++;
    }
    if (p->runs > 0 && total > 0 && order) {
        const double run_ms = (double)total / 1e6 / (double)p->runs;
        fprintf(stderr, "profile: %s on %s: %ld runs, %.3f ms a run in %d steps, %.1f %% on the reference kernels\n",
                g->name && *g->name ? g->name : "(model)", p->backend, p->runs, run_ms, steps,
                100.0 * (double)fallback_ns / (double)total);
        fprintf(stderr, "  %4s  %-28s %-9s %-22s %9s %6s\n", "op", "kind", "on", "output", "ms/run", "%");
        if (!list_all) /* all: every step in graph order */
            sort_by_time(p, order, steps);
        for (int k = 0; k < steps && (list_all || k < TOP_OPS); k++) {
            const int i = order[k];
            char kind[64], shape[64];
            describe(g, i, p->span[i], kind, sizeof kind);
            shape_text(&g->tensors[g->ops[i].outputs[0]], shape, sizeof shape);
            fprintf(stderr, "  %4d  %-28s %-9s %-22s %9.4f %6.1f", i, kind,
                    p->native[i] == 1 ? p->backend : p->native[i] ? "fast" : "reference", shape,
                    (double)p->ns[i] / 1e6 / (double)p->runs, 100.0 * (double)p->ns[i] / (double)total);
            if (list_all) { /* where its inputs come from */
                fprintf(stderr, "  <-");
                for (int j = 0; j < g->ops[i].input_count; j++) {
                    const int t = g->ops[i].inputs[j];
                    if (t >= 0 && !g->tensors[t].data) {
                        shape_text(&g->tensors[t], shape, sizeof shape);
                        fprintf(stderr, " t%d%s", t, shape);
                    }
                }
                fprintf(stderr, " -> t%d", g->ops[i].outputs[0]);
            }
            fputc('\n', stderr);
        }
        fprintf(stderr, "  by type:");
        for (int t = 0; t < FT_OP_COUNT; t++)
            if (type_ops[t])
                fprintf(stderr, " %s %.1f %% (%d)", ft_op_name((ft_op_type)t),
                        100.0 * (double)type_ns[t] / (double)total, type_ops[t]);
        fprintf(stderr, "\n");
    }
    free(order);
    free(p->ns);
    free(p->span);
    free(p->native);
    free(p);
}
