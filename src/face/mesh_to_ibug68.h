/* The 68 iBUG 300-W points (dlib's order) from the 468 FaceMesh points, as
 * the original's eos engine made them: each iBUG point is the mean of a
 * fixed pair of mesh points (a point paired with itself where one mesh
 * point matches); and the jawOpen the original computed from 68 points. */
#ifndef FT_FACE_MESH_TO_IBUG68_H
#define FT_FACE_MESH_TO_IBUG68_H

#include <stdint.h>

#define FT_IBUG68_POINTS 68

/* MESH: 468 (or more) points, x y z in pixels. */
void ft_ibug68_from_mesh(const int32_t (*mesh)[3], float out[FT_IBUG68_POINTS][2]);

/* |mean y of the inner upper lip (0-based 60..64) - mean y of the inner
 * lower lip (65..67)| / |y of the chin (8) - y under the nose (33)|,
 * clipped to [0, 1] (the original's InsightFace and eos rule); 0 when the
 * chin and nose coincide. */
float ft_ibug68_jaw_open(const float (*points)[2]);

#endif
