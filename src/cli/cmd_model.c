/* facetrack model: what a model file holds. */
#include <stdio.h>
#include <string.h>

#include "facetrack.h"
#include "base/json_writer.h"
#include "cli/cli.h"
#include "nn/model.h"

static const char usage[] =
    "usage: facetrack model info [--pretty] MODEL\n"
    "\n"
    "MODEL is a .tflite file or a member of a MediaPipe bundle, named\n"
    "BUNDLE.task:MEMBER (e.g. face_landmarker.task:face_detector.tflite).\n"
    "\n"
    "info prints one JSON object: the graph's inputs and outputs (name, type,\n"
    "shape), its operators with their counts (custom operators by name), the\n"
    "number of parameters and the floating-point operations of one run\n"
    "(a multiply-add counts 2). Float16 weights are reported as the float32\n"
    "they become at load.\n";

static void write_tensors(ft_json *w, const ft_nn_graph *g, const int *ids, int count)
{
    ft_json_array_begin(w);
    for (int i = 0; i < count; i++) {
        const ft_nn_tensor *t = &g->tensors[ids[i]];
        ft_json_object_begin(w);
        ft_json_kv_string(w, "name", t->name);
        ft_json_kv_string(w, "dtype", ft_dtype_name(t->dtype));
        ft_json_key(w, "shape");
        ft_json_array_begin(w);
        for (int d = 0; d < t->rank; d++)
            ft_json_int(w, t->shape[d]);
        ft_json_array_end(w);
        ft_json_object_end(w);
    }
    ft_json_array_end(w);
}

/* Operator counts, keyed by IR name or custom name, in order of appearance. */
static void write_op_counts(ft_json *w, const ft_nn_graph *g)
{
    ft_json_object_begin(w);
    for (int i = 0; i < g->op_count; i++) {
        const ft_nn_op *op = &g->ops[i];
        const char *name = op->type == FT_OP_CUSTOM ? op->attrs.custom_name : ft_op_name(op->type);
        int seen = 0, count = 0;
        for (int j = 0; j < g->op_count; j++) {
            const ft_nn_op *o = &g->ops[j];
            const char *n = o->type == FT_OP_CUSTOM ? o->attrs.custom_name : ft_op_name(o->type);
            if (strcmp(n, name) == 0) {
                seen |= j < i;
                count++;
            }
        }
        if (!seen)
            ft_json_kv_int(w, name, count);
    }
    ft_json_object_end(w);
}

static int model_info(const char *spec, int pretty)
{
    ft_nn_graph g;
    char err[512];
    if (ft_nn_model_load(spec, &g, err, sizeof err) != FT_OK) {
        ft_log(FT_LOG_ERROR, "%s", err);
        return FT_EXIT_FAILED;
    }
    int64_t flops = 0;
    for (int i = 0; i < g.op_count; i++) {
        int64_t f = ft_nn_op_flops(&g, &g.ops[i]);
        flops = (f < 0 || flops < 0) ? -1 : flops + f;
    }
    ft_json w;
    ft_json_init(&w, stdout, pretty);
    ft_json_object_begin(&w);
    ft_json_kv_string(&w, "model", spec);
    ft_json_kv_string(&w, "format", "tflite");
    ft_json_kv_string(&w, "name", g.name);
    ft_json_key(&w, "inputs");
    write_tensors(&w, &g, g.inputs, g.input_count);
    ft_json_key(&w, "outputs");
    write_tensors(&w, &g, g.outputs, g.output_count);
    ft_json_kv_int(&w, "op_count", g.op_count);
    ft_json_key(&w, "ops");
    write_op_counts(&w, &g);
    ft_json_kv_int(&w, "parameters", ft_nn_graph_parameters(&g));
    ft_json_key(&w, "flops");
    if (flops >= 0)
        ft_json_int(&w, flops);
    else
        ft_json_null(&w);
    ft_json_object_end(&w);
    ft_status st = ft_json_finish(&w);
    ft_nn_graph_free(&g);
    return st == FT_OK ? FT_EXIT_OK : FT_EXIT_FAILED;
}

static int run_model(int argc, char **argv)
{
    if (argc < 2)
        return ft_cli_usage_error("model", "missing subcommand (info)");
    if (strcmp(argv[1], "info") != 0)
        return ft_cli_usage_error("model", "unknown subcommand '%s'", argv[1]);
    int pretty = 0;
    const char *spec = NULL;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--pretty") == 0)
            pretty = 1;
        else if (argv[i][0] == '-' && argv[i][1])
            return ft_cli_usage_error("model", "unknown option '%s'", argv[i]);
        else if (!spec)
            spec = argv[i];
        else
            return ft_cli_usage_error("model", "one model at a time");
    }
    if (!spec)
        return ft_cli_usage_error("model", "no model given");
    return model_info(spec, pretty);
}

const ft_command ft_cmd_model = {"model", "what a model file holds (inputs, outputs, ops, FLOPs)",
                                 usage, run_model};
