/* Face mesh inference and projection (spec §3.1). Buffers are the
 * session's, made at create time (and the first time a batch size is
 * used); nothing is allocated per face. */
#include "base/format_error.h"
#include "face/landmarks.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "face/image_to_tensor.h"
#include "face/mesh_refinement.h"
#include "face/roi.h"
#include "face/model_session.h"

struct ft_face_landmarker {
    char model[512];
    int size, count;
    int refine;    /* the attention model: 468 mesh + refinement heads */
    int flag_out;  /* output index of the presence logit */
    ft_model_session model_session;
    ft_nn_session *session;
    char error[640];
};

static int64_t output_elements(const ft_nn_graph *g, int i)
{
    const ft_nn_tensor *t = &g->tensors[g->outputs[i]];
    return t->dtype == FT_DTYPE_F32 ? ft_nn_tensor_elements(t) : -1;
}

/* The attention model: mesh 468 x 3, then the five refinement heads, then
 * the face flag. */
static int is_attention_model(const ft_nn_graph *g)
{
    if (g->output_count != 2 + FT_MESH_HEADS || output_elements(g, 0) != 468 * 3 ||
        output_elements(g, 1 + FT_MESH_HEADS) != 1)
        return 0;
    for (int h = 0; h < FT_MESH_HEADS; h++)
        if (output_elements(g, 1 + h) != 2 * ft_mesh_head_points[h])
            return 0;
    return 1;
}

/* Input [1, S, S, 3] float; output 0 holds count x 3 floats (478 or 468),
 * output 1 the presence logit; or the attention model's outputs. */
static ft_status check_model(void *context, const ft_nn_graph *g, char *reason, size_t n)
{
    ft_face_landmarker *lm = context;
    if (g->input_count != 1 || g->output_count < 2) {
        snprintf(reason, n, "expected 1 input and at least 2 outputs (face mesh), the model has %d and %d",
                 g->input_count, g->output_count);
        return FT_ERR_FORMAT;
    }
    const ft_nn_tensor *in = &g->tensors[g->inputs[0]];
    if (in->dtype != FT_DTYPE_F32 || in->rank != 4 || in->shape[0] != 1 || in->shape[1] <= 0 ||
        in->shape[1] != in->shape[2] || in->shape[3] != 3) {
        snprintf(reason, n, "input is not a square [1,S,S,3] float32 image");
        return FT_ERR_FORMAT;
    }
    lm->size = (int)in->shape[1];
    if (is_attention_model(g)) {
        lm->refine = 1;
        lm->count = 478;
        lm->flag_out = 1 + FT_MESH_HEADS;
        return FT_OK;
    }
    const int64_t mesh = output_elements(g, 0), flag = output_elements(g, 1);
    if ((mesh != 478 * 3 && mesh != 468 * 3) || flag != 1) {
        snprintf(reason, n, "outputs are not 478x3 (or 468x3) landmarks and a presence logit");
        return FT_ERR_FORMAT;
    }
    lm->count = (int)(mesh / 3);
    lm->flag_out = 1;
    return FT_OK;
}

/* FACETRACK_GPU_BYTE_INPUT=1 sends the crops to a GPU as the warp's bytes
 * (below). Off by default until a GPU run has measured it against the
 * floats; its kernel and the session's mapping are tested on every
 * backend (unit.test_nn_batch). */
static int gpu_byte_input(void)
{
    const char *env = getenv("FACETRACK_GPU_BYTE_INPUT");
    return env && strcmp(env, "1") == 0;
}

static ft_status landmarker_open(const char *model_spec, const ft_model_place *place,
                                 ft_face_landmarker **out, char *err, size_t err_size)
{
    if (!out)
        return FT_ERR_INVALID_ARG;
    *out = NULL;
    if (!model_spec)
        return ft_format_error(err, err_size, FT_ERR_INVALID_ARG, "%s: %s", "(null)", "no model given");
    ft_face_landmarker *lm = calloc(1, sizeof *lm);
    if (!lm)
        return ft_format_error(err, err_size, FT_ERR_NOMEM, "%s: %s", model_spec, "out of memory");
    snprintf(lm->model, sizeof lm->model, "%s", model_spec);
    /* On a GPU the crops go over as the warp's bytes, a quarter of their
     * floats, and become the 0..1 floats there. */
    const ft_nn_input_codes codes[1] = {{.on = 1, .scale = (1.0f - 0.0f) / 255.0f, .offset = 0.0f}};
    ft_model_place where = *place;
    where.gpu_input_codes = gpu_byte_input() ? codes : NULL;
    ft_status st = ft_model_session_open_on(&lm->model_session, model_spec, check_model, lm,
                                            &where, err, err_size);
    if (st != FT_OK) {
        free(lm);
        return st;
    }
    lm->session = lm->model_session.session;
    *out = lm;
    return FT_OK;
}

