#include <stdio.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>

#include "facetrack.h"
#include "gpu/device_info.h"

const char *ft_version(void)
{
    return FT_VERSION_STRING;
}

const char *ft_build_info(void)
{
    static char info[256];
    unsigned f = avformat_version(), c = avcodec_version(), s = swscale_version();
    /* Written once per call with the same content: harmless if racing. */
    snprintf(info, sizeof info,
             "libavformat %u.%u.%u, libavcodec %u.%u.%u, libswscale %u.%u.%u, cuda %s",
             f >> 16, (f >> 8) & 255, f & 255, c >> 16, (c >> 8) & 255, c & 255,
             s >> 16, (s >> 8) & 255, s & 255, ft_gpu_built() ? "built" : "not built");
    return info;
}
