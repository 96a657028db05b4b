/* Convolutions that read one input through the same window, each with few
 * outputs, run as one XNNPACK convolution over their outputs side by side,
 * then split: XNNPACK computes 16 outputs of a pixel at a time (8 without
 * AVX-512), so SCRFD's heads (3x3 convolutions from 64 channels to 2, 8 and
 * 20) cost 1 + 1 + 2 passes over the input apart and 2 together. Each
 * output channel is the same sum in the same order either way. */
#ifndef FT_NN_XNN_SIBLINGS_H
#define FT_NN_XNN_SIBLINGS_H

#include <pthreadpool.h>

#include "facetrack.h"
#include "nn/graph.h"

typedef struct ft_xnn_siblings ft_xnn_siblings;

/* How many consecutive ops from FIRST of GRAPH are such convolutions and
 * pass over their input fewer times together: 0, or at least 2. */
int ft_xnn_siblings_count(const ft_nn_graph *graph, int first);

/* Ops [FIRST, LAST) as one convolution on POOL (NULL: the caller's thread). */
ft_status ft_xnn_siblings_create(const ft_nn_graph *graph, int first, int last, pthreadpool_t pool,
                                 ft_xnn_siblings **out, char *err, size_t err_size);

/* Runs them over BUFFERS (one per graph tensor). */
ft_status ft_xnn_siblings_run(ft_xnn_siblings *siblings, void *const *buffers);

void ft_xnn_siblings_free(ft_xnn_siblings *siblings);

#endif
