/* GET /api/health, /api/version, /api/system: what the service runs on. */
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "base/meminfo.h"
#include "gpu/device_info.h"
#include "gpu/gpu_summary.h"
#include "gpu/nvml_probe.h"
#include "serve/request.h"

enum MHD_Result ft_api_health(const ft_request *r)
{
    ft_reply reply;
    ft_reply_begin(&reply);
    ft_json_object_begin(&reply.json);
    ft_json_kv_string(&reply.json, "status", "ok");
    ft_json_object_end(&reply.json);
    return ft_reply_send(r, &reply, MHD_HTTP_OK);
}

enum MHD_Result ft_api_version(const ft_request *r)
{
    ft_reply reply;
    ft_reply_begin(&reply);
    ft_json_object_begin(&reply.json);
    ft_json_kv_string(&reply.json, "name", "facetrack");
    ft_json_kv_string(&reply.json, "version", ft_version());
    ft_caps caps;
    ft_caps_get(&caps);
    /* GPU support means a GPU inference backend, not merely a CUDA build. */
    int gpu_backend = 0;
    ft_json_key(&reply.json, "backends");
    ft_json_array_begin(&reply.json);
    for (int i = 0; i < caps.backend_count; i++) {
        ft_json_string(&reply.json, caps.backends[i]);
        gpu_backend |= strcmp(caps.backends[i], "cuda") == 0 && caps.backend_usable[i];
    }
    ft_json_array_end(&reply.json);
    ft_json_kv_bool(&reply.json, "gpu_support", gpu_backend && caps.cuda_devices > 0);
    ft_json_kv_bool(&reply.json, "cuda_built", caps.cuda_built);
    ft_json_kv_int(&reply.json, "cuda_devices", caps.cuda_devices);
    /* The truth about the GPUs, never "GPU build" alone. No CUDA context:
     * the service keeps running and must not hold GPU memory. */
    char cuda[1024];
    ft_gpu_summary(cuda, sizeof cuda, 0);
    ft_json_kv_string(&reply.json, "cuda", cuda);
    ft_json_kv_int(&reply.json, "engines_available", caps.engines_available);
    ft_json_object_end(&reply.json);
    return ft_reply_send(r, &reply, MHD_HTTP_OK);
}

static void write_load(ft_json *j)
{
    double load[3] = {0, 0, 0};
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3)
            load[0] = load[1] = load[2] = 0;
        fclose(f);
    }
    ft_json_key(j, "load");
    ft_json_array_begin(j);
    for (int i = 0; i < 3; i++)
        ft_json_double_places(j, load[i], 2);
    ft_json_array_end(j);
}

static void write_disk(ft_json *j, const char *path)
{
    struct statvfs fs;
    ft_json_key(j, "disk");
    if (!path || statvfs(path, &fs) != 0) {
        ft_json_null(j);
        return;
    }
    ft_json_object_begin(j);
    ft_json_kv_int(j, "total_bytes", (int64_t)fs.f_blocks * (int64_t)fs.f_frsize);
    ft_json_kv_int(j, "free_bytes", (int64_t)fs.f_bavail * (int64_t)fs.f_frsize);
    ft_json_object_end(j);
}

static void kv_int_or_null(ft_json *j, const char *key, int known, long long value)
{
    ft_json_key(j, key);
    if (known)
        ft_json_int(j, value);
    else
        ft_json_null(j);
}

/* Each GPU: its name and memory from the CUDA runtime, utilisation and
 * memory in use from NVML (null without it). */
static void write_gpus(ft_json *j)
{
    ft_json_key(j, "gpus");
    ft_json_array_begin(j);
    for (int d = 0; d < ft_gpu_device_count(); d++) {
        ft_gpu_props p;
        if (ft_gpu_device_props(d, &p) != 0)
            continue;
        ft_nvml_stats s;
        const int nvml = ft_nvml_device_stats(p.pci_bus_id, &s) == 0;
        char cc[16];
        snprintf(cc, sizeof cc, "%d.%d", p.cc_major, p.cc_minor);
        ft_json_object_begin(j);
        ft_json_kv_int(j, "index", d);
        ft_json_kv_string(j, "name", p.name);
        ft_json_kv_string(j, "compute_capability", cc);
        ft_json_kv_int(j, "memory_total_bytes", nvml && s.memory_known ? s.total_bytes : p.total_bytes);
        kv_int_or_null(j, "memory_used_bytes", nvml && s.memory_known, s.used_bytes);
        kv_int_or_null(j, "memory_free_bytes", nvml && s.memory_known, s.free_bytes);
        kv_int_or_null(j, "utilization_percent", nvml && s.utilization_known, s.gpu_percent);
        kv_int_or_null(j, "memory_utilization_percent", nvml && s.utilization_known,
                       s.memory_percent);
        ft_json_object_end(j);
    }
    ft_json_array_end(j);
}

enum MHD_Result ft_api_system(const ft_request *r)
{
    ft_reply reply;
    ft_reply_begin(&reply);
    ft_json *j = &reply.json;
    ft_json_object_begin(j);
    ft_json_kv_int(j, "cpus", sysconf(_SC_NPROCESSORS_ONLN));
    write_load(j);
    ft_json_key(j, "memory");
    ft_json_object_begin(j);
    ft_json_kv_int(j, "total_bytes", ft_meminfo_bytes("MemTotal"));
    ft_json_kv_int(j, "available_bytes", ft_meminfo_bytes("MemAvailable"));
    ft_json_object_end(j);
    write_disk(j, r->options->data_dir);
    char cuda[1024];
    ft_gpu_summary(cuda, sizeof cuda, 0);
    ft_json_kv_string(j, "cuda", cuda);
    write_gpus(j);
    ft_json_object_end(j);
    return ft_reply_send(r, &reply, MHD_HTTP_OK);
}
