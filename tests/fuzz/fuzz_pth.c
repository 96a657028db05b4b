/* libFuzzer target: any bytes given to the .pth reader end in a state dict
 * or a one-line error, never a crash, a leak or undefined behaviour. Input
 * that starts like a zip ("PK") is read as a whole file; anything else is
 * taken as data.pkl and put in a zip beside four storages, so mutations of
 * the pickle reach its machine instead of failing libzip's checksums. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "nn/pth_file.h"
#include "pth_builder.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void load(const uint8_t *data, size_t size)
{
    ft_pth_state state;
    char err[512];
    if (ft_pth_load_bytes(data, size, "fuzz.pth", &state, err, sizeof err) == FT_OK) {
        volatile uint8_t sum = 0;
        for (int i = 0; i < state.count; i++) {
            const ft_nn_tensor *t = &state.tensors[i];
            int64_t n = ft_nn_tensor_elements(t);
            if (n < 0 || (size_t)n * ft_dtype_size(t->dtype) != t->nbytes || !t->name)
                __builtin_trap(); /* the shape and the bytes agree */
            for (size_t b = 0; b < t->nbytes; b++) /* every byte is there */
                sum ^= ((const uint8_t *)t->data)[b];
        }
        ft_pth_free(&state);
    } else if (strchr(err, '\n') || err[0] == '\0' || state.count || state.tensors) {
        __builtin_trap(); /* an error is one line and leaves nothing */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size >= 2 && data[0] == 'P' && data[1] == 'K') {
        load(data, size);
        return 0;
    }
    static const uint8_t bytes[64] = {0, 0, 128, 63, 0, 0, 0, 192, 0, 60, 0, 188, 1, 2, 3, 4};
    const char *keys[] = {"0", "1", "2", "3", NULL};
    const void *storages[] = {bytes, bytes, bytes, bytes};
    const size_t sizes[] = {64, 24, 8, 3};
    pth_buf pkl = {0};
    pth_put(&pkl, data, size);
    size_t zip_size = 0;
    uint8_t *zip = pth_file("f", &pkl, keys, storages, sizes, &zip_size);
    if (zip)
        load(zip, zip_size);
    free(zip);
    free(pkl.data);
    return 0;
}
