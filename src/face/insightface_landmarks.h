/* InsightFace's landmark models as its model_zoo/landmark.py runs them:
 * 2d106det (106 2D points) and 1k3d68 (68 3D points: the last 68 of its
 * 1103 outputs). The face's box, enlarged 1.5 times to a square centred on
 * it, is warped into the model's square input (bilinear, zeros outside the
 * image), RGB, (level - mean) / std where mean 0 and std 1 for the MXNet
 * exports that normalise inside the network (a first node "bn_data", or
 * Sub and Mul among the first eight nodes) and 127.5 / 128 otherwise; the
 * outputs, in [-1, 1] of the input, go back to image pixels. */
#ifndef FT_FACE_INSIGHTFACE_LANDMARKS_H
#define FT_FACE_INSIGHTFACE_LANDMARKS_H

#include <stddef.h>

#include "face/face_types.h"
#include "face/model_session.h"
#include "facetrack.h"

typedef struct ft_insightface_landmarker ft_insightface_landmarker;

/* One line naming PATH in ERR when it cannot be read or is not such a
 * model (one square RGB input, one output of 212 values: 106 x 2, or 3309:
 * 1103 x 3). */
ft_status ft_insightface_landmarker_open(const char *path, const ft_model_place *place,
                                         ft_insightface_landmarker **out, char *err,
                                         size_t err_size);
void ft_insightface_landmarker_free(ft_insightface_landmarker *l);

/* 68 or 106, and the scheme they make. */
int ft_insightface_landmarker_points(const ft_insightface_landmarker *l);
ft_landmark_scheme ft_insightface_landmarker_scheme(const ft_insightface_landmarker *l);

/* The points of the face in BOX (x0, y0, x1, y1, pixels of IMAGE) into OUT
 * (x, y in pixels of IMAGE; z in pixels at the face's scale for 1k3d68, 0
 * for 2d106det). The model's error in ERR. */
ft_status ft_insightface_landmarks(ft_insightface_landmarker *l, const ft_face_image *image,
                                   const float box[4], float (*out)[3], char *err,
                                   size_t err_size);

#endif
