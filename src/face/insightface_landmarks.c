/* InsightFace's landmark models: see insightface_landmarks.h. */
#include "face/insightface_landmarks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "face/image_to_tensor.h"
#include "nn/model_file.h"
#include "nn/onnx.h"

#define OUTPUT_2D106 212  /* 106 x (x, y) */
#define OUTPUT_3D68 3309  /* 1103 x (x, y, z), the last 68 the iBUG points */
#define CROP_ENLARGE 1.5f /* landmark.py: input_size / (max(w, h) * 1.5) */

struct ft_insightface_landmarker {
    ft_model_session net;
    int size;   /* the square input side */
    int points; /* 68 or 106 */
    int dims;   /* values per output point: 2 or 3 */
    int skip;   /* leading output points not returned */
    float mean, std;
    float *nhwc; /* the warped crop, before it becomes planar */
};

static ft_status check_model(void *context, const ft_nn_graph *g, char *reason, size_t n)
{
    ft_insightface_landmarker *l = context;
    const ft_nn_tensor *in = &g->tensors[g->inputs[0]];
    if (g->input_count != 1 || in->rank != 4 || in->shape[1] != 3 || in->shape[2] < 16 ||
        in->shape[2] != in->shape[3]) {
        snprintf(reason, n, "not an InsightFace landmark model (one 1x3xSxS input expected)");
        return FT_ERR_FORMAT;
    }
    const ft_nn_tensor *o = &g->tensors[g->outputs[0]];
    const int64_t k = g->output_count == 1 ? ft_nn_tensor_elements(o) : -1;
    if (k == OUTPUT_2D106) {
        l->points = 106, l->dims = 2, l->skip = 0;
    } else if (k == OUTPUT_3D68) {
        l->points = 68, l->dims = 3, l->skip = OUTPUT_3D68 / 3 - 68;
    } else {
        snprintf(reason, n,
                 "not an InsightFace landmark model (one output of 212 values, 2d106det, or 3309, "
                 "1k3d68; this one has %d outputs, the first of %lld values)",
                 g->output_count, (long long)ft_nn_tensor_elements(o));
        return FT_ERR_FORMAT;
    }
    l->size = (int)in->shape[2];
    return FT_OK;
}

/* landmark.py's rule: an MXNet export normalises inside the network. */
static int normalises_inside(const char *path, char *err, size_t err_size, int *inside)
{
    ft_model_bytes bytes;
    if (ft_model_bytes_read(path, &bytes, err, err_size) != FT_OK)
        return -1;
    char names[8][FT_ONNX_NODE_NAME_SIZE];
    const int n = ft_onnx_node_names(bytes.data, bytes.size, names, 8);
    ft_model_bytes_free(&bytes);
    int sub = 0, mul = 0;
    for (int i = 0; i < n; i++) {
        if (strncmp(names[i], "Sub", 3) == 0 || strncmp(names[i], "_minus", 6) == 0)
            sub = 1;
        if (strncmp(names[i], "Mul", 3) == 0 || strncmp(names[i], "_mul", 4) == 0)
            mul = 1;
        if (i < 3 && strcmp(names[i], "bn_data") == 0)
            sub = mul = 1;
    }
    *inside = sub && mul;
    return 0;
}

ft_status ft_insightface_landmarker_open(const char *path, const ft_model_place *place,
                                         ft_insightface_landmarker **out, char *err,
                                         size_t err_size)
{
    *out = NULL;
    ft_insightface_landmarker *l = calloc(1, sizeof *l);
    if (!l) {
        snprintf(err, err_size, "out of memory");
        return FT_ERR_NOMEM;
    }
    int inside = 0;
    ft_status st = normalises_inside(path, err, err_size, &inside) == 0
                       ? ft_model_session_open_on(&l->net, path, check_model, l, place, err, err_size)
                       : FT_ERR_NOT_FOUND;
    if (st == FT_OK && !(l->nhwc = malloc((size_t)l->size * (size_t)l->size * 3 * sizeof(float)))) {
        snprintf(err, err_size, "out of memory");
        st = FT_ERR_NOMEM;
    }
    if (st != FT_OK) {
        ft_insightface_landmarker_free(l);
        return st;
    }
    l->mean = inside ? 0.0f : 127.5f;
    l->std = inside ? 1.0f : 128.0f;
    *out = l;
    return FT_OK;
}

void ft_insightface_landmarker_free(ft_insightface_landmarker *l)
{
    if (!l)
        return;
    ft_model_session_close(&l->net);
    free(l->nhwc);
    free(l);
}

int ft_insightface_landmarker_points(const ft_insightface_landmarker *l)
{
    return l->points;
}

ft_landmark_scheme ft_insightface_landmarker_scheme(const ft_insightface_landmarker *l)
{
    return l->points == 68 ? FT_LANDMARKS_68 : FT_LANDMARKS_106;
}

ft_status ft_insightface_landmarks(ft_insightface_landmarker *l, const ft_face_image *image,
                                   const float box[4], float (*out)[3], char *err,
                                   size_t err_size)
{
    const float w = box[2] - box[0], h = box[3] - box[1];
    const float side = (w > h ? w : h) * CROP_ENLARGE;
    if (!(side > 0.0f) || image->width < 1 || image->height < 1)
        return FT_ERR_INVALID_ARG;
    const float cx = 0.5f * (box[0] + box[2]), cy = 0.5f * (box[1] + box[3]);
    /* face_align.transform: the crop is the square SIDE around the centre,
     * scaled to the input; cv2.warpAffine's zeros outside the image. */
    const ft_norm_rect roi = {cx / (float)image->width, cy / (float)image->height,
                              side / (float)image->width, side / (float)image->height, 0.0f};
    const ft_tensor_spec spec = {.width = l->size,
                                 .height = l->size,
                                 .range_min = (0.0f - l->mean) / l->std,
                                 .range_max = (255.0f - l->mean) / l->std,
                                 .keep_aspect_ratio = 0,
                                 .border = FT_BORDER_ZERO};
    ft_status st = ft_image_to_tensor(image, &roi, &spec, l->nhwc, NULL, NULL);
    if (st != FT_OK)
        return st;
    float *planar = ft_nn_session_input(l->net.session, 0);
    const size_t plane = (size_t)l->size * (size_t)l->size;
    for (size_t p = 0; p < plane; p++)
        for (int c = 0; c < 3; c++)
            planar[(size_t)c * plane + p] = l->nhwc[p * 3 + (size_t)c];
    if ((st = ft_nn_session_run(l->net.session)) != FT_OK) {
        snprintf(err, err_size, "%s", ft_nn_session_error(l->net.session));
        return st;
    }
    /* (v + 1) * (size / 2) in the input, then the inverse warp: / scale */
    const float *pred = ft_nn_session_output(l->net.session, 0);
    const float half = (float)(l->size / 2), back = side / (float)l->size;
    for (int i = 0; i < l->points; i++) {
        const float *p = pred + (size_t)(l->skip + i) * (size_t)l->dims;
        out[i][0] = ((p[0] + 1.0f) * half - 0.5f * (float)l->size) * back + cx;
        out[i][1] = ((p[1] + 1.0f) * half - 0.5f * (float)l->size) * back + cy;
        out[i][2] = l->dims == 3 ? p[2] * half * back : 0.0f;
    }
    return FT_OK;
}
