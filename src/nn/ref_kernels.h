/* Reference kernels: straightforward C with the exact semantics of the
 * source formats. They are the oracle the fast backends are tested against,
 * so clarity wins over speed here. Shapes were checked by the runner. */
#ifndef FT_NN_REF_KERNELS_H
#define FT_NN_REF_KERNELS_H

#include "nn/graph.h"

/* What a kernel sees: the op, its tensors and their buffers. */
typedef struct ft_ref_call {
    const ft_nn_op *op;
    const ft_nn_tensor *in[FT_NN_MAX_IO];
    const void *in_data[FT_NN_MAX_IO];
    const ft_nn_tensor *out[FT_NN_MAX_IO];
    void *out_data[FT_NN_MAX_IO];
} ft_ref_call;

/* Runs one op; FT_ERR_UNSUPPORTED for an op or variant it does not know. */
ft_status ft_ref_run_op(const ft_ref_call *call);

/* Checks what the kernel of OP relies on about its tensors' shapes; returns
 * a reason, or NULL when they fit. */
const char *ft_ref_check_op(const ft_nn_graph *graph, const ft_nn_op *op);

#endif
