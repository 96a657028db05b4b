/* Face geometry (spec §5): the facial transformation matrix (head pose in
 * a metric camera space) and the metric face mesh, from the 478 (or 468)
 * image-normalised landmarks, as MediaPipe's FaceGeometryFromLandmarks
 * graph computes them, plus yaw/pitch/roll angles of the pose.
 *
 * Metric camera space (cm): right-handed, x to the image right, y up, z
 * towards the viewer; the camera sits at the origin looking down -z, so a
 * face in front of it has a negative translation z. The canonical face of
 * the metadata looks down +z, upright (y up), centred near its nose. */
#ifndef FT_FACE_GEOMETRY_H
#define FT_FACE_GEOMETRY_H

#include <stddef.h>
#include <stdint.h>

#include "facetrack.h"

#define FT_FACE_GEOMETRY_VERTICES 468

/* The canonical mesh and Procrustes basis; immutable after load, so one
 * may be shared by any number of threads. */
typedef struct ft_face_geometry ft_face_geometry;

/* SPEC: geometry_pipeline_metadata_landmarks.binarypb (GeometryPipelineMetadata,
 * binary protobuf), a file or "bundle.task:geometry_pipeline_metadata_landmarks.binarypb".
 * A malformed file gives FT_ERR_FORMAT and one line "SPEC: geometry
 * metadata: REASON" in ERR. The mesh must have 468 vertices. */
ft_status ft_face_geometry_load(const char *spec, ft_face_geometry **out, char *err,
                                size_t err_size);
void ft_face_geometry_free(ft_face_geometry *g);

/* NORM: COUNT >= 468 image-normalised landmarks of an IMAGE_WIDTH x
 * IMAGE_HEIGHT image; only the first 468 are used. The environment is
 * MediaPipe's (spec §5.2): origin top-left, perspective camera with a
 * vertical field of view of 63 degrees, near 1, far 10000.
 * MATRIX: the 4 x 4 pose transform (canonical face -> metric camera
 * space), column-major like MediaPipe's MatrixData packed_data: element
 * [col * 4 + row], translation in elements 12..14, cm. Its 3 x 3 block
 * is a rotation times a scale near 1.
 * MESH (may be NULL): the 468 metric landmarks brought back to the canonical
 * face's frame, pose^-1 * metric landmarks (MediaPipe's FaceGeometry mesh).
 * Computed in double, returned in float. FT_ERR_INVALID_ARG for bad
 * arguments, non-finite landmarks, landmarks too compact (all within 1e-3
 * of their xy mean, which MediaPipe skips) or a degenerate Procrustes
 * problem. */
ft_status ft_face_geometry_pose(const ft_face_geometry *g, const float (*norm)[3], int count,
                                int image_width, int image_height, float matrix[16],
                                float (*mesh)[3]);

/* Yaw, pitch and roll in degrees of the rotation in MATRIX (column-major;
 * a uniform scale is removed first). All 0 for a frontal upright face.
 *   yaw:   about the vertical (y) axis; positive when the subject turns to
 *          their own left, i.e. the nose moves towards the image right.
 *   pitch: about the horizontal (x) axis; positive when the subject looks
 *          up (the nose moves up in the image).
 *   roll:  about the viewing (z) axis; positive when the head tilts
 *          clockwise on screen (its top moves towards the image right).
 * Yaw and pitch are the azimuth and elevation of the face's forward vector
 * f = R (0,0,1): yaw = atan2(f.x, f.z), pitch = asin(f.y); roll is what is
 * left: R = Ry(yaw) Rx(-pitch) Rz(-roll) with right-handed Rx, Ry, Rz.
 * Yaw in (-180, 180], pitch in [-90, 90], roll in (-180, 180]. */
void ft_face_pose_angles(const float matrix[16], float *yaw, float *pitch, float *roll);

/* What was loaded: canonical vertices (468 x 5: x, y, z in cm, u, v),
 * triangle indices (the count of indices, 3 per triangle), the Procrustes
 * weight of every vertex (0 outside the basis) and the number of basis
 * entries in the file. */
const float *ft_face_geometry_vertices(const ft_face_geometry *g);
int ft_face_geometry_indices(const ft_face_geometry *g, const uint32_t **indices);
const float *ft_face_geometry_weights(const ft_face_geometry *g, int *basis_count);

#endif
