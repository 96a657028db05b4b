/* libFuzzer target: any model.json text and weight shard given to the
 * TF.js loader end in a graph or a one-line error, never a crash, a leak or
 * undefined behaviour. The input is the model.json, a NUL byte, then the
 * bytes of the one shard every manifest path reads. A graph that loads
 * passed the reference backend's shape checks inside the loader. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nn/tfjs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct shard {
    const uint8_t *data;
    size_t size;
} shard;

static ft_status read_shard(void *ctx, const char *path, ft_model_bytes *out, char *err,
                            size_t err_size)
{
    (void)path;
    (void)err;
    (void)err_size;
    const shard *s = ctx;
    out->data = malloc(s->size ? s->size : 1);
    if (!out->data)
        return FT_ERR_NOMEM;
    if (s->size)
        memcpy(out->data, s->data, s->size);
    out->size = s->size;
    return FT_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t json_size = nul ? (size_t)(nul - data) : size;
    shard s = {nul ? nul + 1 : data + size, nul ? size - json_size - 1 : 0};
    ft_nn_graph graph;
    char err[512];
    err[0] = '\0';
    if (ft_tfjs_load(data, json_size, "fuzz.json", read_shard, &s, NULL, &graph, err,
                     sizeof err) == FT_OK)
        ft_nn_graph_free(&graph);
    else if (strchr(err, '\n') || err[0] == '\0')
        __builtin_trap(); /* an error is one line */
    return 0;
}
