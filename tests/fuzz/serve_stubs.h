/* What the serve fuzz targets link in place of the engine registry and the
 * job store: only the names the code under test asks for. */
#ifndef FT_FUZZ_SERVE_STUBS_H
#define FT_FUZZ_SERVE_STUBS_H

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "facetrack.h"

static const ft_engine_info fuzz_engine = {.name = "mediapipe_landmarker"};

const ft_engine_info *ft_engine_find(const char *name)
{
    return name && strcasecmp(name, fuzz_engine.name) == 0 ? &fuzz_engine : NULL;
}

int ft_engine_available(const ft_engine_info *engine, char *why, size_t why_size)
{
    (void)engine;
    if (why && why_size)
        snprintf(why, why_size, "available");
    return 1;
}

const char *ft_job_step_name(int step)
{
    return step == 1 ? "scenes" : step == 2 ? "track" : NULL;
}

#endif