ft_status ft_face_landmarker_create(const char *model_spec, int threads,
                                    ft_face_landmarker **out, char *err, size_t err_size)
{
    const ft_model_place cpu = {.pool = NULL, .threads = threads, .gpu_device = -1};
    return landmarker_open(model_spec, &cpu, out, err, err_size);
}

ft_status ft_face_landmarker_create_on(const char *model_spec, const ft_model_place *place,
                                       ft_face_landmarker **out, char *err, size_t err_size)
{
    return landmarker_open(model_spec, place, out, err, err_size);
}

void ft_face_landmarker_free(ft_face_landmarker *lm)
{
    if (!lm)
        return;
    ft_model_session_close(&lm->model_session);
    free(lm);
}

const char *ft_face_landmarker_error(const ft_face_landmarker *lm)
{
    return lm ? lm->error : "";
}

int ft_face_landmarker_input_size(const ft_face_landmarker *lm)
{
    return lm->size;
}

int ft_face_landmarker_count(const ft_face_landmarker *lm)
{
    return lm->count;
}

/* Elements of one item of output I. */
static size_t item_elements(const ft_face_landmarker *lm, int i)
{
    const ft_nn_graph *g = lm->model_session.graph;
    return (size_t)ft_nn_tensor_elements(&g->tensors[g->outputs[i]]);
}

/* Makes the plan for BATCH current. */
static ft_status reshape_to(ft_face_landmarker *lm, int batch)
{
    ft_status st = ft_nn_session_reshape(lm->session, batch, NULL);
    if (st != FT_OK)
        snprintf(lm->error, sizeof lm->error, "%s: %s", lm->model,
                 ft_nn_session_error(lm->session));
    return st;
}

/* Runs the filled input buffer. */
static ft_status run_model(ft_face_landmarker *lm)
{
    ft_status st = ft_nn_session_run(lm->session);
    if (st != FT_OK)
        snprintf(lm->error, sizeof lm->error, "%s: %s", lm->model,
                 ft_nn_session_error(lm->session));
    return st;
}

/* Item ITEM's landmarks and presence logit out of the last run. */
static void decode_item(ft_face_landmarker *lm, int item, float (*raw)[3], float *logit)
{
    const float *mesh = (const float *)ft_nn_session_output(lm->session, 0) +
                        (size_t)item * item_elements(lm, 0);
    if (lm->refine) {
        const float *heads[FT_MESH_HEADS];
        for (int h = 0; h < FT_MESH_HEADS; h++)
            heads[h] = (const float *)ft_nn_session_output(lm->session, 1 + h) +
                       (size_t)item * item_elements(lm, 1 + h);
        ft_mesh_refine(mesh, heads, raw);
    } else {
        memcpy(raw, mesh, sizeof(float) * 3 * (size_t)lm->count);
    }
    *logit = ((const float *)ft_nn_session_output(lm->session, lm->flag_out))[item];
}

ft_status ft_face_landmarker_run_tensor(ft_face_landmarker *lm, const float *input,
                                        float (*raw)[3], float *presence_logit)
{
    if (!lm || !input || !raw || !presence_logit)
        return FT_ERR_INVALID_ARG;
    lm->error[0] = '\0';
    if (ft_nn_session_input_is_codes(lm->session, 0)) {
        snprintf(lm->error, sizeof lm->error, "%s: takes crops, not tensors, on a GPU", lm->model);
        return FT_ERR_UNSUPPORTED;
    }
    ft_status st = reshape_to(lm, 1);
    if (st == FT_OK) {
        memcpy(ft_nn_session_input(lm->session, 0), input,
               sizeof(float) * 3 * (size_t)lm->size * lm->size);
        st = run_model(lm);
    }
    if (st == FT_OK)
        decode_item(lm, 0, raw, presence_logit);
    return st;
}

