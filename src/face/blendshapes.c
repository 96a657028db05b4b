/* Blendshape scores (spec §4): landmark subset -> pixels -> model. The model
 * normalises translation and scale itself, so nothing else is done here;
 * its output goes out as it is (no sort, no threshold). */
#include "base/format_error.h"
#include "face/blendshapes.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "face/model_session.h"

/* face_blendshapes_graph.cc's kLandmarksSubsetIdxs, in the model's order. */
static const uint16_t subset[FT_FACE_BLENDSHAPE_POINTS] = {
    0,   1,   4,   5,   6,   7,   8,   10,  13,  14,  17,  21,  33,  37,  39,  40,  46,  52,
    53,  54,  55,  58,  61,  63,  65,  66,  67,  70,  78,  80,  81,  82,  84,  87,  88,  91,
    93,  95,  103, 105, 107, 109, 127, 132, 133, 136, 144, 145, 146, 148, 149, 150, 152, 153,
    154, 155, 157, 158, 159, 160, 161, 162, 163, 168, 172, 173, 176, 178, 181, 185, 191, 195,
    197, 234, 246, 249, 251, 263, 267, 269, 270, 276, 282, 283, 284, 285, 288, 291, 293, 295,
    296, 297, 300, 308, 310, 311, 312, 314, 317, 318, 321, 323, 324, 332, 334, 336, 338, 356,
    361, 362, 365, 373, 374, 375, 377, 378, 379, 380, 381, 382, 384, 385, 386, 387, 388, 389,
    390, 397, 398, 400, 402, 405, 409, 415, 454, 466, 468, 469, 470, 471, 472, 473, 474, 475,
    476, 477,
};

static const char *const names[FT_FACE_BLENDSHAPES] = {
    "_neutral",         "browDownLeft",        "browDownRight",     "browInnerUp",
    "browOuterUpLeft",  "browOuterUpRight",    "cheekPuff",         "cheekSquintLeft",
    "cheekSquintRight", "eyeBlinkLeft",        "eyeBlinkRight",     "eyeLookDownLeft",
    "eyeLookDownRight", "eyeLookInLeft",       "eyeLookInRight",    "eyeLookOutLeft",
    "eyeLookOutRight",  "eyeLookUpLeft",       "eyeLookUpRight",    "eyeSquintLeft",
    "eyeSquintRight",   "eyeWideLeft",         "eyeWideRight",      "jawForward",
    "jawLeft",          "jawOpen",             "jawRight",          "mouthClose",
    "mouthDimpleLeft",  "mouthDimpleRight",    "mouthFrownLeft",    "mouthFrownRight",
    "mouthFunnel",      "mouthLeft",           "mouthLowerDownLeft", "mouthLowerDownRight",
    "mouthPressLeft",   "mouthPressRight",     "mouthPucker",       "mouthRight",
    "mouthRollLower",   "mouthRollUpper",      "mouthShrugLower",   "mouthShrugUpper",
    "mouthSmileLeft",   "mouthSmileRight",     "mouthStretchLeft",  "mouthStretchRight",
    "mouthUpperUpLeft", "mouthUpperUpRight",   "noseSneerLeft",     "noseSneerRight",
};

/* The highest landmark index the subset reads, plus one. */
#define MESH_POINTS 478

struct ft_face_blendshaper {
    char model[512];
    ft_model_session model_session;
    ft_nn_session *session;
    char error[640];
};

const char *ft_face_blendshape_name(int index)
{
    return index >= 0 && index < FT_FACE_BLENDSHAPES ? names[index] : NULL;
}

/* Input [1, 146, 2] float (pixel x, y); output 0 holds the 52 scores. */
static ft_status check_model(void *context, const ft_nn_graph *g, char *reason, size_t n)
{
    (void)context;
    if (g->input_count != 1 || g->output_count < 1) {
        snprintf(reason, n, "expected 1 input and 1 output (blendshapes), the model has %d and %d",
                 g->input_count, g->output_count);
        return FT_ERR_FORMAT;
    }
    const ft_nn_tensor *in = &g->tensors[g->inputs[0]];
    if (in->dtype != FT_DTYPE_F32 || in->rank != 3 || in->shape[0] != 1 ||
        in->shape[1] != FT_FACE_BLENDSHAPE_POINTS || in->shape[2] != 2) {
        snprintf(reason, n, "input is not [1,146,2] float32 landmarks (not a blendshapes model)");
        return FT_ERR_FORMAT;
    }
    const ft_nn_tensor *o = &g->tensors[g->outputs[0]];
    if (o->dtype != FT_DTYPE_F32 || ft_nn_tensor_elements(o) != FT_FACE_BLENDSHAPES) {
        snprintf(reason, n, "output is not 52 float32 blendshape scores");
        return FT_ERR_FORMAT;
    }
    return FT_OK;
}

