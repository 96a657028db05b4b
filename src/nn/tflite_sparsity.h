/* TFLite's Tensor.sparsity table into the densifier's description. */
#ifndef FT_NN_TFLITE_SPARSITY_H
#define FT_NN_TFLITE_SPARSITY_H

#include "nn/densify.h"
#include "nn/flatbuffer.h"

/* Reads the SparsityParameters table at SPARSITY for a tensor of RANK dims;
 * the index vectors point into the flatbuffer. NULL, or what is malformed. */
const char *ft_tflite_read_sparsity(ft_fb *fb, size_t sparsity, int rank, ft_sparsity *sp);

#endif
