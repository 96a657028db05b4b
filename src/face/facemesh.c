/* FaceMesh 468 on a crop box (see facemesh.h). */
#include "face/facemesh.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "face/detector_input.h"
#include "face/model_session.h"

/* The model's inputs and outputs by name: the conversion's names are its
 * interface (the original feeds them by name too). */
enum { IN_IMAGE, IN_X1, IN_Y1, IN_WIDTH, IN_HEIGHT, IN_COUNT };
static const char *const input_names[IN_COUNT] = {"input", "crop_x1", "crop_y1", "crop_width",
                                                  "crop_height"};
enum { OUT_SCORE, OUT_LANDMARKS, OUT_COUNT };
static const char *const output_names[OUT_COUNT] = {"score", "final_landmarks"};

struct ft_facemesh {
    char model[1024];
    ft_model_session ms;
    int in[IN_COUNT], out[OUT_COUNT]; /* session input/output indices */
    uint8_t scratch[3 * FT_FACEMESH_INPUT * FT_FACEMESH_INPUT];
    char error[1280];
};

static int find_io(const ft_nn_graph *g, const int *ids, int count, const char *name)
{
    for (int i = 0; i < count; i++)
        if (g->tensors[ids[i]].name && strcmp(g->tensors[ids[i]].name, name) == 0)
            return i;
    return -1;
}

static ft_status check_model(void *context, const ft_nn_graph *g, char *reason, size_t n)
{
    ft_facemesh *m = context;
    for (int i = 0; i < IN_COUNT; i++) {
        m->in[i] = find_io(g, g->inputs, g->input_count, input_names[i]);
        if (m->in[i] < 0) {
            snprintf(reason, n, "no input '%s' (not the FaceMesh model with crop inputs)",
                     input_names[i]);
            return FT_ERR_FORMAT;
        }
        const ft_nn_tensor *t = &g->tensors[g->inputs[m->in[i]]];
        const int ok = i == IN_IMAGE
                           ? t->dtype == FT_DTYPE_F32 && t->rank == 4 && t->shape[1] == 3 &&
                                 t->shape[2] == FT_FACEMESH_INPUT && t->shape[3] == FT_FACEMESH_INPUT
                           : t->dtype == FT_DTYPE_I32 && ft_nn_tensor_elements(t) == 1;
        if (!ok) {
            snprintf(reason, n, "input '%s' is not %s (not the FaceMesh model with crop inputs)",
                     input_names[i],
                     i == IN_IMAGE ? "1x3x192x192 float32" : "one int32");
            return FT_ERR_FORMAT;
        }
    }
    for (int i = 0; i < OUT_COUNT; i++) {
        m->out[i] = find_io(g, g->outputs, g->output_count, output_names[i]);
        if (m->out[i] < 0) {
            snprintf(reason, n, "no output '%s' (not the FaceMesh model with crop inputs)",
                     output_names[i]);
            return FT_ERR_FORMAT;
        }
    }
    const ft_nn_tensor *lm = &g->tensors[g->outputs[m->out[OUT_LANDMARKS]]];
    if (lm->dtype != FT_DTYPE_I32 || ft_nn_tensor_elements(lm) != 3 * FT_FACEMESH_POINTS) {
        snprintf(reason, n, "output 'final_landmarks' is not 468 x 3 int32 (not the FaceMesh "
                            "model with crop inputs)");
        return FT_ERR_FORMAT;
    }
    return FT_OK;
}

ft_status ft_facemesh_create(const char *model, pthreadpool_t pool, ft_facemesh **out, char *err,
                             size_t err_size)
{
    const ft_model_place cpu = {.pool = pool, .threads = 1, .gpu_device = -1};
    return ft_facemesh_create_on(model, &cpu, out, err, err_size);
}

ft_status ft_facemesh_create_on(const char *model, const ft_model_place *place, ft_facemesh **out,
                                char *err, size_t err_size)
{
    *out = NULL;
    ft_facemesh *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, err_size, "%s: out of memory", model);
        return FT_ERR_NOMEM;
    }
    snprintf(m->model, sizeof m->model, "%s", model);
    ft_status st = ft_model_session_open_on(&m->ms, model, check_model, m, place, err, err_size);
    if (st != FT_OK) {
        free(m);
        return st;
    }
    *out = m;
    return FT_OK;
}

void ft_facemesh_free(ft_facemesh *m)
{
    if (!m)
        return;
    ft_model_session_close(&m->ms);
    free(m);
}

const char *ft_facemesh_error(const ft_facemesh *m)
{
    return m ? m->error : "";
}

