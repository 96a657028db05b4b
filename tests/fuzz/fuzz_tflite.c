/* libFuzzer target: any bytes given to the TFLite loader end in a graph or
 * a one-line error, never a crash, a leak or undefined behaviour. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "nn/tflite.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ft_nn_graph graph;
    char err[512];
    if (ft_tflite_load(data, size, "fuzz.tflite", &graph, err, sizeof err) == FT_OK)
        ft_nn_graph_free(&graph);
    else if (strchr(err, '\n') || err[0] == '\0')
        __builtin_trap(); /* an error is one line */
    return 0;
}
