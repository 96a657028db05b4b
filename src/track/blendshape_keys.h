/* The blendshape keys a tracking output writes, in order: the names
 * STEP5_BLENDSHAPES_PROFILE keeps of the engine's set. MediaPipe's engine
 * names its 52 scores as MediaPipe does (_neutral first, no tongueOut); the
 * original's other engines named theirs in ARKit's set and order (tongueOut
 * last, no _neutral), so they do here: the same scores under the same
 * names, tongueOut 0 (no network here gives it). */
#ifndef FT_TRACK_BLENDSHAPE_KEYS_H
#define FT_TRACK_BLENDSHAPE_KEYS_H

#include "track/track_config.h"

#define FT_BLENDSHAPE_MAX_KEYS 53

typedef struct ft_blendshape_key {
    const char *name;
    int index; /* into ft_face.blendshapes; -1: written as 0 */
} ft_blendshape_key;

/* 1 when ENGINE's blendshapes carry ARKit's names. */
int ft_blendshape_keys_arkit(const char *engine);

/* The keys CONFIG's profile writes for ENGINE into KEYS; their count. */
int ft_blendshape_keys(const ft_track_config *config, const char *engine,
                       ft_blendshape_key keys[FT_BLENDSHAPE_MAX_KEYS]);

#endif