void ft_face_landmarks_project(const float (*raw)[3], int count, int size, const ft_norm_rect *roi,
                               int image_width, int image_height, ft_face_landmarks *out)
{
    /* The crop has no letterbox (keep_aspect_ratio false), so the ROI in
     * pixels is the sampled one. */
    const ft_rotated_rect r = {roi->x_center * (float)image_width, roi->y_center * (float)image_height,
                               roi->width * (float)image_width, roi->height * (float)image_height,
                               roi->rotation};
    float m[16];
    ft_roi_matrix(&r, image_width, image_height, m);
    /* z scales like the projected length of the unit x vector. */
    const float z_scale = (float)sqrt(pow(m[0], 2) + pow(m[4], 2));
    const float s = (float)size;
    /* Pixel z: the same pixel scale as x along the crop, whatever its
     * rotation (MediaPipe's normalised z mixes the x and y image units). */
    const float z_px = r.width / s;
    out->count = count;
    out->roi = *roi;
    for (int i = 0; i < count; i++) {
        const float x = raw[i][0] / s, y = raw[i][1] / s, z = raw[i][2] / s;
        float *n = out->norm[i];
        n[0] = x * m[0] + y * m[1] + z * m[2] + m[3];
        n[1] = x * m[4] + y * m[5] + z * m[6] + m[7];
        n[2] = z_scale * z;
        out->points[i][0] = n[0] * (float)image_width;
        out->points[i][1] = n[1] * (float)image_height;
        out->points[i][2] = raw[i][2] * z_px;
    }
}

/* The projected landmarks of item ITEM of the last run, crop ROI. */
static void finish_item(ft_face_landmarker *lm, int item, const ft_face_image *image,
                        const ft_norm_rect *roi, ft_face_landmarks *out)
{
    float raw[FT_FACE_MESH_MAX][3], logit = 0.0f;
    decode_item(lm, item, raw, &logit);
    ft_face_landmarks_project((const float(*)[3])raw, lm->count, lm->size, roi, image->width,
                              image->height, out);
    out->presence_logit = logit;
    out->presence = 1.0f / (1.0f + expf(-logit));
}

ft_status ft_face_landmarks_detect(ft_face_landmarker *lm, const ft_face_image *image,
                                   const ft_norm_rect *roi, ft_face_landmarks *out)
{
    return ft_face_landmarks_detect_batch(lm, image, roi, 1, out);
}

ft_status ft_face_landmarks_detect_batch(ft_face_landmarker *lm, const ft_face_image *image,
                                         const ft_norm_rect *rois, int n, ft_face_landmarks *out)
{
    if (!lm || !image || !rois || !out || n < 0)
        return FT_ERR_INVALID_ARG;
    if (n == 0)
        return FT_OK;
    /* 256 x 256 RGB in [0, 1], replicate border, no letterbox (§2.3). */
    const ft_tensor_spec spec = {lm->size, lm->size, 0.0f, 1.0f, 0, FT_BORDER_REPLICATE};
    lm->error[0] = '\0';
    ft_status st = reshape_to(lm, n);
    if (st == FT_ERR_NOMEM && n > 1) { /* a device memory cap: two smaller batches */
        const int half = n / 2;
        st = ft_face_landmarks_detect_batch(lm, image, rois, half, out);
        return st == FT_OK ? ft_face_landmarks_detect_batch(lm, image, rois + half, n - half,
                                                            out + half)
                           : st;
    }
    void *input = st == FT_OK ? ft_nn_session_input(lm->session, 0) : NULL;
    const int codes = ft_nn_session_input_is_codes(lm->session, 0);
    char why[160] = "";
    if (st == FT_OK &&
        (st = ft_image_to_tensors(image, rois, n, &spec, codes ? NULL : (float *)input,
                                  codes ? (uint8_t *)input : NULL, NULL, why, sizeof why)) != FT_OK)
        snprintf(lm->error, sizeof lm->error, "%.470s: %.159s", lm->model,
                 why[0] ? why : "invalid image or ROI");
    if (st == FT_OK)
        st = run_model(lm);
    for (int i = 0; i < n && st == FT_OK; i++)
        finish_item(lm, i, image, &rois[i], &out[i]);
    return st;
}

ft_norm_rect ft_face_roi_from_landmarks(const ft_face_landmarks *lm, int image_width,
                                        int image_height)
{
    ft_rect_transform t;
    ft_rect_transform_from_landmarks(&t);
    return ft_roi_from_points((const float(*)[3])lm->norm, lm->count, FT_FACE_MESH_RIGHT_EYE_OUTER,
                              FT_FACE_MESH_LEFT_EYE_OUTER, image_width, image_height, &t);
}
