/* Reading a PyTorch state dict (.pth as torch.save writes it: a zip of
 * data.pkl, a pickle, and one raw member per storage) without running any
 * of its code: the pickle is interpreted by a small machine that knows only
 * the opcodes and the few globals such a file uses, and refuses the rest.
 *
 * Float16, bfloat16 and float64 storages become float32 at load, so the
 * tensors hold float32, int64, int32, uint8, int8 or bool. Each tensor gets
 * its own contiguous row-major copy, whatever its storage offset and strides
 * in the file (tensors sharing a storage are copied apart). */
#ifndef FT_NN_PTH_FILE_H
#define FT_NN_PTH_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "nn/graph.h"

typedef struct ft_pth_state {
    /* in file order; name, dtype, rank, shape, data (contiguous, row-major), nbytes */
    ft_nn_tensor *tensors;
    int count;
} ft_pth_state;

/* One line in ERR naming PATH and the reason on failure. */
ft_status ft_pth_load(const char *path, ft_pth_state *out, char *err, size_t err_size);
/* The same from a whole file already in memory; NAME is used in messages. */
ft_status ft_pth_load_bytes(const uint8_t *data, size_t size, const char *name, ft_pth_state *out,
                            char *err, size_t err_size);
/* The tensor called NAME, or NULL. */
const ft_nn_tensor *ft_pth_find(const ft_pth_state *state, const char *name);
void ft_pth_free(ft_pth_state *state);

#endif