static ft_status blendshaper_open(const char *model_spec, const ft_model_place *place,
                                  ft_face_blendshaper **out, char *err, size_t err_size)
{
    if (!out)
        return FT_ERR_INVALID_ARG;
    *out = NULL;
    if (!model_spec)
        return ft_format_error(err, err_size, FT_ERR_INVALID_ARG, "%s: %s", "(null)", "no model given");
    ft_face_blendshaper *b = calloc(1, sizeof *b);
    if (!b)
        return ft_format_error(err, err_size, FT_ERR_NOMEM, "%s: %s", model_spec, "out of memory");
    snprintf(b->model, sizeof b->model, "%s", model_spec);
    ft_status st = ft_model_session_open_on(&b->model_session, model_spec, check_model, NULL, place,
                                            err, err_size);
    if (st != FT_OK) {
        free(b);
        return st;
    }
    b->session = b->model_session.session;
    *out = b;
    return FT_OK;
}

ft_status ft_face_blendshaper_create(const char *model_spec, int threads,
                                     ft_face_blendshaper **out, char *err, size_t err_size)
{
    const ft_model_place cpu = {.pool = NULL, .threads = threads, .gpu_device = -1};
    return blendshaper_open(model_spec, &cpu, out, err, err_size);
}

ft_status ft_face_blendshaper_create_on(const char *model_spec, const ft_model_place *place,
                                        ft_face_blendshaper **out, char *err, size_t err_size)
{
    return blendshaper_open(model_spec, place, out, err, err_size);
}

void ft_face_blendshaper_free(ft_face_blendshaper *b)
{
    if (!b)
        return;
    ft_model_session_close(&b->model_session);
    free(b);
}

const char *ft_face_blendshaper_error(const ft_face_blendshaper *b)
{
    return b ? b->error : "";
}

ft_status ft_face_blendshapes_compute(ft_face_blendshaper *b, const float (*norm)[3], int count,
                                      int image_width, int image_height,
                                      float scores[FT_FACE_BLENDSHAPES])
{
    if (!norm || !scores)
        return FT_ERR_INVALID_ARG;
    return ft_face_blendshapes_compute_batch(b, &norm, count, image_width, image_height, 1,
                                             (float(*)[FT_FACE_BLENDSHAPES])scores);
}

ft_status ft_face_blendshapes_compute_batch(ft_face_blendshaper *b, const float (*const *norms)[3],
                                            int count, int image_width, int image_height, int n,
                                            float (*scores)[FT_FACE_BLENDSHAPES])
{
    if (!b || !norms || !scores || n < 0)
        return FT_ERR_INVALID_ARG;
    for (int f = 0; f < n; f++)
        if (!norms[f])
            return FT_ERR_INVALID_ARG;
    if (n == 0)
        return FT_OK;
    ft_status st = FT_OK;
    if (count < MESH_POINTS || image_width <= 0 || image_height <= 0) {
        snprintf(b->error, sizeof b->error,
                 "%s: blendshapes need 478 landmarks and an image size, got %d landmarks of %dx%d",
                 b->model, count, image_width, image_height);
        st = FT_ERR_INVALID_ARG;
        goto out;
    }
    b->error[0] = '\0';
    if ((st = ft_nn_session_reshape(b->session, n, NULL)) == FT_ERR_NOMEM && n > 1) {
        /* a device memory cap: two smaller batches */
        const int half = n / 2;
        st = ft_face_blendshapes_compute_batch(b, norms, count, image_width, image_height, half,
                                               scores);
        return st == FT_OK ? ft_face_blendshapes_compute_batch(b, norms + half, count, image_width,
                                                               image_height, n - half,
                                                               scores + half)
                           : st;
    }
    if (st != FT_OK) {
        snprintf(b->error, sizeof b->error, "%s: %s", b->model, ft_nn_session_error(b->session));
        goto out;
    }
    /* LandmarksToTensorCalculator: x, y only, in pixels of the whole
     * image (float products, as MediaPipe computes them). */
    float *in = ft_nn_session_input(b->session, 0);
    const float w = (float)image_width, h = (float)image_height;
    for (int f = 0; f < n; f++, in += 2 * FT_FACE_BLENDSHAPE_POINTS)
        for (int i = 0; i < FT_FACE_BLENDSHAPE_POINTS; i++) {
            in[2 * i] = norms[f][subset[i]][0] * w;
            in[2 * i + 1] = norms[f][subset[i]][1] * h;
        }
    st = ft_nn_session_run(b->session);
    if (st != FT_OK) {
        snprintf(b->error, sizeof b->error, "%s: %s", b->model, ft_nn_session_error(b->session));
        goto out;
    }
    /* Face f's 52 scores are the f-th block of the output, whatever its
     * rank ([N*52] from the model's flattening reshape). */
    memcpy(scores, ft_nn_session_output(b->session, 0),
           sizeof(float) * FT_FACE_BLENDSHAPES * (size_t)n);
out:
    return st;
}
