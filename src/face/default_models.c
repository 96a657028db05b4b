/* The engines' default models, in order of preference, found on the model
 * search path: MediaPipe's face_landmarker.task (v2 landmarks and the
 * blendshapes) when present, else the npm models that setup installs; the
 * YuNet and SCRFD detectors of opencv_yunet and insightface; OpenSeeFace's
 * detector and landmark models; the face mesh and blendshapes of
 * opencv_yunet_pyfeat. */
#include <stdio.h>
#include <string.h>

#include "facetrack.h"
#include "models/model_path.h"

typedef struct default_model {
    const char *role;
    const char *file;   /* on the search path */
    const char *member; /* inside it, or NULL */
} default_model;

static const default_model defaults[] = {
    /* Full range: faces at any distance, and small ones in tiles. */
    {"detector", "face_detection_full_range.tflite", NULL},
    {"detector", "face_landmarker.task", "face_detector.tflite"},
    /* The whole-frame pass: MediaPipe's own detector, short range. */
    {"short_range_detector", "face_landmarker.task", "face_detector.tflite"},
    {"short_range_detector", "face_detection_short_range.tflite", NULL},
    {"landmarks", "face_landmarker.task", "face_landmarks_detector.tflite"},
    {"landmarks", "face_landmark_with_attention.tflite", NULL},
    {"landmarks", "face_landmark.tflite", NULL},
    {"blendshapes", "face_landmarker.task", "face_blendshapes.tflite"},
    {"geometry", "geometry_pipeline_metadata_landmarks.binarypb", NULL},
    /* the detection-only engines' detectors */
    {"yunet", "face_detection_yunet_2023mar.onnx", NULL},
    /* opencv_yunet_pyfeat: the original's FaceMesh conversion (its own
     * file name last), and MediaPipe's blendshape network, which py-feat's
     * weights are */
    {"facemesh", "facemesh_face_landmark.onnx", NULL},
    {"facemesh", "face_landmark.onnx", NULL},
    {"mesh_blendshapes", "face_blendshapes.onnx", NULL},
    {"mesh_blendshapes", "face_landmarker.task", "face_blendshapes.tflite"},
    /* InsightFace's antelopev2 and buffalo_l packs detect with the 10G model */
    {"scrfd", "scrfd_10g_bnkps.onnx", NULL},
    {"scrfd", "det_10g.onnx", NULL},
    {"scrfd", "scrfd_2.5g_kps_640.onnx", NULL},
    {"scrfd", "scrfd_2.5g_bnkps.onnx", NULL},
    {"scrfd", "scrfd_500m_kps_640.onnx", NULL},
    {"scrfd", "scrfd_500m_bnkps.onnx", NULL},
    /* and their landmarks: 68 3D points (what the original exported), else
     * 106 2D points */
    {"insightface_landmarks", "1k3d68.onnx", NULL},
    {"insightface_landmarks", "2d106det.onnx", NULL},
    /* OpenSeeFace: its own file names, and the prefixed ones of a shared
     * models folder; landmarks: model 1 first, the original's default */
    {"openseeface_detector", "mnv3_detection_opt.onnx", NULL},
    {"openseeface_detector", "openseeface_mnv3_detection_opt.onnx", NULL},
    {"openseeface_landmarks", "lm_model1_opt.onnx", NULL},
    {"openseeface_landmarks", "openseeface_lm_model1_opt.onnx", NULL},
    {"openseeface_landmarks", "lm_model0_opt.onnx", NULL},
    {"openseeface_landmarks", "openseeface_lm_model0_opt.onnx", NULL},
    {"openseeface_landmarks", "lm_model2_opt.onnx", NULL},
    {"openseeface_landmarks", "openseeface_lm_model2_opt.onnx", NULL},
    {"openseeface_landmarks", "lm_model3_opt.onnx", NULL},
    {"openseeface_landmarks", "openseeface_lm_model3_opt.onnx", NULL},
    {"openseeface_landmarks", "lm_model4_opt.onnx", NULL},
    {"openseeface_landmarks", "openseeface_lm_model4_opt.onnx", NULL},
};

ft_status ft_face_default_model(const char *role, char *out, size_t out_size)
{
    if (!role || !out || !out_size)
        return FT_ERR_INVALID_ARG;
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++) {
        const default_model *d = &defaults[i];
        char path[4096];
        if (strcmp(d->role, role) != 0 || ft_model_find(d->file, path, sizeof path) != FT_OK)
            continue;
        int n = d->member ? snprintf(out, out_size, "%s:%s", path, d->member)
                          : snprintf(out, out_size, "%s", path);
        return n > 0 && (size_t)n < out_size ? FT_OK : FT_ERR_INVALID_ARG;
    }
    return FT_ERR_NOT_FOUND;
}
