/* An ONNX detector whose input takes the frame's shape: YuNet runs on the
 * frame padded to a multiple of 32 (as OpenCV reshapes it), SCRFD on the
 * det_size square. The graph is loaded for the input shape asked (the
 * shared graph cache keeps one per shape) and run where the caller's place
 * says (XNNPACK, or a GPU: face/model_session.h); asking for
 * another shape reopens it, so a video of one size loads it once. */
#ifndef FT_FACE_SHAPED_SESSION_H
#define FT_FACE_SHAPED_SESSION_H

#include <stddef.h>

#include <pthreadpool.h>

#include "face/model_session.h"
#include "nn/graph.h"
#include "nn/session.h"

/* Says why GRAPH is not the model the caller expects (REASON, one line),
 * or returns FT_OK. */
typedef ft_status (*ft_shaped_check_fn)(void *context, const ft_nn_graph *graph, char *reason,
                                        size_t reason_size);

typedef struct ft_shaped_session {
    char model[1024];
    ft_shaped_check_fn check;
    void *context;
    ft_model_place place; /* the caller's pool (NULL: its thread), or its GPU */
    int width, height;  /* of the open input; 0: none open */
    int fixed_width, fixed_height; /* the size the model declares; 0: symbolic */
    const ft_nn_graph *graph;
    ft_nn_session *session;
} ft_shaped_session;

/* Remembers MODEL and opens it for a 3 x HEIGHT x WIDTH input, checking it
 * with CHECK. One line naming the model in ERR on failure. */
ft_status ft_shaped_session_open(ft_shaped_session *s, const char *model, ft_shaped_check_fn check,
                                 void *context, const ft_model_place *place, int width,
                                 int height, char *err, size_t err_size);

/* The session for a 3 x HEIGHT x WIDTH input, reopened when the shape
 * changes. */
ft_status ft_shaped_session_reshape(ft_shaped_session *s, int width, int height, char *err,
                                    size_t err_size);

void ft_shaped_session_close(ft_shaped_session *s);

#endif
