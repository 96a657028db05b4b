/* Small graphs built by hand in the IR for the runtime's tests, and the
 * random inputs they run on. Include once per test program. */
#ifndef FT_TEST_NN_CASE_H
#define FT_TEST_NN_CASE_H

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/graph.h"

#define MAX_TENSORS 32
#define MAX_OPS 16

static unsigned seed, first_seed;

/* Uniform in ±[lo, hi]: never zero, so no op is tested on trivial input. */
static inline float random_value(float lo, float hi)
{
    float u = (float)rand_r(&seed) / (float)RAND_MAX;
    float v = lo + (hi - lo) * u;
    return rand_r(&seed) & 1 ? v : -v;
}

static inline void fill_random(float *p, int64_t n, float lo, float hi)
{
    for (int64_t i = 0; i < n; i++)
        p[i] = random_value(lo, hi);
}

static inline void fill_positive(float *p, int64_t n, float lo, float hi)
{
    for (int64_t i = 0; i < n; i++)
        p[i] = fabsf(random_value(lo, hi));
}

/* ------------------------------------------------------------ graph making */

typedef struct case_graph {
    ft_nn_graph g;
    float lo[MAX_TENSORS], hi[MAX_TENSORS]; /* input magnitudes per tensor */
    int positive[MAX_TENSORS];               /* no negative inputs */
} case_graph;

static inline void graph_begin(case_graph *c)
{
    memset(c, 0, sizeof *c);
    c->g.tensors = calloc(MAX_TENSORS, sizeof *c->g.tensors);
    c->g.ops = calloc(MAX_OPS, sizeof *c->g.ops);
    assert_non_null(c->g.tensors);
    assert_non_null(c->g.ops);
}

static inline int tensor(case_graph *c, int rank, const int64_t *shape)
{
    assert_true(c->g.tensor_count < MAX_TENSORS);
    int t = c->g.tensor_count++;
    ft_nn_tensor *x = &c->g.tensors[t];
    char name[16];
    snprintf(name, sizeof name, "t%d", t);
    x->name = strdup(name);
    x->dtype = FT_DTYPE_F32;
    x->rank = rank;
    memcpy(x->shape, shape, sizeof(int64_t) * (size_t)rank);
    c->lo[t] = 0.05f;
    c->hi[t] = 1.0f;
    return t;
}

static inline int input(case_graph *c, int rank, const int64_t *shape)
{
    int t = tensor(c, rank, shape);
    c->g.inputs[c->g.input_count++] = t;
    return t;
}

static inline int constant(case_graph *c, int rank, const int64_t *shape)
{
    int t = tensor(c, rank, shape);
    ft_nn_tensor *x = &c->g.tensors[t];
    int64_t n = ft_nn_tensor_elements(x);
    x->data = malloc((size_t)n * sizeof(float));
    x->nbytes = (size_t)n * sizeof(float);
    assert_non_null(x->data);
    fill_random(x->data, n, 0.05f, 1.0f);
    return t;
}

/* Appends an op writing a new tensor of SHAPE. */
static inline ft_nn_op *op(case_graph *c, ft_op_type type, int rank, const int64_t *shape, int n_in, ...)
{
    assert_true(c->g.op_count < MAX_OPS);
    ft_nn_op *o = &c->g.ops[c->g.op_count++];
    o->type = type;
    va_list ap;
    va_start(ap, n_in);
    for (int i = 0; i < n_in; i++)
        o->inputs[i] = va_arg(ap, int);
    va_end(ap);
    o->input_count = n_in;
    o->outputs[0] = tensor(c, rank, shape);
    o->output_count = 1;
    return o;
}

static inline void graph_output(case_graph *c, int t)
{
    c->g.outputs[c->g.output_count++] = t;
}

#endif
