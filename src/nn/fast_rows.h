/* Chains of convolutions computed a few rows at a time, so that the values
 * between their ops stay in the caches: each op of a chain makes its output
 * rows into a ring of as many rows as the next op's window needs, when the
 * next op asks for them, and only the last op writes its tensor. The thin
 * layers of YuNet and SCRFD at 320 x 320 and 160 x 160 (16 to 64 channels)
 * otherwise stream a 1.6 to 6.5 MB activation through memory at every op.
 *
 * The ops a chain takes, one after the other, each reading only what the one
 * before makes (which nothing else reads):
 * - first, optionally: the transpose of an NCHW picture of at most 4
 *   channels to NHWC and the convolution after it (up to 7x7, any stride),
 *   which reads the planes where they are;
 * - 1x1 convolutions (16 to 64 channels in and out, multiples of 16);
 * - 3x3 depthwise convolutions (16 to 64 channels, stride 1 or 2, one pixel
 *   of padding before);
 * - max pooling without padding (windows up to 3x3).
 * Every op may clamp (a fused ReLU or ReLU6). The convolutions add their
 * products in XNNPACK's order with fused multiply-adds (bias first, then
 * input channel by channel; depthwise column by column of the window), so
 * that in optimized builds a chain's values are those of XNNPACK's kernels
 * that it replaces. */
#ifndef FT_NN_FAST_ROWS_H
#define FT_NN_FAST_ROWS_H

#include <stddef.h>

#include "facetrack.h"
#include "nn/graph.h"

/* How many ops from op FIRST of GRAPH one chain runs: 0, or at least 2. */
int ft_fast_rows_ops(const ft_nn_graph *graph, int first);

/* The bytes of scratch memory that chain needs. */
size_t ft_fast_rows_scratch(const ft_nn_graph *graph, int first);

/* Runs the chain from op FIRST over BUFFERS (one per tensor; the values
 * inside the chain need none) with SCRATCH (64-byte aligned, at least
 * ft_fast_rows_scratch bytes). */
ft_status ft_fast_rows_run(const ft_nn_graph *graph, int first, void *const *buffers,
                           void *scratch);

#endif
