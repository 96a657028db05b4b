/* Which blendshape names an output carries (see blendshape_keys.h). */
#include "track/blendshape_keys.h"

#include <string.h>

#include "facetrack.h"

/* ARKit's 52 (ARFaceAnchor.BlendShapeLocation, as Apple lists them). */
static const char *const arkit[] = {
    "eyeBlinkLeft",     "eyeLookDownLeft",    "eyeLookInLeft",       "eyeLookOutLeft",
    "eyeLookUpLeft",    "eyeSquintLeft",      "eyeWideLeft",         "eyeBlinkRight",
    "eyeLookDownRight", "eyeLookInRight",     "eyeLookOutRight",     "eyeLookUpRight",
    "eyeSquintRight",   "eyeWideRight",       "jawForward",          "jawLeft",
    "jawRight",         "jawOpen",            "mouthClose",          "mouthFunnel",
    "mouthPucker",      "mouthLeft",          "mouthRight",          "mouthSmileLeft",
    "mouthSmileRight",  "mouthFrownLeft",     "mouthFrownRight",     "mouthDimpleLeft",
    "mouthDimpleRight", "mouthStretchLeft",   "mouthStretchRight",   "mouthRollLower",
    "mouthRollUpper",   "mouthShrugLower",    "mouthShrugUpper",     "mouthPressLeft",
    "mouthPressRight",  "mouthLowerDownLeft", "mouthLowerDownRight", "mouthUpperUpLeft",
    "mouthUpperUpRight", "browDownLeft",      "browDownRight",       "browInnerUp",
    "browOuterUpLeft",  "browOuterUpRight",   "cheekPuff",           "cheekSquintLeft",
    "cheekSquintRight", "noseSneerLeft",      "noseSneerRight",      "tongueOut",
};
_Static_assert(sizeof arkit / sizeof arkit[0] == FT_FACE_BLENDSHAPE_COUNT, "ARKit has 52");

/* The original's engines whose blendshapes were ARKit dictionaries. */
static const char *const arkit_engines[] = {"opencv_yunet_pyfeat", "openseeface", "insightface",
                                            "eos"};

int ft_blendshape_keys_arkit(const char *engine)
{
    for (size_t i = 0; engine && i < sizeof arkit_engines / sizeof arkit_engines[0]; i++)
        if (strcmp(engine, arkit_engines[i]) == 0)
            return 1;
    return 0;
}

static int score_index(const char *name)
{
    for (int i = 0; i < FT_FACE_BLENDSHAPE_COUNT; i++)
        if (strcmp(ft_face_blendshape_name(i), name) == 0)
            return i;
    return -1;
}

static int listed(const ft_track_config *c, const char *name)
{
    for (int k = 0; k < c->export_key_count; k++)
        if (strcmp(c->export_keys[k], name) == 0)
            return 1;
    return 0;
}

static int kept(const ft_track_config *c, const char *name)
{
    switch (c ? c->blendshape_profile : FT_BLENDSHAPES_FULL) {
    case FT_BLENDSHAPES_NONE:
        return 0;
    case FT_BLENDSHAPES_MOUTH:
        return strncmp(name, "mouth", 5) == 0 || strncmp(name, "jaw", 3) == 0 ||
               (strcmp(name, "tongueOut") == 0 && c->include_tongue);
    case FT_BLENDSHAPES_CUSTOM:
        return listed(c, name);
    case FT_BLENDSHAPES_MEDIAPIPE: /* MediaPipe's set: no tongueOut */
        return strcmp(name, "tongueOut") != 0;
    default:
        return 1;
    }
}

int ft_blendshape_keys(const ft_track_config *c, const char *engine,
                       ft_blendshape_key keys[FT_BLENDSHAPE_MAX_KEYS])
{
    int n = 0;
    if (!ft_blendshape_keys_arkit(engine)) {
        for (int i = 0; i < FT_FACE_BLENDSHAPE_COUNT; i++)
            if (kept(c, ft_face_blendshape_name(i)))
                keys[n++] = (ft_blendshape_key){ft_face_blendshape_name(i), i};
        return n;
    }
    for (int i = 0; i < FT_FACE_BLENDSHAPE_COUNT; i++)
        if (kept(c, arkit[i]))
            keys[n++] = (ft_blendshape_key){arkit[i], score_index(arkit[i])};
    /* the original's "mediapipe" profile adds _neutral = 0.0 after the rest */
    if (c && c->blendshape_profile == FT_BLENDSHAPES_MEDIAPIPE)
        keys[n++] = (ft_blendshape_key){"_neutral", -1};
    return n;
}
