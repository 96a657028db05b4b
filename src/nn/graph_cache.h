/* Graphs shared once per process: every session of one model reads the
 * same immutable graph (weights, names, shapes), however many face
 * modules, engines or threads load it. */
#ifndef FT_NN_GRAPH_CACHE_H
#define FT_NN_GRAPH_CACHE_H

#include <stddef.h>

#include "nn/graph.h"
#include "nn/onnx.h"

/* The graph of SPEC (a file or "bundle.task:member"; ONNX input shapes in
 * ONNX, may be NULL), loaded and checked on first use and counted; one
 * line in ERR on failure. Give it back with ft_nn_graph_release. */
ft_status ft_nn_graph_acquire(const char *spec, const ft_onnx_options *onnx,
                              const ft_nn_graph **out, char *err, size_t err_size);
void ft_nn_graph_release(const ft_nn_graph *graph);

/* Graphs held now (tests). */
int ft_nn_graph_cache_size(void);

#endif
