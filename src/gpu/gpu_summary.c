/* The CUDA line of --version, /api/version and the web UI: the truth about
 * the GPUs this process can use, never merely what was built. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpu/device_info.h"
#include "gpu/driver_libs.h"
#include "gpu/gpu_summary.h"
#include "gpu/nvml_probe.h"

int ft_gpu_cc_has_kernels(int major, int minor)
{
    /* cmake builds machine code and PTX for each architecture listed: the
     * oldest one's PTX runs on any newer chip. */
    const int cc = major * 10 + minor;
    const char *p = ft_gpu_archs();
    int oldest = 0;
    while (*p) {
        const int arch = atoi(p);
        if (arch > 0 && (oldest == 0 || arch < oldest))
            oldest = arch;
        p += strcspn(p, ",");
        p += *p == ',';
    }
    return oldest > 0 && cc >= oldest;
}

/* Appends TEXT, cutting it where BUF ends. */
static void append(char *buf, size_t size, size_t *used, const char *text)
{
    if (*used + 1 >= size)
        return;
    const int n = snprintf(buf + *used, size - *used, "%s", text);
    if (n > 0)
        *used = *used + (size_t)n < size ? *used + (size_t)n : size - 1;
}

static void version_text(int v, char *out, size_t size)
{
    snprintf(out, size, "%d.%d", v / 1000, v % 1000 / 10);
}

int ft_gpu_summary(char *buf, size_t size, int allow_context)
{
    if (!buf || size == 0)
        return 0;
    buf[0] = '\0';
    if (!ft_gpu_built()) {
        snprintf(buf, size, "not built");
        return 0;
    }
    const int count = ft_gpu_device_count();
    if (count == 0) {
        const int driver = ft_gpu_driver_version(), runtime = ft_gpu_runtime_version();
        char have[16], need[16];
        version_text(driver, have, sizeof have);
        version_text(runtime, need, sizeof need);
        if (driver == 0)
            snprintf(buf, size, "built, no GPU found (no NVIDIA driver)");
        else if (driver < runtime)
            snprintf(buf, size, "built, no GPU found (driver supports CUDA %s, this build needs %s)",
                     have, need);
        else
            snprintf(buf, size, "built, no GPU found");
        return 0;
    }
    size_t used = 0;
    int usable = 0;
    char part[320];
    snprintf(part, sizeof part, "%d GPU%s (", count, count == 1 ? "" : "s");
    append(buf, size, &used, part);
    for (int d = 0; d < count; d++) {
        ft_gpu_props p;
        if (d)
            append(buf, size, &used, "; ");
        if (ft_gpu_device_props(d, &p) != 0) {
            append(buf, size, &used, "unreadable");
            continue;
        }
        append(buf, size, &used, p.name);
        ft_nvml_stats s;
        long long free_bytes = -1, total = p.total_bytes;
        if (ft_nvml_device_stats(p.pci_bus_id, &s) == 0 && s.memory_known)
            free_bytes = s.free_bytes;
        else if (allow_context && ft_gpu_device_memory(d, &free_bytes, &total) != 0)
            free_bytes = -1;
        if (free_bytes >= 0)
            snprintf(part, sizeof part, ", %.0f GiB free", (double)free_bytes / (1 << 30));
        else
            snprintf(part, sizeof part, ", %.0f GiB", (double)total / (1 << 30));
        append(buf, size, &used, part);
        if (ft_gpu_cc_has_kernels(p.cc_major, p.cc_minor)) {
            usable++;
        } else {
            snprintf(part, sizeof part, ", no kernels for sm_%d%d", p.cc_major, p.cc_minor);
            append(buf, size, &used, part);
        }
    }
    append(buf, size, &used, ")");
    return usable;
}
