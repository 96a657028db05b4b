/* LandmarksRefinementCalculator for face_landmark_with_attention.tflite
 * (spec §3.2): the 468-point mesh refined by the lips, eye and iris heads
 * into MediaPipe's 478-landmark order. */
#ifndef FT_FACE_MESH_REFINEMENT_H
#define FT_FACE_MESH_REFINEMENT_H

/* The model's head outputs in model order after the mesh: lips, left eye,
 * right eye, left iris, right iris; points per head. */
enum { FT_MESH_HEADS = 5 };
extern const int ft_mesh_head_points[FT_MESH_HEADS];

/* MESH: 468 x 3 raw; HEADS[h]: ft_mesh_head_points[h] x 2 raw (same tensor
 * pixel units). Writes 478 x 3 into OUT. */
void ft_mesh_refine(const float *mesh, const float *const heads[FT_MESH_HEADS], float (*out)[3]);

#endif
