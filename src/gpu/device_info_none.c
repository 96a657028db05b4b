/* CPU-only build: there is no GPU to report. */
#include "gpu/device_info.h"

int ft_gpu_built(void)
{
    return 0;
}

int ft_gpu_device_count(void)
{
    return 0;
}

int ft_gpu_device_name(int device, char *buf, size_t size)
{
    (void)device;
    if (buf && size)
        buf[0] = '\0';
    return -1;
}
