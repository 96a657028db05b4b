/* HardSwish fusion: the exporters' element-wise chains for x * relu6(x + 3)
 * / 6 become one op with the same values, in both orders of the product and
 * the division; a chain whose intermediate value is read elsewhere, or with
 * other constants, is left as it is. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nn_case.h"
#include "nn/backend.h"
#include "nn/graph_fuse.h"
#include "nn/session.h"

static const int64_t shape[4] = {1, 6, 5, 8};

static int scalar_constant(case_graph *c, float v)
{
    int t = constant(c, 1, (int64_t[]){1});
    *(float *)c->g.tensors[t].data = v;
    return t;
}

/* x * clip(x + 3, 0, 6) / 6 with the division first (DIVIDE_FIRST) or last,
 * and a division by 6 or a product with 1/6 (RECIPROCAL); THREE and SIX are
 * the chain's constants. LEAK: the clip's output is a graph output too. */
static void build(case_graph *c, int divide_first, int reciprocal, float three, float six, int leak)
{
    graph_begin(c);
    int x = input(c, 4, shape);
    c->lo[x] = -5.0f;
    c->hi[x] = 5.0f;
    int added = op(c, FT_OP_ADD, 4, shape, 2, x, scalar_constant(c, three))->outputs[0];
    ft_nn_op *clip = op(c, FT_OP_CLIP, 4, shape, 1, added);
    clip->attrs.min = 0.0f;
    clip->attrs.max = 6.0f;
    int clipped = clip->outputs[0];
    const ft_op_type div = reciprocal ? FT_OP_MUL : FT_OP_DIV;
    const float by = reciprocal ? 1.0f / six : six;
    int y;
    if (divide_first) {
        int d = op(c, div, 4, shape, 2, clipped, scalar_constant(c, by))->outputs[0];
        y = op(c, FT_OP_MUL, 4, shape, 2, d, x)->outputs[0];
    } else {
        int m = op(c, FT_OP_MUL, 4, shape, 2, x, clipped)->outputs[0];
        y = op(c, div, 4, shape, 2, m, scalar_constant(c, by))->outputs[0];
    }
    graph_output(c, y);
    if (leak)
        graph_output(c, clipped);
}

/* Runs C's graph on the reference with inputs in [-5, 5] into OUT. */
static void run(case_graph *c, float *out, int64_t n)
{
    ft_nn_session *s;
    char err[256];
    assert_int_equal(ft_nn_session_create(&c->g, &ft_nn_backend_reference, NULL, &s, err, sizeof err), FT_OK);
    float *in = ft_nn_session_input(s, 0);
    for (int64_t i = 0; i < n; i++)
        in[i] = -5.0f + 10.0f * (float)i / (float)(n - 1);
    assert_int_equal(ft_nn_session_run(s), FT_OK);
    memcpy(out, ft_nn_session_output(s, 0), sizeof(float) * (size_t)n);
    ft_nn_session_free(s);
}

static void test_chains_fuse_with_the_same_values(void **state)
{
    (void)state;
    enum { N = 1 * 6 * 5 * 8 };
    for (int variant = 0; variant < 4; variant++) {
        case_graph chain, fused;
        build(&chain, variant & 1, variant >> 1, 3.0f, 6.0f, 0);
        build(&fused, variant & 1, variant >> 1, 3.0f, 6.0f, 0);
        assert_int_equal(ft_nn_fuse_hard_swish(&fused.g), 1);
        assert_int_equal(fused.g.op_count, 1);
        assert_int_equal(fused.g.ops[0].type, FT_OP_HARD_SWISH);
        assert_int_equal(fused.g.ops[0].inputs[0], fused.g.inputs[0]);
        float want[N], got[N];
        run(&chain, want, N);
        run(&fused, got, N);
        for (int i = 0; i < N; i++)
            assert_true(fabsf(want[i] - got[i]) <= 1e-6f * fmaxf(1.0f, fabsf(want[i])));
        ft_nn_graph_free(&chain.g);
        ft_nn_graph_free(&fused.g);
    }
}

static void test_other_chains_stay(void **state)
{
    (void)state;
    case_graph c;
    build(&c, 1, 0, 3.0f, 6.0f, 1); /* the clip's value is read elsewhere */
    assert_int_equal(ft_nn_fuse_hard_swish(&c.g), 0);
    assert_int_equal(c.g.op_count, 4);
    ft_nn_graph_free(&c.g);
    build(&c, 1, 0, 2.0f, 6.0f, 0); /* x + 2: not a hard-swish */
    assert_int_equal(ft_nn_fuse_hard_swish(&c.g), 0);
    ft_nn_graph_free(&c.g);
    build(&c, 0, 0, 3.0f, 5.0f, 0); /* / 5 */
    assert_int_equal(ft_nn_fuse_hard_swish(&c.g), 0);
    ft_nn_graph_free(&c.g);
}

int main(void)
{
    seed = first_seed = 1; /* the builder's constants; the inputs are a ramp */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chains_fuse_with_the_same_values),
        cmocka_unit_test(test_other_chains_stay),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
