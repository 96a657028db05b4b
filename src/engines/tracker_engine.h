/* The class functions of every engine built on the shared tracker
 * (face/face_tracker.h): its private state starts with the tracker, and
 * sending, receiving, cuts, resets, timings and errors are the tracker's.
 * Such a class lists FT_TRACKER_ENGINE_CALLS and its own create and free. */
#ifndef FT_ENGINES_TRACKER_ENGINE_H
#define FT_ENGINES_TRACKER_ENGINE_H

#include "engines/engine_class.h"
#include "face/face_tracker.h"

/* PRIV points at a struct whose first member is `ft_face_tracker *`. */
ft_status ft_tracker_engine_send(void *priv, const ft_face_image *image, int64_t timestamp_us);
ft_status ft_tracker_engine_receive(void *priv, ft_face *faces, int capacity, int *count,
                                    int64_t *timestamp_us);
ft_status ft_tracker_engine_flush(void *priv);
void ft_tracker_engine_signal_cut(void *priv);
void ft_tracker_engine_reset(void *priv);
void ft_tracker_engine_timings(const void *priv, ft_face_timings *out);
const char *ft_tracker_engine_error(const void *priv);

#define FT_TRACKER_ENGINE_CALLS                                                                   \
    .send = ft_tracker_engine_send, .receive = ft_tracker_engine_receive,                         \
    .flush = ft_tracker_engine_flush, .signal_cut = ft_tracker_engine_signal_cut,                 \
    .reset = ft_tracker_engine_reset, .timings = ft_tracker_engine_timings,                       \
    .error = ft_tracker_engine_error

#endif
