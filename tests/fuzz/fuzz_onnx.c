/* libFuzzer target: any bytes given to the ONNX loader end in a graph or a
 * one-line error, never a crash, a leak or undefined behaviour. A graph that
 * loads must also pass the reference backend's shape checks or be refused
 * by them cleanly. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "nn/onnx.h"
#include "nn/ref_kernels.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ft_nn_graph graph;
    char err[512];
    if (ft_onnx_load(data, size, "fuzz.onnx", &graph, err, sizeof err) == FT_OK) {
        for (int i = 0; i < graph.op_count; i++)
            (void)ft_ref_check_op(&graph, &graph.ops[i]);
        ft_nn_graph_free(&graph);
    } else if (strchr(err, '\n') || err[0] == '\0') {
        __builtin_trap(); /* an error is one line */
    }
    return 0;
}
