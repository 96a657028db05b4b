/* The original's YuNet detection as cv::FaceDetectorYN ran it
 * (face_detection_yunet_2023mar.onnx): frames wider than max_width (640)
 * scaled down, the network run on them padded to a multiple of 32 as
 * OpenCV does, score 0.7, NMS 0.3, top-k 5000; boxes back in pixels of the
 * frame as the original rescales them (x, y, w, h times frame width over
 * detection width, truncated to integers). Shared by the engines that start
 * from YuNet's boxes. */
#ifndef FT_FACE_YUNET_DETECTOR_H
#define FT_FACE_YUNET_DETECTOR_H

#include <stddef.h>
#include <stdint.h>

#include <pthreadpool.h>

#include "face/face_tracker.h"
#include "face/shaped_session.h"
#include "face/yunet_decode.h"

#define FT_YUNET_MODEL "face_detection_yunet_2023mar.onnx"
#define FT_YUNET_MAX_WIDTH 640

typedef struct ft_yunet_detector {
    ft_shaped_session net;
    int outputs[4 * FT_YUNET_STRIDES];
    uint8_t *resized; /* the frame scaled to max_width */
    size_t resized_size;
    ft_kps_face *decoded, *kept;
    ft_nms_entry *scratch;
    int capacity; /* of decoded, kept, scratch: cells of the open input */
    char error[1280];
} ft_yunet_detector;

/* 1 when the default model is on the search path, its path in PATH; else
 * 0 and one line in WHY saying how to supply it (NAMED_BY: the variables
 * or options that name the file). */
int ft_yunet_default_model(char *path, size_t path_size, const char *named_by, char *why,
                           size_t why_size);

/* D zeroed; MODEL checked and opened where PLACE says (face/model_session.h).
 * One line naming the model in ERR on failure. */
ft_status ft_yunet_detector_open(ft_yunet_detector *d, const char *model,
                                 const ft_model_place *place, char *err, size_t err_size);
void ft_yunet_detector_close(ft_yunet_detector *d);

/* The faces of IMAGE, best first, at most CAPACITY, as detections whose box
 * and 5 keypoints are image-normalised (ft_roi_detection with
 * detections_are_faces). MAX_WIDTH: 0 = 640. D->error says why on failure. */
ft_status ft_yunet_detector_run(ft_yunet_detector *d, const ft_face_image *image, int max_width,
                                ft_roi_detection *out, int capacity, int *found);

#endif
