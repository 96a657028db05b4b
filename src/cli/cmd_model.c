/* facetrack model: what a model file holds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "facetrack.h"
#include "base/clock.h"
#include "base/json_writer.h"
#include "cli/cli.h"
#include "nn/backend.h"
#include "nn/graph_cache.h"
#include "nn/model.h"
#include "nn/session.h"

static const char usage[] =
    "usage: facetrack model info [--pretty] [--input NAME=SHAPE]... MODEL\n"
    "       facetrack model bench [--backend fast|reference|xnnpack|cuda] [--fp16] [--byte-input]\n"
    "                             [--threads N]\n"
    "                             [--runs N] [--batch N] [--batch-mode auto|whole|items]\n"
    "                             [--input NAME=SHAPE]... MODEL\n"
    "\n"
    "MODEL is a .tflite or .onnx file or a member of a MediaPipe bundle, named\n"
    "BUNDLE.task:MEMBER (e.g. face_landmarker.task:face_detector.tflite).\n"
    "\n"
    "--input gives an ONNX graph input a shape, e.g. --input input=1x3x320x320\n"
    "(needed where the model leaves a dimension other than the batch symbolic;\n"
    "a symbolic batch is 1).\n"
    "\n"
    "info prints one JSON object: the graph's inputs and outputs (name, type,\n"
    "shape), its operators with their counts (custom operators by name), the\n"
    "number of parameters and the floating-point operations of one run\n"
    "(a multiply-add counts 2). Float16 weights are reported as the float32\n"
    "they become at load.\n"
    "\n"
    "bench runs the model on random input: 20 warm-up runs, then --runs timed\n"
    "runs (default 300), and prints the median, 10th and 90th percentile\n"
    "latency in milliseconds with the backend used and how many ops it ran.\n"
    "With the fast backend it also times the kernel library's runtimes alone\n"
    "on the same graph (library_median_ms) and prints our overhead over them\n"
    "(fallback ops and bookkeeping; 0.10 = 10 %).\n"
    "--threads defaults to 1 (0 = one per CPU). --batch N runs N items at once\n"
    "(every input [1,...] becomes [N,...]) and adds per_item_median_ms; a model\n"
    "whose ops would mix items is refused, naming the op. --batch-mode whole runs\n"
    "the N items through each kernel together, items runs one batch-1 plan on\n"
    "each item in turn, auto (default) picks items when one item's activations\n"
    "outgrow a quarter of the L2 cache. --fp16 (a GPU backend) stores activations\n"
    "and weights as fp16 and computes in fp32. --byte-input fills the first\n"
    "input with bytes that the backend maps to 0..1 (x / 255), as the face\n"
    "engines send their crops to a GPU: a quarter of the copies.\n";

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

/* NAME=AxBx... into SHAPE; 0 when malformed. */
static int parse_input_shape(const char *arg, ft_onnx_input_shape *shape)
{
    const char *eq = arg ? strrchr(arg, '=') : NULL;
    if (!eq || eq == arg)
        return 0;
    memset(shape, 0, sizeof *shape);
    shape->name = arg; /* cut at '=' by the caller */
    const char *p = eq + 1;
    while (*p) {
        char *end;
        long long v = strtoll(p, &end, 10);
        if (end == p || v < 1 || v > (1 << 24) || shape->rank == FT_NN_MAX_RANK ||
            (*end && *end != 'x'))
            return 0;
        shape->shape[shape->rank++] = v;
        p = *end ? end + 1 : end;
        if (*end && !*p)
            return 0;
    }
    return shape->rank > 0;
}