int ft_facemesh_clip_box(const ft_crop_box *b, int iw, int ih, ft_crop_box *out)
{
    /* The original: x1 = max(0, x), y1 = max(0, y), x2 = min(w, x + bw),
     * y2 = min(h, y + bh); an empty crop is skipped. */
    const int x0 = b->x > 0 ? b->x : 0, y0 = b->y > 0 ? b->y : 0;
    const int x1 = b->x + b->width < iw ? b->x + b->width : iw;
    const int y1 = b->y + b->height < ih ? b->y + b->height : ih;
    *out = (ft_crop_box){x0, y0, x1 - x0, y1 - y0};
    return out->width > 0 && out->height > 0;
}

ft_status ft_facemesh_input(const ft_face_image *image, const ft_crop_box *box, uint8_t *scratch,
                            float *out)
{
    if (!image || !image->data || box->width <= 0 || box->height <= 0 || box->x < 0 ||
        box->y < 0 || box->x + box->width > image->width || box->y + box->height > image->height)
        return FT_ERR_INVALID_ARG;
    ft_face_image crop = *image;
    crop.data = image->data + (size_t)box->y * (size_t)image->stride +
                (size_t)box->x * (size_t)image->channels;
    crop.width = box->width;
    crop.height = box->height;
    /* cv2.resize (INTER_LINEAR) to 192x192, then / 255 in planar order */
    ft_resize_bilinear(&crop, FT_FACEMESH_INPUT, FT_FACEMESH_INPUT, scratch);
    const ft_face_image resized = {.data = scratch,
                                   .width = FT_FACEMESH_INPUT,
                                   .height = FT_FACEMESH_INPUT,
                                   .stride = 3 * FT_FACEMESH_INPUT,
                                   .channels = 3};
    const ft_blob_format blob = {.bgr = 1, .mean = 0.0f, .scale = 1.0f / 255.0f};
    return ft_blob_from_image(&resized, &blob, FT_FACEMESH_INPUT, FT_FACEMESH_INPUT, out);
}

ft_status ft_facemesh_run(ft_facemesh *m, const ft_face_image *image, const ft_crop_box *box,
                          int32_t points[FT_FACEMESH_POINTS][3], float *score)
{
    ft_nn_session *s = m->ms.session;
    m->error[0] = '\0';
    ft_status st = ft_facemesh_input(image, box, m->scratch, ft_nn_session_input(s, m->in[IN_IMAGE]));
    if (st != FT_OK) {
        snprintf(m->error, sizeof m->error, "%s: crop %dx%d at %d,%d is not inside the %dx%d frame",
                 m->model, box->width, box->height, box->x, box->y, image->width, image->height);
        return st;
    }
    *(int32_t *)ft_nn_session_input(s, m->in[IN_X1]) = box->x;
    *(int32_t *)ft_nn_session_input(s, m->in[IN_Y1]) = box->y;
    *(int32_t *)ft_nn_session_input(s, m->in[IN_WIDTH]) = box->width;
    *(int32_t *)ft_nn_session_input(s, m->in[IN_HEIGHT]) = box->height;
    if ((st = ft_nn_session_run(s)) != FT_OK) {
        snprintf(m->error, sizeof m->error, "%s: %s", m->model, ft_nn_session_error(s));
        return st;
    }
    memcpy(points, ft_nn_session_output(s, m->out[OUT_LANDMARKS]),
           sizeof(int32_t) * 3 * FT_FACEMESH_POINTS);
    if (score)
        *score = *(const float *)ft_nn_session_output(s, m->out[OUT_SCORE]);
    return FT_OK;
}

void ft_facemesh_estimate_irises(const float (*mesh)[3], float (*irises)[3])
{
    /* outer corner, inner corner, upper lid, lower lid: the eye on the
     * image's left (irises 468..472), then the other (473..477) */
    static const int eyes[2][4] = {{33, 133, 159, 145}, {263, 362, 386, 374}};
    static const float around[5][2] = {{0, 0}, {1, 0}, {0, -1}, {-1, 0}, {0, 1}};
    for (int e = 0; e < 2; e++) {
        const int *k = eyes[e];
        float c[3] = {0, 0, 0};
        for (int j = 0; j < 4; j++)
            for (int d = 0; d < 3; d++)
                c[d] += mesh[k[j]][d] / 4.0f;
        const float r = 0.25f * hypotf(mesh[k[0]][0] - mesh[k[1]][0], mesh[k[0]][1] - mesh[k[1]][1]);
        for (int i = 0; i < 5; i++) {
            float *p = irises[5 * e + i];
            p[0] = c[0] + around[i][0] * r;
            p[1] = c[1] + around[i][1] * r;
            p[2] = c[2];
        }
    }
}
