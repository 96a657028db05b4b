/* Batched MatMul with numpy semantics: the last two axes multiply, the
 * leading ones broadcast; a rank-1 a is a row [1, K], a rank-1 b a column
 * [K, 1] (the added axis does not appear in the output). */
#include "nn/ref_kernels_nchw.h"

typedef struct mm_shape {
    int64_t M, K, N;
    int batch_rank;
    int64_t batch[FT_NN_MAX_RANK];      /* output batch dims */
    int64_t a_stride[FT_NN_MAX_RANK];   /* per batch dim, 0 where broadcast */
    int64_t b_stride[FT_NN_MAX_RANK];
} mm_shape;

/* Fills S from a, b; returns a reason when they do not fit Y. */
static const char *plan(const ft_nn_tensor *a, const ft_nn_tensor *b, const ft_nn_tensor *y, mm_shape *s)
{
    if (a->rank < 1 || b->rank < 1)
        return "scalar operand";
    s->M = a->rank > 1 ? a->shape[a->rank - 2] : 1;
    s->K = a->shape[a->rank - 1];
    s->N = b->rank > 1 ? b->shape[b->rank - 1] : 1;
    if ((b->rank > 1 ? b->shape[b->rank - 2] : b->shape[0]) != s->K)
        return "inner dimensions differ";
    const int ba = a->rank > 2 ? a->rank - 2 : 0, bb = b->rank > 2 ? b->rank - 2 : 0;
    s->batch_rank = ba > bb ? ba : bb;
    int64_t sa = s->M * s->K, sb = s->K * s->N;
    for (int i = 1; i <= s->batch_rank; i++) {
        const int d = s->batch_rank - i;
        const int64_t da = i <= ba ? a->shape[ba - i] : 1, db = i <= bb ? b->shape[bb - i] : 1;
        if (da != db && da != 1 && db != 1)
            return "batch dimensions do not broadcast";
        s->batch[d] = da == 1 ? db : da;
        s->a_stride[d] = da == 1 ? 0 : sa;
        s->b_stride[d] = db == 1 ? 0 : sb;
        sa *= da;
        sb *= db;
    }
    int64_t n = s->M * s->N;
    for (int d = 0; d < s->batch_rank; d++)
        n *= s->batch[d];
    return n == ft_nn_tensor_elements(y) ? NULL : "output size differs";
}

const char *ft_ref_check_matmul(const ft_nn_graph *g, const ft_nn_op *op)
{
    if (op->input_count < 2 || op->inputs[1] < 0)
        return "needs two inputs";
    const ft_nn_tensor *b = &g->tensors[op->inputs[1]];
    if (b->dtype != FT_DTYPE_F32 || ft_nn_tensor_elements(b) < 0)
        return "needs two float32 inputs";
    mm_shape s;
    return plan(&g->tensors[op->inputs[0]], b, &g->tensors[op->outputs[0]], &s);
}

ft_status ft_ref_run_matmul(const ft_ref_call *c)
{
    mm_shape s;
    if (plan(c->in[0], c->in[1], c->out[0], &s))
        return FT_ERR_INVALID_ARG;
    const float *A = c->in_data[0], *B = c->in_data[1];
    float *Y = c->out_data[0];
    int64_t idx[FT_NN_MAX_RANK] = {0}, batches = 1;
    for (int d = 0; d < s.batch_rank; d++)
        batches *= s.batch[d];
    for (int64_t bi = 0; bi < batches; bi++) {
        int64_t oa = 0, ob = 0;
        for (int d = 0; d < s.batch_rank; d++) {
            oa += idx[d] * s.a_stride[d];
            ob += idx[d] * s.b_stride[d];
        }
        float *yb = Y + bi * s.M * s.N;
        for (int64_t m = 0; m < s.M; m++)
            for (int64_t n = 0; n < s.N; n++) {
                float acc = 0.0f;
                for (int64_t k = 0; k < s.K; k++)
                    acc += A[oa + m * s.K + k] * B[ob + k * s.N + n];
                yb[m * s.N + n] = acc;
            }
        for (int d = s.batch_rank - 1; d >= 0; d--) {
            if (++idx[d] < s.batch[d])
                break;
            idx[d] = 0;
        }
    }
    return FT_OK;
}