static int model_info(const char *spec, const ft_onnx_options *onnx, int pretty)
{
    ft_nn_graph g;
    ft_nn_format format = FT_NN_FORMAT_TFLITE;
    char err[512];
    if (ft_nn_model_load_with(spec, onnx, &g, &format, err, sizeof err) != FT_OK) {
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
    ft_json_kv_string(&w, "format", ft_nn_format_name(format));
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

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Random input for every item of the current plan's float inputs. */
static void fill_random_inputs(const ft_nn_graph *g, ft_nn_session *s, int batch)
{
    srand(1);
    for (int i = 0; i < g->input_count; i++) {
        const ft_nn_tensor *t = &g->tensors[g->inputs[i]];
        if (ft_nn_session_input_is_codes(s, i)) {
            uint8_t *bytes = ft_nn_session_input(s, i);
            for (int64_t k = 0, n = ft_nn_tensor_elements(t) * batch; k < n; k++)
                bytes[k] = (uint8_t)(rand() % 256);
            continue;
        }
        if (t->dtype != FT_DTYPE_F32)
            continue;
        float *in = ft_nn_session_input(s, i);
        for (int64_t k = 0, n = ft_nn_tensor_elements(t) * batch; k < n; k++)
            in[k] = (float)rand() / RAND_MAX;
    }
}

static int model_bench(const char *spec, const ft_onnx_options *onnx,
                       const ft_nn_backend_def *backend, int threads, int runs, int batch,
                       ft_nn_batch_mode mode, int half, int byte_input)
{
    /* --byte-input: an image model's first input as 0..255 bytes for 0..1 */
    const ft_nn_input_codes codes[FT_NN_MAX_IO] = {{.on = 1, .scale = 1.0f / 255.0f}};
    const ft_nn_graph *g = NULL;
    ft_nn_session *s = NULL;
    pthreadpool_t pool = threads != 1 ? pthreadpool_create(threads > 0 ? (size_t)threads : 0)
                                      : NULL;
    const ft_nn_session_options opt = {.pool = pool, .batch_mode = mode, .half = half,
                                       .input_codes = byte_input ? codes : NULL};
    char err[512];
    size_t workspace = 0;
    if (ft_nn_graph_acquire(spec, onnx, &g, err, sizeof err) != FT_OK ||
        ft_nn_session_create(g, backend, &opt, &s, err, sizeof err) != FT_OK ||
        (ft_nn_session_reshape(s, batch, &workspace) != FT_OK &&
         snprintf(err, sizeof err, "%s", ft_nn_session_error(s)) >= 0)) {
        ft_log(FT_LOG_ERROR, "%s", err);
        ft_nn_session_free(s);
        ft_nn_graph_release(g);
        if (pool)
            pthreadpool_destroy(pool);
        return FT_EXIT_FAILED;
    }
    fill_random_inputs(g, s, batch);
    /* Where the backend runs a kernel library, each timed run is followed
     * by a run of the library's part alone, so that both see the same
     * machine state and their ratio is our overhead on this graph. */
    const int raw = backend->plan_run_library_only && ft_nn_session_native_ops(s) > 0;
    double *ms = malloc((size_t)runs * sizeof *ms), *lib_ms = malloc((size_t)runs * sizeof *ms);
    ft_status st = ms && lib_ms ? FT_OK : FT_ERR_NOMEM;
    for (int i = 0; i < 20 && st == FT_OK; i++)
        st = ft_nn_session_run(s);
    for (int i = 0; i < runs && st == FT_OK; i++) {
        double t0 = ft_now_ms();
        st = ft_nn_session_run(s);
        double t1 = ft_now_ms();
        if (raw && st == FT_OK)
            st = ft_nn_session_run_library_only(s);
        ms[i] = t1 - t0;
        lib_ms[i] = ft_now_ms() - t1;
    }
    int rc = FT_EXIT_OK;
    if (st != FT_OK) {
        ft_log(FT_LOG_ERROR, "%s", st == FT_ERR_NOMEM ? "out of memory" : ft_nn_session_error(s));
        rc = FT_EXIT_FAILED;
    } else {
        qsort(ms, (size_t)runs, sizeof *ms, compare_double);
        ft_json w;
        ft_json_init(&w, stdout, 0);
        ft_json_object_begin(&w);
        ft_json_kv_string(&w, "model", spec);
        ft_json_kv_string(&w, "backend", backend->name);
        ft_json_kv_string(&w, "storage", half ? "fp16" : "fp32");
        ft_json_kv_string(&w, "input", byte_input ? "bytes" : "as the model");
        ft_json_kv_int(&w, "threads", threads);
        ft_json_kv_int(&w, "runs", runs);
        ft_json_kv_int(&w, "batch", batch);
        ft_json_kv_string(&w, "batch_run", ft_nn_session_item_by_item(s) ? "item by item"
                                                                          : "whole batch");
        ft_json_key(&w, "median_ms");
        ft_json_double_digits(&w, ms[runs / 2], 4);
        ft_json_key(&w, "p10_ms");
        ft_json_double_digits(&w, ms[runs / 10], 4);
        ft_json_key(&w, "p90_ms");
        ft_json_double_digits(&w, ms[runs * 9 / 10], 4);
        ft_json_key(&w, "per_item_median_ms");
        ft_json_double_digits(&w, ms[runs / 2] / batch, 4);
        ft_json_kv_int(&w, "activation_bytes", (int64_t)workspace);
        ft_json_kv_int(&w, "ops", g->op_count);
        ft_json_kv_int(&w, "fast_ops", ft_nn_session_native_ops(s));
        if (raw) {
            qsort(lib_ms, (size_t)runs, sizeof *lib_ms, compare_double);
            ft_json_key(&w, "library_median_ms");
            ft_json_double_digits(&w, lib_ms[runs / 2], 4);
            ft_json_key(&w, "overhead");
            ft_json_double_digits(&w, ms[runs / 2] / lib_ms[runs / 2] - 1.0, 3);
        }
        ft_json_object_end(&w);
        if (ft_json_finish(&w) != FT_OK)
            rc = FT_EXIT_FAILED;
    }
    free(ms);
    free(lib_ms);
    ft_nn_session_free(s);
    ft_nn_graph_release(g);
    if (pool)
        pthreadpool_destroy(pool);
    return rc;
}

/* "fast, reference or xnnpack": the rows this build has. */
static const char *backend_choices(void)
{
    static char list[256];
    size_t len = (size_t)snprintf(list, sizeof list, "fast");
    const int n = ft_nn_backend_count();
    for (int i = 0; i < n && len < sizeof list; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i == n - 1 ? " or " : ", ",
                                ft_nn_backend_at(i)->name);
    return list;
}

static int run_model(int argc, char **argv)
{
    if (argc < 2)
        return ft_cli_usage_error("model", "missing subcommand (info, bench)");
    const int bench = strcmp(argv[1], "bench") == 0;
    if (!bench && strcmp(argv[1], "info") != 0)
        return ft_cli_usage_error("model", "unknown subcommand '%s'", argv[1]);
    int pretty = 0, half = 0, byte_input = 0;
    long long threads = 1, runs = 300, batch = 1;
    ft_nn_batch_mode mode = FT_NN_BATCH_AUTO;
    const ft_nn_backend_def *backend = ft_nn_backend_find("xnnpack");
    const char *spec = NULL;
    static ft_onnx_input_shape shapes[FT_NN_MAX_IO];
    static char names[FT_NN_MAX_IO][256];
    ft_onnx_options onnx = {.inputs = shapes};
    int only_paths = 0;
    for (int i = 2; i < argc; i++) {
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (!only_paths && strcmp(argv[i], "--") == 0) {
            only_paths = 1; /* what follows is the model, even "-x.onnx" */
        } else if (only_paths) {
            if (spec)
                return ft_cli_usage_error("model", "one model at a time");
            spec = argv[i];
        } else if (strcmp(argv[i], "--pretty") == 0 && !bench) {
            pretty = 1;
        } else if (strcmp(argv[i], "--input") == 0) {
            ft_onnx_input_shape *s = &shapes[onnx.input_count];
            if (onnx.input_count == FT_NN_MAX_IO || !parse_input_shape(value, s) ||
                (size_t)(strrchr(value, '=') - value) >= sizeof names[0])
                return ft_cli_usage_error("model", "--input needs NAME=DIMS, e.g. input=1x3x320x320");
            memcpy(names[onnx.input_count], value, (size_t)(strrchr(value, '=') - value));
            names[onnx.input_count][strrchr(value, '=') - value] = '\0';
            s->name = names[onnx.input_count++];
            i++;
        } else if (bench && strcmp(argv[i], "--threads") == 0) {
            if ((threads = ft_cli_parse_count(value)) < 0 || threads > 1024)
                return ft_cli_usage_error("model", "--threads needs a number from 0 to 1024");
            i++;
        } else if (bench && strcmp(argv[i], "--runs") == 0) {
            if ((runs = ft_cli_parse_count(value)) < 1 || runs > 1000000)
                return ft_cli_usage_error("model", "--runs needs a number from 1 to 1000000");
            i++;
        } else if (bench && strcmp(argv[i], "--batch") == 0) {
            if ((batch = ft_cli_parse_count(value)) < 1 || batch > 4096)
                return ft_cli_usage_error("model", "--batch needs a number from 1 to 4096");
            i++;
        } else if (bench && strcmp(argv[i], "--batch-mode") == 0) {
            if (value && strcmp(value, "auto") == 0)
                mode = FT_NN_BATCH_AUTO;
            else if (value && strcmp(value, "whole") == 0)
                mode = FT_NN_BATCH_WHOLE;
            else if (value && strcmp(value, "items") == 0)
                mode = FT_NN_BATCH_ITEMS;
            else
                return ft_cli_usage_error("model", "--batch-mode needs auto, whole or items");
            i++;
        } else if (bench && strcmp(argv[i], "--fp16") == 0) {
            half = 1;
        } else if (bench && strcmp(argv[i], "--byte-input") == 0) {
            byte_input = 1;
        } else if (bench && strcmp(argv[i], "--backend") == 0) {
            /* "fast": the fastest CPU row, as before the table had names */
            backend = ft_nn_backend_find(value && strcmp(value, "fast") == 0 ? "xnnpack" : value);
            if (!backend)
                return ft_cli_usage_error("model", "--backend needs %s", backend_choices());
            i++;
        } else if (argv[i][0] == '-' && argv[i][1])
            return ft_cli_usage_error("model", "unknown option '%s'", argv[i]);
        else if (!spec)
            spec = argv[i];
        else
            return ft_cli_usage_error("model", "one model at a time");
    }
    if (!spec)
        return ft_cli_usage_error("model", "no model given");
    if (half && !backend->memory_in_use)
        return ft_cli_usage_error("model", "--fp16 is for a GPU backend (--backend cuda)");
    return bench ? model_bench(spec, &onnx, backend, (int)threads, (int)runs, (int)batch, mode, half,
                               byte_input)
                 : model_info(spec, &onnx, pretty);
}

const ft_command ft_cmd_model = {"model", "what a model holds (ops, FLOPs) and how fast it runs",
                                 usage, run_model};
