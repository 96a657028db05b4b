/* An OpenCV boosted cascade (Viola-Jones), as cv::CascadeClassifier holds it
 * after loading (OpenCV 4.6, objdetect/src/cascadedetect.{hpp,cpp}): stages
 * of boosted trees over Haar-like features (upright or tilted by 45
 * degrees) or LBP features. Read from OpenCV's XML, both the current
 * `<cascade type_id="opencv-cascade-classifier">` format and the old
 * `type_id="opencv-haar-classifier"` one, which OpenCV converts on load
 * (cascadedetect_convert.cpp); the numbers end up the same either way.
 * Immutable once loaded; shared read-only between threads. */
#ifndef FT_FACE_HAAR_CASCADE_H
#define FT_FACE_HAAR_CASCADE_H

#include <stddef.h>
#include <stdint.h>

#include "facetrack.h"

typedef enum ft_cascade_features {
    FT_CASCADE_HAAR = 0, /* ordered features: thresholds */
    FT_CASCADE_LBP,      /* categorical features: 256 codes, subsets */
} ft_cascade_features;

#define FT_CASCADE_HAAR_RECTS 3

typedef struct ft_cascade_haar_feature {
    int tilted;
    int rect[FT_CASCADE_HAAR_RECTS][4]; /* x, y, width, height in the window */
    float weight[FT_CASCADE_HAAR_RECTS]; /* 0: the rect is not there */
} ft_cascade_haar_feature;

/* An internal node: left and right > 0 name a node of the same tree (by
 * its index in the tree), <= 0 the leaf -left / -right, as OpenCV stores
 * them. Haar: go left when value < threshold. LBP: go left when the code's
 * bit is set in the node's subset. */
typedef struct ft_cascade_node {
    int feature;
    float threshold;
    int left, right;
} ft_cascade_node;

typedef struct ft_cascade_tree {
    int first_node, node_count; /* in nodes[] */
    int first_leaf;             /* in leaves[]: node_count + 1 leaves */
} ft_cascade_tree;

typedef struct ft_cascade_stage {
    int first_tree, tree_count;
    float threshold; /* the file's threshold minus 1e-5f, as OpenCV keeps it */
} ft_cascade_stage;

typedef struct ft_cascade {
    ft_cascade_features type;
    int width, height; /* the detection window */
    int categories;    /* LBP: 256; Haar: 0 */
    int subset_words;  /* LBP: 32-bit words per node subset (8) */
    int stage_count, tree_count, node_count, leaf_count, feature_count;
    int max_nodes_per_tree; /* 1: every tree is a stump */
    int has_tilted;
    ft_cascade_stage *stages;
    ft_cascade_tree *trees;
    ft_cascade_node *nodes;
    float *leaves;
    int32_t *subsets;                /* node_count * subset_words (LBP) */
    ft_cascade_haar_feature *haar;   /* feature_count (Haar) */
    int (*lbp)[4];                   /* feature_count block rects (LBP) */
} ft_cascade;

/* Reads the cascade XML file PATH into C. On failure C is left empty and
 * ERR holds one line naming PATH and the reason (not XML, truncated, not a
 * cascade, a feature outside the window, ...). */
ft_status ft_cascade_load(const char *path, ft_cascade *c, char *err, size_t err_size);

/* The same from memory; NAME stands for the file in messages. */
ft_status ft_cascade_parse(const char *xml, size_t size, const char *name, ft_cascade *c,
                           char *err, size_t err_size);

void ft_cascade_free(ft_cascade *c);

#endif
