/* The Surrey Face Model and its companions as eos ships them, read without
 * eos: the shape model (cereal binary archive of eos::morphablemodel::
 * MorphableModel: PCA mean, orthonormal basis, eigenvalues, triangles; the
 * colour model and texture coordinates are skipped), the expression
 * blendshapes (cereal binary vector of {name, deformation}), the iBUG-68 to
 * vertex mapper and contour landmarks (ibug_to_sfm.txt, TOML), the edge
 * topology and the model contour (cereal JSON). Every reader refuses a
 * malformed or truncated file in one line naming it and what is wrong. */
#ifndef FT_FACE_EOS_MODEL_H
#define FT_FACE_EOS_MODEL_H

#include <stddef.h>

#include "facetrack.h"

#define FT_EOS_IBUG_POINTS 68
/* Contour points per side in the mapper and vertices per side in the
 * model contour; the shipped files have 8 and 17. */
#define FT_EOS_MAX_CONTOUR 64

typedef struct ft_eos_model {
    int vertex_count;    /* 3448 for the SFM */
    int shape_count;     /* principal components (63) */
    float *mean;         /* 3 * vertex_count: x y z x y z ... */
    /* The rescaled basis (eigenvectors times the square roots of their
     * eigenvalues, as eos fits with it), row-major: row = coordinate
     * (3 * vertex + axis), shape_count columns. */
    float *basis;
    float *basis_columns; /* the same, column after column (for drawing shapes) */
    float *eigenvalues;  /* shape_count */
    int triangle_count;
    int (*triangles)[3];
    int expression_count; /* blendshapes (6: anger ... surprise) */
    /* Row-major like BASIS: 3 * vertex_count rows, expression_count columns. */
    float *expressions;
    char (*expression_names)[32];
} ft_eos_model;

/* ibug_to_sfm.txt: which vertex each iBUG point (1..68) is, -1 for the
 * unmapped ones (the contour and the inner mouth corners), and which iBUG
 * points make the right and left face contours. */
typedef struct ft_eos_mapper {
    int vertex_of[FT_EOS_IBUG_POINTS + 1]; /* by 1-based iBUG number; [0] unused */
    int right[FT_EOS_MAX_CONTOUR], left[FT_EOS_MAX_CONTOUR]; /* 1-based iBUG numbers */
    int right_count, left_count;
} ft_eos_mapper;

/* sfm_model_contours.json: candidate vertices of each side's contour. */
typedef struct ft_eos_contour {
    int right[FT_EOS_MAX_CONTOUR], left[FT_EOS_MAX_CONTOUR];
    int right_count, left_count;
} ft_eos_contour;

/* sfm_3448_edge_topology.json: per edge, its two faces and two vertices,
 * 1-based as eos stores them (face 0: a border edge with one face). */
typedef struct ft_eos_edges {
    int count;
    int (*faces)[2];
    int (*vertices)[2];
} ft_eos_edges;

ft_status ft_eos_model_load(const char *shape_path, const char *expression_path,
                            ft_eos_model *out, char *err, size_t err_size);
void ft_eos_model_free(ft_eos_model *m);

/* Vertex numbers are checked against VERTEX_COUNT (0: not checked). */
ft_status ft_eos_mapper_load(const char *path, int vertex_count, ft_eos_mapper *out, char *err,
                             size_t err_size);
ft_status ft_eos_contour_load(const char *path, int vertex_count, ft_eos_contour *out, char *err,
                              size_t err_size);
/* Face numbers are checked against TRIANGLE_COUNT (0: not checked). */
ft_status ft_eos_edges_load(const char *path, int vertex_count, int triangle_count,
                            ft_eos_edges *out, char *err, size_t err_size);
void ft_eos_edges_free(ft_eos_edges *e);

/* The same readers on bytes in memory (DATA holds SIZE bytes and a NUL
 * after them); NAME stands for the file in messages. The blendshapes need
 * the shape model read into OUT first (its vertex count). */
ft_status ft_eos_shape_model_read(const char *name, const char *data, size_t size,
                                  ft_eos_model *out, char *err, size_t err_size);
ft_status ft_eos_blendshapes_read(const char *name, const char *data, size_t size,
                                  ft_eos_model *out, char *err, size_t err_size);
ft_status ft_eos_mapper_read(const char *name, const char *data, size_t size, int vertex_count,
                             ft_eos_mapper *out, char *err, size_t err_size);
ft_status ft_eos_contour_read(const char *name, const char *data, size_t size, int vertex_count,
                              ft_eos_contour *out, char *err, size_t err_size);
ft_status ft_eos_edges_read(const char *name, const char *data, size_t size, int vertex_count,
                            int triangle_count, ft_eos_edges *out, char *err, size_t err_size);

#endif
