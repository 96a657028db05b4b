/* TransNetV2 test weights made by formula, the same as
 * tests/fixtures/transnetv2/make_reference.py's synthetic_weights(), so
 * that PyTorch's reference logits can be checked without storing weights:
 * as an in-memory state dict, or as a .pth laid out as torch.save does. */
#ifndef FT_TEST_TRANSNET_WEIGHTS_H
#define FT_TEST_TRANSNET_WEIGHTS_H

#include <stddef.h>
#include <stdint.h>

#include "nn/pth_file.h"

/* The state dict of a network of F filters and dense width D, in
 * PyTorch's order (90 tensors). FT_OK or FT_ERR_NOMEM. */
ft_status transnet_weights_state(int F, int D, ft_pth_state *out);

/* The same as the bytes of a .pth file (malloc'd), or NULL. */
uint8_t *transnet_weights_pth(int F, int D, size_t *size);

/* Writes that file to PATH; 0 on success. */
int transnet_weights_write(int F, int D, const char *path);

#endif
