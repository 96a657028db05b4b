/* A stand-in for the driver's libnvidia-ml.so.1 with one GPU at PCI
 * address 0000:41:00.0: the tests check facetrack's dlopen probe against
 * known figures on machines without NVIDIA's driver. */
#include <stdio.h>
#include <string.h>

typedef struct {
    unsigned int gpu, memory;
} fake_utilization;
typedef struct {
    unsigned long long total, free, used;
} fake_memory;

static int device; /* its address is the handle */

int nvmlInit_v2(void);
int nvmlSystemGetDriverVersion(char *version, unsigned int length);
int nvmlDeviceGetHandleByPciBusId_v2(const char *bus_id, void **device_out);
int nvmlDeviceGetUtilizationRates(void *dev, fake_utilization *u);
int nvmlDeviceGetMemoryInfo(void *dev, fake_memory *m);

int nvmlInit_v2(void)
{
    return 0;
}

int nvmlSystemGetDriverVersion(char *version, unsigned int length)
{
    snprintf(version, length, "999.1.2");
    return 0;
}

int nvmlDeviceGetHandleByPciBusId_v2(const char *bus_id, void **device_out)
{
    if (strcmp(bus_id, "0000:41:00.0") != 0)
        return 6; /* NVML_ERROR_NOT_FOUND */
    *device_out = &device;
    return 0;
}

int nvmlDeviceGetUtilizationRates(void *dev, fake_utilization *u)
{
    if (dev != &device)
        return 2;
    u->gpu = 37;
    u->memory = 5;
    return 0;
}

int nvmlDeviceGetMemoryInfo(void *dev, fake_memory *m)
{
    if (dev != &device)
        return 2;
    m->total = 80ULL << 30;
    m->used = 12ULL << 30;
    m->free = m->total - m->used;
    return 0;
}
