/* Class functions for engines built on the shared tracker (see
 * tracker_engine.h). */
#include "engines/tracker_engine.h"

static ft_face_tracker *tracker_of(void *priv)
{
    return *(ft_face_tracker **)priv;
}

static const ft_face_tracker *const_tracker_of(const void *priv)
{
    return *(ft_face_tracker *const *)priv;
}

ft_status ft_tracker_engine_send(void *priv, const ft_face_image *image, int64_t timestamp_us)
{
    return ft_face_tracker_send(tracker_of(priv), image, timestamp_us);
}

ft_status ft_tracker_engine_receive(void *priv, ft_face *faces, int capacity, int *count,
                                    int64_t *timestamp_us)
{
    return ft_face_tracker_receive(tracker_of(priv), faces, capacity, count, timestamp_us);
}

ft_status ft_tracker_engine_flush(void *priv)
{
    return ft_face_tracker_flush(tracker_of(priv));
}

void ft_tracker_engine_signal_cut(void *priv)
{
    ft_face_tracker_signal_cut(tracker_of(priv));
}

void ft_tracker_engine_reset(void *priv)
{
    ft_face_tracker_reset(tracker_of(priv));
}

void ft_tracker_engine_timings(const void *priv, ft_face_timings *out)
{
    ft_face_tracker_timings(const_tracker_of(priv), out);
}

const char *ft_tracker_engine_error(const void *priv)
{
    return ft_face_tracker_error(const_tracker_of(priv));
}
