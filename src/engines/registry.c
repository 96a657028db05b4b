/* The engine registry: every engine the original workflow names, in its
 * order, then any registered at run time. An engine whose models are
 * missing stays listed, so that its name is recognised and refused with
 * the reason. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "engines/engine_class.h"

extern const ft_engine_class ft_mediapipe_landmarker_class;
extern const ft_engine_class ft_opencv_yunet_class;
extern const ft_engine_class ft_insightface_class;
extern const ft_engine_class ft_openseeface_class;
extern const ft_engine_class ft_opencv_yunet_pyfeat_class;
extern const ft_engine_class ft_eos_class;
#ifdef FT_HAVE_HAAR
extern const ft_engine_class ft_opencv_haar_class;
#else
static const char *const haar_aliases[] = {NULL};
static const ft_engine_class ft_opencv_haar_class = {
    .info = {.name = "opencv_haar", .aliases = haar_aliases, .source = "face_landmarker",
             .label = "face", .description = "OpenCV Haar cascade (frontal faces, boxes only)",
             .landmarks = FT_LANDMARKS_NONE},
    .not_built = "this build leaves it out (FACETRACK_HAAR=OFF)",
};
#endif

static const ft_engine_class *const builtin[] = {
    &ft_mediapipe_landmarker_class, &ft_opencv_haar_class, &ft_opencv_yunet_class,
    &ft_opencv_yunet_pyfeat_class,  &ft_openseeface_class, &ft_eos_class,
    &ft_insightface_class,
};
#define BUILTIN_COUNT ((int)(sizeof builtin / sizeof builtin[0]))
#define MAX_REGISTERED 8

/* Filled at start-up, before any thread reads the registry (see
 * ft_engine_register), so it needs no lock. */
static const ft_engine_class *registered[MAX_REGISTERED];
static int registered_count;

int ft_engine_count(void)
{
    return BUILTIN_COUNT + registered_count;
}

static const ft_engine_class *class_at(int index)
{
    if (index < 0)
        return NULL;
    if (index < BUILTIN_COUNT)
        return builtin[index];
    return index - BUILTIN_COUNT < registered_count ? registered[index - BUILTIN_COUNT] : NULL;
}

const ft_engine_info *ft_engine_at(int index)
{
    const ft_engine_class *c = class_at(index);
    return c ? &c->info : NULL;
}

static int answers_to(const ft_engine_info *info, const char *name)
{
    if (strcasecmp(info->name, name) == 0)
        return 1;
    for (const char *const *a = info->aliases; a && *a; a++)
        if (strcasecmp(*a, name) == 0)
            return 1;
    return 0;
}

const ft_engine_info *ft_engine_find(const char *name)
{
    if (!name)
        return NULL;
    for (int i = 0; i < ft_engine_count(); i++) {
        const ft_engine_info *info = ft_engine_at(i);
        if (info && answers_to(info, name))
            return info;
    }
    return NULL;
}

_Static_assert(offsetof(ft_engine_class, info) == 0, "an engine's info opens its class");

const ft_engine_class *ft_engine_class_of(const ft_engine_info *info)
{
    return (const ft_engine_class *)(const void *)info;
}

int ft_engine_available(const ft_engine_info *info, char *why, size_t why_size)
{
    if (why && why_size)
        why[0] = '\0';
    if (!info)
        return 0;
    const ft_engine_class *c = ft_engine_class_of(info);
    if (!c->create) {
        if (why && why_size)
            snprintf(why, why_size, "%s", c->not_built ? c->not_built : "not built");
        return 0;
    }
    return c->available ? c->available(why, why_size) : 1;
}

ft_status ft_engine_register(const ft_engine_class *cls)
{
    if (!cls || !cls->info.name || !cls->create || !cls->send || !cls->receive)
        return FT_ERR_INVALID_ARG;
    if (ft_engine_find(cls->info.name))
        return FT_ERR_INVALID_ARG;
    for (const char *const *a = cls->info.aliases; a && *a; a++)
        if (ft_engine_find(*a))
            return FT_ERR_INVALID_ARG;
    if (registered_count == MAX_REGISTERED)
        return FT_ERR_NOMEM;
    registered[registered_count++] = cls;
    return FT_OK;
}
