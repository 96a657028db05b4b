/* The TFLite model loader. */
#ifndef FT_NN_TFLITE_H
#define FT_NN_TFLITE_H

#include "nn/graph.h"

/* Builds GRAPH from the TFLite flatbuffer DATA (SIZE bytes; the caller keeps
 * it, the graph copies what it needs). NAME names the model in errors: one
 * line in ERR on failure. */
ft_status ft_tflite_load(const uint8_t *data, size_t size, const char *name, ft_nn_graph *graph,
                         char *err, size_t err_size);

#endif
