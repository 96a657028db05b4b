/* TransNetV2, the original STEP3 shot detector, as a graph of our NN
 * runtime, built from its PyTorch weights (transnetv2-pytorch-weights.pth).
 *
 * The graph runs one window of FT_TRANSNET_WINDOW frames:
 *   input 0  frames     [T, 27, 48, 3] float, RGB / 255
 *   input 1  histograms [T, 512] float, L2-normalised (ft_transnet_histogram)
 *   output 0 logits     [T, 1] of the single-frame head: frame t is the
 *            last frame of a shot (probability = sigmoid)
 * Sizes (filters F, cells per block, blocks, dense width D) are read from
 * the weights' shapes, so smaller test networks load the same way. Each
 * BatchNorm is folded into the temporal convolution before it. */
#ifndef FT_SCENES_TRANSNET_MODEL_H
#define FT_SCENES_TRANSNET_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "facetrack.h"
#include "nn/graph.h"

#define FT_TRANSNET_WIDTH 48
#define FT_TRANSNET_HEIGHT 27
#define FT_TRANSNET_WINDOW 100
#define FT_TRANSNET_BINS 512

/* The default weights' file name, looked up on the model search path. */
#define FT_TRANSNET_WEIGHTS_FILE "transnetv2-pytorch-weights.pth"

/* Loads PATH (a state dict) into GRAPH; one line in ERR naming PATH and
 * the reason (a missing or misshaped weight, a file that is no state dict). */
ft_status ft_transnet_load(const char *path, ft_nn_graph *graph, char *err, size_t err_size);

/* The same from weights already read; NAME is used in messages. */
struct ft_pth_state;
ft_status ft_transnet_build(const struct ft_pth_state *weights, const char *name, ft_nn_graph *graph,
                            char *err, size_t err_size);

/* The network's colour histogram of one 48x27 RGB frame: 512 bins of the
 * top 3 bits of R, G and B, L2-normalised. */
void ft_transnet_histogram(const uint8_t *rgb, float hist[FT_TRANSNET_BINS]);

#endif
