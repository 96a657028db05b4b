/* Reference kernels for the ops whose layout matters, in NCHW (ONNX)
 * layout with OIHW filters, and for batched MatMul. Same rules as
 * ref_kernels.h: exact, plain C, shapes checked before running. */
#ifndef FT_NN_REF_KERNELS_NCHW_H
#define FT_NN_REF_KERNELS_NCHW_H

#include "nn/ref_kernels.h"

/* Whether OP is one the NCHW kernels below own (by type and attrs.layout). */
int ft_ref_is_nchw_op(const ft_nn_op *op);
ft_status ft_ref_run_nchw(const ft_ref_call *call);
const char *ft_ref_check_nchw(const ft_nn_graph *graph, const ft_nn_op *op);

/* FT_OP_MATMUL: a [..., M, K] x b [..., K, N], batch dimensions broadcast,
 * a rank-1 operand promoted as numpy does. */
ft_status ft_ref_run_matmul(const ft_ref_call *call);
const char *ft_ref_check_matmul(const ft_nn_graph *graph, const ft_nn_op *op);

#endif
