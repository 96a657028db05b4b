/* libnvidia-ml.so.1 through dlopen: facetrack never links it, so a machine
 * without the driver runs the same program. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "gpu/dl_symbol.h"
#include "gpu/nvml_probe.h"

/* The few NVML types used, as nvml.h declares them. */
typedef int nvml_return;
typedef void *nvml_device;
typedef struct {
    unsigned int gpu, memory;
} nvml_utilization;
typedef struct {
    unsigned long long total, free, used;
} nvml_memory;

static struct {
    int ok;
    nvml_return (*system_driver_version)(char *, unsigned int);
    nvml_return (*device_by_pci)(const char *, nvml_device *);
    nvml_return (*utilization)(nvml_device, nvml_utilization *);
    nvml_return (*memory)(nvml_device, nvml_memory *);
} nvml;

static pthread_once_t nvml_once = PTHREAD_ONCE_INIT;

/* Loaded once and kept: NVML's own state is per process, and nvmlShutdown
 * would race with other threads still asking. */
static void nvml_load(void)
{
    void *h = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
    nvml_return (*init)(void);
    if (!h)
        return;
    if (FT_DL_SYMBOL(h, "nvmlInit_v2", init) != 0 ||
        FT_DL_SYMBOL(h, "nvmlSystemGetDriverVersion", nvml.system_driver_version) != 0 ||
        FT_DL_SYMBOL(h, "nvmlDeviceGetHandleByPciBusId_v2", nvml.device_by_pci) != 0 ||
        FT_DL_SYMBOL(h, "nvmlDeviceGetUtilizationRates", nvml.utilization) != 0 ||
        FT_DL_SYMBOL(h, "nvmlDeviceGetMemoryInfo", nvml.memory) != 0 || init() != 0) {
        dlclose(h);
        return;
    }
    nvml.ok = 1;
}

int ft_nvml_available(void)
{
    pthread_once(&nvml_once, nvml_load);
    return nvml.ok;
}

int ft_nvml_driver_version(char *buf, size_t size)
{
    char v[96] = "";
    if (!buf || size == 0 || !ft_nvml_available() || nvml.system_driver_version(v, sizeof v) != 0 ||
        !v[0])
        return -1;
    snprintf(buf, size, "%s", v);
    return 0;
}

int ft_nvml_device_stats(const char *bus_id, ft_nvml_stats *out)
{
    nvml_device dev = NULL;
    if (!out)
        return -1;
    memset(out, 0, sizeof *out);
    if (!bus_id || !ft_nvml_available() || nvml.device_by_pci(bus_id, &dev) != 0)
        return -1;
    nvml_utilization u;
    if (nvml.utilization(dev, &u) == 0) {
        out->utilization_known = 1;
        out->gpu_percent = (int)u.gpu;
        out->memory_percent = (int)u.memory;
    }
    nvml_memory m;
    if (nvml.memory(dev, &m) == 0) {
        out->memory_known = 1;
        out->total_bytes = (long long)m.total;
        out->used_bytes = (long long)m.used;
        out->free_bytes = (long long)m.free;
    }
    return 0;
}
