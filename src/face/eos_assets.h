/* The eos model files loaded once per process: every eos engine of a
 * process (one per worker thread) reads the same immutable model, mapper,
 * contour and edge topology, as the neural networks' graphs are shared. */
#ifndef FT_FACE_EOS_ASSETS_H
#define FT_FACE_EOS_ASSETS_H

#include <stddef.h>

#include "face/eos_model.h"

enum {
    FT_EOS_SHAPE_FILE,
    FT_EOS_EXPRESSIONS_FILE,
    FT_EOS_MAPPER_FILE,
    FT_EOS_EDGES_FILE,
    FT_EOS_CONTOUR_FILE,
    FT_EOS_CONTOUR_LANDMARKS_FILE, /* the contour points; may be the mapper */
    FT_EOS_FILES
};

typedef struct ft_eos_assets {
    ft_eos_model model;
    ft_eos_mapper mapper; /* with the contour points of its file */
    ft_eos_contour contour;
    ft_eos_edges edges;
} ft_eos_assets;

/* The assets of these files, read and checked on first use and counted;
 * one line naming the file in ERR on failure. Give them back with
 * ft_eos_assets_release. */
ft_status ft_eos_assets_acquire(const char *const paths[FT_EOS_FILES], const ft_eos_assets **out,
                                char *err, size_t err_size);
void ft_eos_assets_release(const ft_eos_assets *assets);

#endif
