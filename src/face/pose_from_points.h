/* Head pose from a few named 2D landmarks (the 5 keypoints of YuNet and
 * SCRFD, the iBUG points of OpenSeeFace's 66 and the 68-point schemes): a
 * perspective-n-point fit of the canonical face of the geometry metadata.
 *
 * Each named point corresponds to a point of the canonical mesh (a vertex,
 * or the mean of a vertex ring for an eye centre). The camera is the one
 * MediaPipe's geometry pipeline assumes (geometry.h: vertical field of view
 * of 63 degrees, principal point at the image centre), so the matrix and
 * angles compare directly with the MediaPipe engine's. The canonical face
 * has a fixed size, so the fit is rigid: rotation and translation only (the
 * distance follows from the face's apparent size).
 *
 * The fit: a weak-perspective (scaled orthographic) estimate first, affine
 * least squares with the rotation taken as the nearest orthonormal rows,
 * then Gauss-Newton with Levenberg-Marquardt damping on the reprojection
 * error over the rotation vector and the translation. */
#ifndef FT_FACE_POSE_FROM_POINTS_H
#define FT_FACE_POSE_FROM_POINTS_H

#include "face/geometry.h"
#include "facetrack.h"

/* Whether SCHEME has points this fit uses (5, 66 and 68). */
int ft_pose_points_supported(ft_landmark_scheme scheme);

/* POINTS: COUNT landmarks of SCHEME in pixels (x, y; z ignored) of an
 * IMAGE_WIDTH x IMAGE_HEIGHT image. MATRIX: the pose, column-major, as
 * ft_face_geometry_pose gives it (canonical face -> metric camera space,
 * cm), with a unit scale. RMS_PX (may be NULL): the fit's root-mean-square
 * reprojection error in pixels. FT_ERR_INVALID_ARG for a scheme without
 * named points, too few points, non-finite points, or a degenerate fit
 * (points collapsed, or the face behind the camera). */
ft_status ft_face_pose_from_points(const ft_face_geometry *g, ft_landmark_scheme scheme,
                                   const float (*points)[3], int count, int image_width,
                                   int image_height, float matrix[16], float *rms_px);

#endif
