/* Fitting a 3D morphable model with expression blendshapes to 68 iBUG
 * points, as eos's fit_shape_and_pose does (Huber et al., "A Multiresolution
 * 3D Morphable Face Model and Fitting Framework", VISAPP 2016): a scaled
 * orthographic camera by the linear Gold Standard estimate (Hartley &
 * Zisserman, Algorithm 7.2) made a rotation by the closest orthonormal
 * matrix; then, alternately, the shape coefficients by regularised linear
 * least squares (Aldrian & Smith) and the expression coefficients by
 * non-negative least squares (Lawson & Hanson), with the front-facing
 * contour matched to the model contour chosen by yaw and the occluding
 * contour matched to the mesh's silhouette edges. */
#ifndef FT_FACE_EOS_FIT_H
#define FT_FACE_EOS_FIT_H

#include "face/eos_model.h"

/* eos-py's defaults, which the original called fit_shape_and_pose with. */
#define FT_EOS_ITERATIONS 5
#define FT_EOS_LAMBDA_IDENTITY 30.0f

typedef struct ft_eos_fit {
    int shape_count, expression_count;
    float shape[FT_FACE_MAX_SHAPE_COEFFS];
    float expression[FT_FACE_MAX_EXPRESSION_COEFFS];
    /* The camera: a model point v lands on the image at
     * x = s * (R[0] . v + tx), y = height - s * (R[1] . v + ty). */
    float rotation[3][3];
    float scale, tx, ty;
    /* eos's Tait-Bryan angles of ROTATION in degrees, R = Ry(yaw) Rx(pitch)
     * Rz(roll): positive yaw turns the subject to their left, positive
     * pitch looks down, positive roll lowers the subject's right eye. */
    float yaw, pitch, roll;
    int correspondences; /* 2D-3D pairs of the last iteration */
} ft_eos_fit;

typedef struct ft_eos_fitter ft_eos_fitter;

/* The model and its companions stay the caller's and must outlive the
 * fitter; the fitter owns its scratch (one fitter per thread). */
ft_status ft_eos_fitter_create(const ft_eos_model *model, const ft_eos_mapper *mapper,
                               const ft_eos_contour *contour, const ft_eos_edges *edges,
                               ft_eos_fitter **out, char *err, size_t err_size);
void ft_eos_fitter_free(ft_eos_fitter *f);

/* Fits POINTS (the 68 iBUG points in image pixels, iBUG 1 first) of an
 * image WIDTH x HEIGHT. CONTOURS 1: with the contour and occluding-edge
 * pairs (eos's fit_shape_and_pose with landmarks and a mapper, what the
 * original called); 0: the mapped points only (eos's overload with fixed
 * correspondences). FT_ERR_INVALID_ARG for non-finite points or fewer
 * than 4 mapped ones, or a degenerate camera. */
ft_status ft_eos_fitter_fit(ft_eos_fitter *f, const float (*points)[2], int width, int height,
                            int iterations, float lambda_identity, int contours,
                            ft_eos_fit *out);

/* The last fit's mesh: 3 floats per vertex. */
const float *ft_eos_fitter_mesh(const ft_eos_fitter *f);

/* A shape of MODEL: mean + basis * SHAPE + blendshapes * EXPRESSION into
 * OUT (3 * vertex_count floats); missing coefficients count as 0. */
void ft_eos_model_instance(const ft_eos_model *model, const float *shape, int shape_count,
                           const float *expression, int expression_count, float *restrict out);

/* Where vertex V of MESH lands in the image under FIT's camera. */
void ft_eos_project(const ft_eos_fit *fit, const float *mesh, int v, int height, float out[2]);

/* eos's angles of a rotation matrix (see ft_eos_fit), in degrees. */
void ft_eos_angles(const float r[3][3], float *yaw, float *pitch, float *roll);

#endif
