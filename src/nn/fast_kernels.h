/* Our own kernels for ops that XNNPACK lacks or refuses (Debian's 2022
 * release has no transpose, and its bilinear weights are off ONNX's with
 * aligned corners), which the xnnpack row would otherwise run on the
 * reference kernels: the same arithmetic in the same order, so the same
 * values, but walked in the output's memory order and compiled for AVX2 and
 * AVX-512 as well as the baseline (chosen at load by the CPU).
 * - bilinear resize, NHWC: the source rows and columns and their weights
 *   are worked out once per output row and column, then each output pixel is
 *   one pass over its channels (OpenSeeFace's detector: 0.4 ms -> 0.1 ms);
 * - transpose of a rank-4 tensor from NCHW to NHWC (an ONNX model's input
 *   picture): the output written once, in order, each value gathered from its
 *   plane, where the reference kernel scatters plane by plane;
 * - 3x3 depthwise convolutions of 16 to 64 channels on large pictures;
 * - chains of thin convolutions computed a few rows at a time
 *   (nn/fast_rows.h). */
#ifndef FT_NN_FAST_KERNELS_H
#define FT_NN_FAST_KERNELS_H

#include "facetrack.h"
#include "nn/graph.h"

/* 1 when op OP of GRAPH has a kernel here (never with FACETRACK_NN_FAST=0,
 * for comparisons). */
int ft_fast_kernel_accepts(const ft_nn_graph *graph, const ft_nn_op *op);

/* 1 when that kernel is faster than XNNPACK's for OP: the xnnpack row runs
 * it even though XNNPACK could (depthwise convolutions of pictures of at
 * least 128 x 128). */
int ft_fast_kernel_preferred(const ft_nn_graph *graph, const ft_nn_op *op);

/* 0 when FACETRACK_NN_FAST=0 turns these kernels off. */
int ft_fast_kernels_on(void);

/* How many ops from op FIRST of GRAPH one kernel here runs together (the
 * values between them never leave it), 0 when none: the xnnpack row gives
 * them to that kernel even where XNNPACK could run them. */
int ft_fast_fused_count(const ft_nn_graph *graph, int first);

/* The bytes of scratch memory those ops need. */
size_t ft_fast_fused_scratch(const ft_nn_graph *graph, int first);

/* Ops FIRST.. of GRAPH over BUFFERS as one (ft_fast_fused_count > 0) with
 * SCRATCH (64-byte aligned, ft_fast_fused_scratch bytes); the values between
 * them need no buffer. */
ft_status ft_fast_fused_run(const ft_nn_graph *graph, int first, void *const *buffers,
                            void *scratch);

/* Op I of GRAPH over BUFFERS (one per tensor), which must be accepted. */
ft_status ft_fast_kernel_run(const ft_nn_graph *graph, int i, void *const *buffers);

#endif
