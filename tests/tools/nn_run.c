/* nn_run MODEL BACKEND OUTDIR [NAME=FILE]...: runs MODEL once on one backend
 * row with each input read from a raw file (little-endian values of the
 * input's type and shape; a symbolic batch is 1) and writes output k to
 * OUTDIR/output<k>.bin as float32. Inputs not named are zeros. For
 * comparisons with other runtimes on the same inputs
 * (tests/integration/onnx_vs_ort.sh). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/backend.h"
#include "nn/graph.h"
#include "nn/model.h"
#include "nn/session.h"

static int read_input(ft_nn_session *s, const ft_nn_graph *g, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq) {
        fprintf(stderr, "nn_run: '%s' is not NAME=FILE\n", arg);
        return -1;
    }
    for (int i = 0; i < g->input_count; i++) {
        const ft_nn_tensor *t = &g->tensors[g->inputs[i]];
        if (!t->name || strlen(t->name) != (size_t)(eq - arg) || strncmp(t->name, arg, (size_t)(eq - arg)) != 0)
            continue;
        const size_t bytes = (size_t)ft_nn_tensor_elements(t) * ft_dtype_size(t->dtype);
        FILE *f = fopen(eq + 1, "rb");
        const size_t got = f ? fread(ft_nn_session_input(s, i), 1, bytes, f) : 0;
        if (f)
            fclose(f);
        if (got != bytes) {
            fprintf(stderr, "nn_run: %s: %zu of %zu bytes for input %s\n", eq + 1, got, bytes, t->name);
            return -1;
        }
        return 0;
    }
    fprintf(stderr, "nn_run: the model has no input '%.*s'\n", (int)(eq - arg), arg);
    return -1;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: nn_run MODEL BACKEND OUTDIR [NAME=FILE]...\n");
        return 2;
    }
    const ft_nn_backend_def *row = ft_nn_backend_find(argv[2]);
    char err[512];
    if (!row || row->init(err, sizeof err) != FT_OK) {
        fprintf(stderr, "nn_run: backend '%s' not usable here\n", argv[2]);
        return 2;
    }
    ft_nn_graph g;
    if (ft_nn_model_load(argv[1], &g, err, sizeof err) != FT_OK) {
        fprintf(stderr, "nn_run: %s\n", err);
        return 1;
    }
    ft_nn_session *s = NULL;
    int rc = 0;
    if (ft_nn_session_create(&g, row, NULL, &s, err, sizeof err) != FT_OK) {
        fprintf(stderr, "nn_run: %s\n", err);
        rc = 1;
    }
    for (int i = 0; rc == 0 && i < g.input_count; i++) {
        const ft_nn_tensor *t = &g.tensors[g.inputs[i]];
        memset(ft_nn_session_input(s, i), 0, (size_t)ft_nn_tensor_elements(t) * ft_dtype_size(t->dtype));
    }
    for (int a = 4; rc == 0 && a < argc; a++)
        rc = read_input(s, &g, argv[a]) == 0 ? 0 : 1;
    if (rc == 0 && ft_nn_session_run(s) != FT_OK) {
        fprintf(stderr, "nn_run: %s\n", ft_nn_session_error(s));
        rc = 1;
    }
    for (int o = 0; rc == 0 && o < g.output_count; o++) {
        int64_t shape[FT_NN_MAX_RANK], n = 1;
        const int rank = ft_nn_session_output_shape(s, o, shape);
        for (int d = 0; d < rank; d++)
            n *= shape[d];
        /* Integer outputs (a model's cast landmarks) as float, like the peer's. */
        float *values = malloc(sizeof *values * (size_t)(n + 1));
        const void *raw = ft_nn_session_output(s, o);
        const ft_dtype type = g.tensors[g.outputs[o]].dtype;
        for (int64_t k = 0; values && k < n; k++)
            values[k] = type == FT_DTYPE_I32   ? (float)((const int32_t *)raw)[k]
                        : type == FT_DTYPE_I64 ? (float)((const int64_t *)raw)[k]
                        : type == FT_DTYPE_U8  ? (float)((const uint8_t *)raw)[k]
                                               : ((const float *)raw)[k];
        char path[4096];
        snprintf(path, sizeof path, "%s/output%d.bin", argv[3], o);
        FILE *f = values ? fopen(path, "wb") : NULL;
        const size_t written = f ? fwrite(values, sizeof(float), (size_t)n, f) : 0;
        free(values);
        if (written != (size_t)n) {
            fprintf(stderr, "nn_run: cannot write %s\n", path);
            rc = 1;
        }
        if (f)
            fclose(f);
    }
    ft_nn_session_free(s);
    ft_nn_graph_free(&g);
    return rc;
}
