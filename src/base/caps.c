/* ft_caps_get: the inference backends, engines and CUDA devices of this
 * build, in one place for programs and the web service to report. */
#include <string.h>

#include "facetrack.h"
#include "gpu/device_info.h"
#include "nn/backend.h"

void ft_caps_get(ft_caps *caps)
{
    if (!caps)
        return;
    memset(caps, 0, sizeof *caps);
    for (int i = 0; i < ft_nn_backend_count() && caps->backend_count < FT_CAPS_MAX_BACKENDS; i++) {
        const ft_nn_backend_def *b = ft_nn_backend_at(i);
        char why[256];
        caps->backends[caps->backend_count] = b->name;
        caps->backend_usable[caps->backend_count++] = !b->init || b->init(why, sizeof why) == FT_OK;
    }
    caps->engine_count = ft_engine_count();
    for (int i = 0; i < caps->engine_count; i++)
        caps->engines_available += ft_engine_available(ft_engine_at(i), NULL, 0);
    caps->cuda_built = ft_gpu_built();
    caps->cuda_devices = ft_gpu_device_count();
}
