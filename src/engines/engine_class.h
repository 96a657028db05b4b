/* An engine class: what the registry holds for each face engine (FFmpeg's
 * AVCodec). An instance is created from a class by ft_face_engine_create();
 * the class's functions see only their own private state. */
#ifndef FT_ENGINES_ENGINE_CLASS_H
#define FT_ENGINES_ENGINE_CLASS_H

#include <stddef.h>
#include <stdint.h>

#include "face/face_types.h"
#include "facetrack.h"

typedef struct ft_engine_class {
    ft_engine_info info;
    /* NULL when the class runs everywhere it is built; else 1, or 0 with one
     * line saying why (a missing device, a missing library). */
    int (*available)(char *why, size_t why_size);
    /* 1 when AVAILABLE only looks for the default model: a detector_model
     * named in the options makes the engine available (a missing or wrong
     * file is then create's error, naming it). */
    int available_with_model;
    /* NULL create: this build does not include the engine; the line says
     * so in `facetrack engines`. */
    const char *not_built;
    size_t priv_size; /* private state, zeroed before create */
    /* OPTIONS are checked for the common ranges already. */
    ft_status (*create)(void *priv, const ft_face_options *options, char *err, size_t err_size);
    /* 1: send also takes pictures on a GPU (ft_face_image.gpu), which the
     * class reads through the model warps only (ft_image_to_tensors). */
    int takes_device_frames;
    /* One frame (RGB or RGBA, see ft_face_image): FT_EAGAIN when results
     * must be received first. NULL IMAGE: drain. */
    ft_status (*send)(void *priv, const ft_face_image *image, int64_t timestamp_us);
    /* The oldest finished frame's faces (CAPACITY >= num_faces), FT_EAGAIN,
     * or FT_EOF after a drain. */
    ft_status (*receive)(void *priv, ft_face *faces, int capacity, int *count,
                         int64_t *timestamp_us);
    /* NULL, or finishes the frames held so that receive gives them without
     * a drain (for ft_face_engine_process). */
    ft_status (*flush)(void *priv);
    void (*signal_cut)(void *priv);
    void (*reset)(void *priv);
    void (*timings)(const void *priv, ft_face_timings *out);
    /* The last failure, one line. */
    const char *(*error)(const void *priv);
    void (*free)(void *priv); /* releases what create made; not PRIV itself */
} ft_engine_class;

/* Adds CLASS after the built-in engines (tests plug engines in this way),
 * at start-up before any other thread uses the registry; CLASS must outlive
 * every use. FT_ERR_INVALID_ARG when a name is taken. */
ft_status ft_engine_register(const ft_engine_class *cls);

/* The class of INFO (which points into a class). */
const ft_engine_class *ft_engine_class_of(const ft_engine_info *info);

#endif
