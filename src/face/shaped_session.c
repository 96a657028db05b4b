/* Detector sessions shaped by the frame (see shaped_session.h). */
#include "face/shaped_session.h"

#include <stdio.h>
#include <string.h>

#include "nn/backend.h"
#include "nn/graph_cache.h"
#include "nn/onnx.h"

/* A graph whose input size is symbolic loads only with a shape for it,
 * by name: the names the YuNet and SCRFD exports give their input. */
static const char *const symbolic_names[] = {"input", "input.1", "images", "data"};

static void release(ft_shaped_session *s)
{
    ft_nn_session_free(s->session);
    ft_nn_graph_release(s->graph);
    s->session = NULL;
    s->graph = NULL;
    s->width = s->height = 0;
}

static ft_status open_shape(ft_shaped_session *s, int width, int height, char *err,
                            size_t err_size)
{
    release(s);
    const ft_nn_graph *g = NULL;
    ft_status st = ft_nn_graph_acquire(s->model, NULL, &g, err, err_size);
    if (st == FT_OK && g->input_count == 1 && g->tensors[g->inputs[0]].rank == 4) {
        s->fixed_width = (int)g->tensors[g->inputs[0]].shape[3];
        s->fixed_height = (int)g->tensors[g->inputs[0]].shape[2];
    }
    for (size_t i = 0; st != FT_OK && i < sizeof symbolic_names / sizeof *symbolic_names; i++) {
        const ft_onnx_input_shape shape = {symbolic_names[i], 4, {1, 3, height, width}};
        const ft_onnx_options onnx = {.inputs = &shape, .input_count = 1};
        if (ft_nn_graph_acquire(s->model, &onnx, &g, NULL, 0) == FT_OK)
            st = FT_OK;
    }
    if (st != FT_OK)
        return st;
    /* The shape is given to the model's own input name. */
    const ft_nn_tensor *in = g->input_count == 1 ? &g->tensors[g->inputs[0]] : NULL;
    char reason[512] = "";
    if (!in || in->rank != 4) {
        snprintf(reason, sizeof reason,
                 "not a detector of one image input (1 x 3 x height x width): %d inputs, the first "
                 "of rank %d",
                 g->input_count, g->input_count > 0 ? g->tensors[g->inputs[0]].rank : 0);
        st = FT_ERR_FORMAT;
    }
    /* The name outlives G, which is released before the shaped load. */
    char name[256] = "";
    ft_onnx_input_shape shape = {0};
    if (st == FT_OK) {
        snprintf(name, sizeof name, "%s", in->name ? in->name : "");
        shape = (ft_onnx_input_shape){name, 4, {1, 3, height, width}};
    }
    const ft_onnx_options onnx = {.inputs = &shape, .input_count = 1};
    const int same = st == FT_OK && in->shape[0] == 1 && in->shape[1] == 3 &&
                     in->shape[2] == height && in->shape[3] == width;
    if (st == FT_OK && !same) {
        ft_nn_graph_release(g);
        g = NULL;
        st = ft_nn_graph_acquire(s->model, &onnx, &g, reason, sizeof reason);
    }
    if (st == FT_OK) {
        const ft_nn_tensor *got = &g->tensors[g->inputs[0]];
        if (got->shape[2] != height || got->shape[3] != width) {
            snprintf(reason, sizeof reason, "input '%s' does not take a %dx%d image", name, width,
                     height);
            st = FT_ERR_FORMAT;
        }
    }
    if (st == FT_OK)
        st = s->check(s->context, g, reason, sizeof reason);
    if (st == FT_OK)
        st = ft_model_place_session(s->model, g, &s->place, &s->session, reason, sizeof reason);
    if (st != FT_OK) {
        ft_nn_graph_release(g);
        if (err && err_size)
            snprintf(err, err_size, "%s: %s", s->model, reason);
        return st;
    }
    s->graph = g;
    s->width = width;
    s->height = height;
    return FT_OK;
}

/* A model with a symbolic input shape fails to load without one: the
 * first load then already names the shape. */
ft_status ft_shaped_session_open(ft_shaped_session *s, const char *model, ft_shaped_check_fn check,
                                 void *context, const ft_model_place *place, int width,
                                 int height, char *err, size_t err_size)
{
    memset(s, 0, sizeof *s);
    snprintf(s->model, sizeof s->model, "%s", model);
    s->check = check;
    s->context = context;
    s->place = *place;
    return open_shape(s, width, height, err, err_size);
}

ft_status ft_shaped_session_reshape(ft_shaped_session *s, int width, int height, char *err,
                                    size_t err_size)
{
    if (s->session && s->width == width && s->height == height)
        return FT_OK;
    return open_shape(s, width, height, err, err_size);
}

void ft_shaped_session_close(ft_shaped_session *s)
{
    release(s);
}
