/* facetrack doctor: whether this machine runs facetrack, and on what: the
 * build, the NVIDIA driver and libraries, each GPU, the models, and one
 * small inference on every device compared with the CPU's. One line per
 * check, or one JSON object for scripts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_writer.h"
#include "cli/cli.h"
#include "cli/doctor_facts.h"
#include "facetrack.h"

static const char usage[] =
    "usage: facetrack doctor [--json] [--gpu] [--device N]\n"
    "\n"
    "Checks what facetrack needs and can use here, one line per check (ok,\n"
    "warn, missing, fail or skip, and what was found or what to install):\n"
    "the build and its CUDA part, the NVIDIA driver (its version, the CUDA\n"
    "version it supports), each GPU (name, compute capability, free and total\n"
    "memory, whether this build has kernels for it), the CUDA runtime, cuBLAS,\n"
    "cuDNN, NVDEC and NVML (found with dlopen; facetrack needs none of the last\n"
    "three), the default models on the search path with their SHA-256 against\n"
    "the pins, and a small model run on the CPU rows and on each GPU from the\n"
    "same input, compared with the reference (within 1e-4 of each output's\n"
    "largest magnitude) and timed.\n"
    "\n"
    "  --json       one JSON object: the facts, and \"checks\" [{name, status,\n"
    "               detail}], \"failed\" and \"ok\"\n"
    "  --gpu        a working GPU is required: exit 1, saying what to install,\n"
    "               without one\n"
    "  --device N   examine GPU N alone (exit 1 when there is no such GPU)\n"
    "\n"
    "Exit status 0 when nothing failed (a machine without a GPU is fine unless\n"
    "--gpu asks for one), 1 when a check failed (a model whose SHA-256 is not\n"
    "the pinned one, a GPU whose results differ from the CPU's) or a requested\n"
    "GPU is missing, 2 for a usage error.\n";

#define NO_DRIVER                                                                                 \
    "no NVIDIA driver found: install the nvidia-driver package (Debian's non-free "              \
    "section, or cuda-drivers from NVIDIA's CUDA repository) and reboot"
#define NO_TOOLKIT                                                                                \
    "built without CUDA: install the CUDA toolkit (nvidia-cuda-toolkit, or cuda-toolkit from "   \
    "NVIDIA's repository) and rebuild (FACETRACK_CUDA=ON)"

typedef struct check {
    char name[32];
    const char *status; /* "ok", "warn", "missing", "fail", "skip" */
    char detail[8192]; /* room for two paths and a runtime message */
} check;

typedef struct report {
    check checks[64];
    int count;
    int failed;
} report;

static check *add(report *r, const char *status, const char *name)
{
    /* Never full: 13 checks and two per GPU, FT_DOCTOR_MAX_GPUS at most.
     * Were it full, the last line would be overwritten, never memory. */
    if (r->count == (int)(sizeof r->checks / sizeof r->checks[0]))
        r->count--;
    check *c = &r->checks[r->count++];
    snprintf(c->name, sizeof c->name, "%s", name);
    c->status = status;
    c->detail[0] = '\0';
    r->failed += strcmp(status, "fail") == 0;
    return c;
}

static void cuda_version(int v, char *out, size_t size)
{
    snprintf(out, size, "%d.%d", v / 1000, v % 1000 / 10);
}

static double gib(long long bytes)
{
    return (double)bytes / (double)(1LL << 30);
}

/* "sm_80, sm_90" from "80,90". */
static void arch_names(char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (const char *p = ft_gpu_archs(); *p && used < size;) {
        const size_t n = strcspn(p, ",");
        used += (size_t)snprintf(out + used, size - used, "%ssm_%.*s", used ? ", " : "", (int)n, p);
        p += n + (p[n] == ',');
    }
}

/* "GPU 0 decodes (4:2:0) h264 8-bit up to 4096x4096, hevc 8/10/12-bit up
 * to 8192x8192, ...; 7 NVDEC engines": each codec once, with the depths it
 * takes and the largest frame of the deepest. */
static void nvdec_line(char *out, size_t size, int gpu, const ft_gpu_nvdec *n)
{
    int at = snprintf(out, size, "libnvcuvid.so.1: GPU %d decodes (4:2:0)", gpu);
    const char *sep = " ";
    for (int k = 0; k < n->codec_count && at >= 0 && (size_t)at < size; k++) {
        const ft_gpu_nvdec_codec *c = &n->codecs[k];
        if (!c->supported || (k > 0 && strcmp(n->codecs[k - 1].codec, c->codec) == 0 &&
                              n->codecs[k - 1].supported))
            continue; /* said with the first supported depth of its codec */
        at += snprintf(out + at, size - (size_t)at, "%s%s %d", sep, c->codec, c->bit_depth);
        unsigned w = c->max_width, h = c->max_height;
        for (int j = k + 1; j < n->codec_count && strcmp(n->codecs[j].codec, c->codec) == 0 &&
                            n->codecs[j].supported && (size_t)at < size;
             j++) {
            at += snprintf(out + at, size - (size_t)at, "/%d", n->codecs[j].bit_depth);
            w = n->codecs[j].max_width;
            h = n->codecs[j].max_height;
        }
        if ((size_t)at < size)
            at += snprintf(out + at, size - (size_t)at, "-bit up to %ux%u", w, h);
        sep = ", ";
    }
    if (n->engines > 0 && at >= 0 && (size_t)at < size)
        snprintf(out + at, size - (size_t)at, "; %d NVDEC engine%s", n->engines,
                 n->engines == 1 ? "" : "s");
}

static void judge_driver(const ft_doctor_facts *f, report *r)
{
    char have[16], need[16];
    cuda_version(f->driver_version, have, sizeof have);
    cuda_version(f->runtime_version, need, sizeof need);
    if (!f->kernel_driver_found && !f->libcuda && f->driver_version == 0) {
        snprintf(add(r, "missing", "driver")->detail, sizeof r->checks[0].detail, "%s", NO_DRIVER);
    } else if (!f->kernel_driver_found && f->driver_version == 0) {
        snprintf(add(r, "warn", "driver")->detail, sizeof r->checks[0].detail,
                 "libcuda.so.1 is installed but the NVIDIA kernel driver is not loaded (no "
                 "/proc/driver/nvidia/version): reboot or run 'modprobe nvidia'; in a container, "
                 "pass the GPUs through (docker run --gpus all)");
    } else if (f->cuda_built && f->driver_version == 0) {
        snprintf(add(r, "warn", "driver")->detail, sizeof r->checks[0].detail,
                 "NVIDIA kernel driver %s, but its CUDA library libcuda.so.1 does not load: "
                 "install it (package libcuda1 of the same version as nvidia-driver)",
                 f->kernel_driver);
    } else if (f->cuda_built && f->driver_version < f->runtime_version) {
        snprintf(add(r, "warn", "driver")->detail, sizeof r->checks[0].detail,
                 "NVIDIA driver %s supports CUDA %s; this build needs CUDA %s: install a newer "
                 "nvidia-driver", f->kernel_driver_found ? f->kernel_driver : "(version unknown)",
                 have, need);
    } else {
        check *c = add(r, "ok", "driver");
        int n = snprintf(c->detail, sizeof c->detail, "NVIDIA %s",
                         f->kernel_driver_found ? f->kernel_driver : "(kernel module version unknown)");
        if (f->kernel_driver_found && n > 0 && (size_t)n < sizeof c->detail)
            n += snprintf(c->detail + n, sizeof c->detail - (size_t)n, " (from %s)",
                          f->kernel_driver_source);
        if (f->driver_version && n > 0 && (size_t)n < sizeof c->detail)
            snprintf(c->detail + n, sizeof c->detail - (size_t)n, ", supports CUDA %s", have);
    }
}

static void judge_gpu(const ft_doctor_gpu *g, report *r)
{
    char name[32], memory[96], util[48] = "";
    snprintf(name, sizeof name, "gpu %d", g->index);
    if (!g->props_ok) {
        snprintf(add(r, "fail", name)->detail, sizeof r->checks[0].detail,
                 "cannot read its properties");
        return;
    }
    const ft_gpu_props *p = &g->props;
    if (g->memory_ok)
        snprintf(memory, sizeof memory, "%.1f GiB free of %.1f GiB", gib(g->free_bytes),
                 gib(g->total_bytes));
    else
        snprintf(memory, sizeof memory, "%.1f GiB", gib(p->total_bytes));
    if (g->nvml_ok && g->nvml.utilization_known)
        snprintf(util, sizeof util, ", %d %% busy", g->nvml.gpu_percent);
    char archs[128];
    arch_names(archs, sizeof archs);
    const char *status = g->kernels == 1 ? "ok" : "warn";
    check *c = add(r, status, name);
    if (g->kernels == 1)
        snprintf(c->detail, sizeof c->detail, "%s, compute capability %d.%d, %s%s, kernels: %s",
                 p->name, p->cc_major, p->cc_minor, memory, util, g->kernels_detail);
    else if (p->cc_major < 8)
        snprintf(c->detail, sizeof c->detail,
                 "%s, compute capability %d.%d, %s: facetrack's GPU kernels need compute "
                 "capability 8.0 or newer (this build has %s)",
                 p->name, p->cc_major, p->cc_minor, memory, archs);
    else
        snprintf(c->detail, sizeof c->detail,
                 "%s, compute capability %d.%d, %s: %s (this build has %s; rebuild with "
                 "CMAKE_CUDA_ARCHITECTURES including %d%d)",
                 p->name, p->cc_major, p->cc_minor, memory,
                 g->kernels_detail[0] ? g->kernels_detail : "no kernels for it", archs,
                 p->cc_major, p->cc_minor);
}

static void judge_gpus(const ft_doctor_facts *f, report *r)
{
    if (f->requested_device >= f->device_count) {
        snprintf(add(r, "fail", "gpu")->detail, sizeof r->checks[0].detail,
                 "no GPU %d: this machine has %d%s", f->requested_device, f->device_count,
                 f->cuda_built ? "" : " (built without CUDA)");
        return;
    }
    if (!f->cuda_built) {
        snprintf(add(r, "skip", "gpu")->detail, sizeof r->checks[0].detail,
                 "built without CUDA");
        return;
    }
    if (f->device_count == 0) {
        const char *hidden = getenv("CUDA_VISIBLE_DEVICES");
        /* Without a driver the runtime's reason ("driver version is
         * insufficient") would mislead: the driver line says what is missing. */
        const int no_driver = f->driver_version == 0;
        const char *why = no_driver ? "no NVIDIA driver" : f->count_error;
        check *c = add(r, "missing", "gpu");
        snprintf(c->detail, sizeof c->detail, "CUDA built, no GPU found%s%s%s%s%s",
                 why[0] ? " (" : "", why, why[0] ? ")" : "",
                 hidden ? "; CUDA_VISIBLE_DEVICES=" : "", hidden ? hidden : "");
        return;
    }
    for (int i = 0; i < f->gpu_count; i++)
        judge_gpu(&f->gpus[i], r);
}

static void judge_libraries(const ft_doctor_facts *f, report *r)
{
    const size_t size = sizeof r->checks[0].detail;
    if (f->cuda_built) {
        char v[16];
        cuda_version(f->runtime_version, v, sizeof v);
        snprintf(add(r, "ok", "cuda runtime")->detail, size, "CUDA %s, linked into facetrack", v);
        if (f->cublas_ok)
            snprintf(add(r, "ok", "cublas")->detail, size, "cuBLAS %d.%d.%d%s%s%s", f->cublas[0],
                     f->cublas[1], f->cublas[2], f->cublas_path[0] ? " (" : "", f->cublas_path,
                     f->cublas_path[0] ? ")" : "");
        else
            snprintf(add(r, "fail", "cublas")->detail, size, "cannot read cuBLAS's version");
    } else {
        snprintf(add(r, "skip", "cuda runtime")->detail, size, "built without CUDA");
        snprintf(add(r, "skip", "cublas")->detail, size, "built without CUDA");
    }
    if (f->cudnn.found)
        snprintf(add(r, "ok", "cudnn")->detail, size,
                 "cuDNN %s (%s); facetrack does not use it",
                 f->cudnn.version[0] ? f->cudnn.version : "(version unknown)",
                 f->cudnn.path[0] ? f->cudnn.path : "libcudnn.so.9");
    else
        snprintf(add(r, "missing", "cudnn")->detail, size,
                 "libcudnn.so.9 not found (optional: facetrack's cuda row does not use cuDNN)");
    const ft_gpu_nvdec *n = &f->nvdec;
    if (!n->library.found)
        snprintf(add(r, "missing", "nvdec")->detail, size,
                 "libnvcuvid.so.1 not found (optional: it comes with the driver, package "
                 "libnvcuvid1; facetrack decodes video on the CPU)");
    else if (n->caps_known && n->h264) {
        char *line = add(r, "ok", "nvdec")->detail;
        nvdec_line(line, size, f->gpus[0].index, n);
        const size_t at = strlen(line);
        const int sessions = f->gpus[0].nvdec_sessions;
        if (sessions >= FT_DOCTOR_NVDEC_SESSIONS)
            snprintf(line + at, size - at, "; %d 1080p H.264 decoders open at once (the most tried)",
                     sessions);
        else if (sessions >= 0)
            snprintf(line + at, size - at, "; %d 1080p H.264 decoder%s open at once%s%s%s",
                     sessions, sessions == 1 ? "" : "s",
                     f->gpus[0].nvdec_sessions_why[0] ? " (" : "", f->gpus[0].nvdec_sessions_why,
                     f->gpus[0].nvdec_sessions_why[0] ? ")" : "");
        else
            snprintf(line + at, size - at, "; decoders not counted: %s",
                     f->gpus[0].nvdec_sessions_why);
    }
    else if (n->caps_known)
        snprintf(add(r, "warn", "nvdec")->detail, size,
                 "libnvcuvid.so.1: GPU %d does not decode H.264 8-bit 4:2:0", f->gpus[0].index);
    else
        snprintf(add(r, f->gpu_count ? "warn" : "ok", "nvdec")->detail, size,
                 "libnvcuvid.so.1 found (%s)", n->why);
    if (f->nvml)
        snprintf(add(r, "ok", "nvml")->detail, size,
                 "libnvidia-ml.so.1: GPU utilisation and memory for serve's /api/system");
    else
        snprintf(add(r, "missing", "nvml")->detail, size,
                 "libnvidia-ml.so.1 not found (optional: it comes with the driver, package "
                 "libnvidia-ml1; without it serve reports no GPU utilisation)");
}

static void judge_models(const ft_doctor_facts *f, report *r)
{
    const size_t size = sizeof r->checks[0].detail;
    for (int i = 0; i < FT_DOCTOR_ROLES; i++) {
        const ft_doctor_model *m = &f->models[i];
        char name[32];
        snprintf(name, sizeof name, "model %s", m->role);
        if (!m->spec[0]) {
            if (strcmp(m->role, "inference check") == 0)
                snprintf(add(r, "missing", name)->detail, size,
                         "face_detection_short_range.tflite not found (the check runs the "
                         "detector instead; get it: %s)", m->get);
            else
                snprintf(add(r, "missing", name)->detail, size, "no model for %s; get it: %s",
                         m->needs, m->get);
        } else if (!m->info || !m->found.check) {
            snprintf(add(r, "warn", name)->detail, size, "%s: no pinned SHA-256 to check",
                     m->spec);
        } else if (strcmp(m->found.check, "ok") == 0) {
            snprintf(add(r, "ok", name)->detail, size, "%s, SHA-256 ok", m->spec);
        } else if (strcmp(m->found.check, "mismatch") == 0) {
            snprintf(add(r, "fail", name)->detail, size,
                     "%s: SHA-256 %.12s… differs from the pinned %.12s…: replace it (get it: %s)",
                     m->found.path, m->found.sha256, m->info->sha256, m->get);
        } else {
            snprintf(add(r, "fail", name)->detail, size, "%s: unreadable", m->found.path);
        }
    }
}

/* "face_detection_short_range.tflite" from its full spec. */
static const char *model_label(const char *spec)
{
    const char *slash = strrchr(spec, '/');
    return slash ? slash + 1 : spec;
}

static void judge_inference(const ft_doctor_facts *f, report *r)
{
    const size_t size = sizeof r->checks[0].detail;
    const char *model = model_label(f->inference_spec);
    if (!f->inference_spec[0] || !f->reference.ran) {
        const char *status = f->inference_spec[0] ? "fail" : "skip";
        snprintf(add(r, status, "inference cpu")->detail, size, "%s%s%s",
                 f->inference_spec[0] ? model : "", f->inference_spec[0] ? ": " : "",
                 f->inference_error);
    } else if (f->xnnpack.backend && !f->xnnpack.ran) {
        snprintf(add(r, "fail", "inference cpu")->detail, size, "%s on xnnpack: %s", model,
                 f->xnnpack.error);
    } else {
        const ft_doctor_run *x = &f->xnnpack;
        check *c = add(r, x->backend && !x->within ? "fail" : "ok", "inference cpu");
        if (x->backend)
            snprintf(c->detail, size,
                     "%s: reference %.2f ms, xnnpack %.2f ms, max relative difference %.2g "
                     "(tolerance %.0e)",
                     model, f->reference.median_ms, x->median_ms, x->max_rel_diff,
                     FT_DOCTOR_REL_TOL);
        else
            snprintf(c->detail, size, "%s: reference %.2f ms", model, f->reference.median_ms);
    }
    for (int i = 0; i < f->gpu_count; i++) {
        const ft_doctor_gpu *g = &f->gpus[i];
        const ft_doctor_run *run = &g->inference;
        char name[32];
        snprintf(name, sizeof name, "inference gpu %d", g->index);
        if (!run->backend) {
            snprintf(add(r, "skip", name)->detail, size, "%s",
                     g->kernels != 1        ? "no kernels for this GPU"
                     : !f->reference.ran    ? "no reference result to compare with"
                                            : "no cuda row in this build");
        } else if (!run->ran) {
            snprintf(add(r, "fail", name)->detail, size, "%s on cuda: %s", model, run->error);
        } else {
            snprintf(add(r, run->within ? "ok" : "fail", name)->detail, size,
                     "%s: cuda %.2f ms against reference %.2f ms, max relative difference %.2g "
                     "(tolerance %.0e), %d of %d ops on the GPU",
                     model, run->median_ms, f->reference.median_ms, run->max_rel_diff,
                     FT_DOCTOR_REL_TOL, run->native_ops, run->op_count);
        }
    }
}

/* Why no GPU works, with what to install; NULL when one does. */
static const char *gpu_problem(const ft_doctor_facts *f, char *buf, size_t size)
{
    if (!f->cuda_built)
        return NO_TOOLKIT;
    for (int i = 0; i < f->gpu_count; i++) {
        const ft_doctor_run *run = &f->gpus[i].inference;
        if (f->gpus[i].kernels == 1 && (!run->backend || (run->ran && run->within)))
            return NULL;
    }
    if (!f->kernel_driver_found && !f->libcuda && f->driver_version == 0)
        return NO_DRIVER;
    if (f->driver_version == 0 || f->driver_version < f->runtime_version) {
        char have[16], need[16];
        cuda_version(f->driver_version, have, sizeof have);
        cuda_version(f->runtime_version, need, sizeof need);
        if (f->driver_version == 0)
            snprintf(buf, size, "the NVIDIA driver does not load (libcuda.so.1 or its kernel "
                                "module): reinstall nvidia-driver and reboot");
        else
            snprintf(buf, size, "the NVIDIA driver supports CUDA %s, this build needs %s: "
                                "install a newer nvidia-driver", have, need);
        return buf;
    }
    if (f->device_count == 0) {
        const char *hidden = getenv("CUDA_VISIBLE_DEVICES");
        snprintf(buf, size, "the driver lists no GPU%s%s%s", hidden ? " (CUDA_VISIBLE_DEVICES='" : "",
                 hidden ? hidden : "", hidden ? "')" : "");
        return buf;
    }
    snprintf(buf, size, "no GPU passed its checks (see the gpu and inference lines)");
    return buf;
}

static void write_run(ft_json *w, const ft_doctor_run *run)
{
    ft_json_object_begin(w);
    ft_json_kv_string(w, "backend", run->backend);
    ft_json_key(w, "device");
    if (run->device >= 0)
        ft_json_int(w, run->device);
    else
        ft_json_null(w);
    ft_json_kv_bool(w, "ran", run->ran);
    ft_json_key(w, "median_ms");
    if (run->ran)
        ft_json_double_digits(w, run->median_ms, 4);
    else
        ft_json_null(w);
    ft_json_key(w, "max_relative_difference");
    if (run->ran)
        ft_json_double_digits(w, run->max_rel_diff, 3);
    else
        ft_json_null(w);
    ft_json_kv_bool(w, "within_tolerance", run->ran && run->within);
    ft_json_kv_int(w, "native_ops", run->native_ops);
    ft_json_kv_int(w, "ops", run->op_count);
    ft_json_kv_string(w, "error", run->error[0] ? run->error : NULL);
    ft_json_object_end(w);
}

static void kv_version(ft_json *w, const char *key, int v)
{
    char text[16];
    cuda_version(v, text, sizeof text);
    ft_json_kv_string(w, key, v ? text : NULL);
}

static void write_library(ft_json *w, const char *key, const ft_gpu_library *lib)
{
    ft_json_key(w, key);
    ft_json_object_begin(w);
    ft_json_kv_bool(w, "found", lib->found);
    ft_json_kv_string(w, "version", lib->version[0] ? lib->version : NULL);
    ft_json_kv_string(w, "path", lib->path[0] ? lib->path : NULL);
    ft_json_object_end(w);
}

static void write_gpu(ft_json *w, const ft_doctor_gpu *g)
{
    char cc[16];
    ft_json_object_begin(w);
    ft_json_kv_int(w, "index", g->index);
    ft_json_kv_string(w, "name", g->props_ok ? g->props.name : NULL);
    ft_json_kv_string(w, "pci_bus_id", g->props_ok ? g->props.pci_bus_id : NULL);
    snprintf(cc, sizeof cc, "%d.%d", g->props.cc_major, g->props.cc_minor);
    ft_json_kv_string(w, "compute_capability", g->props_ok ? cc : NULL);
    ft_json_kv_int(w, "total_bytes", g->total_bytes);
    ft_json_key(w, "free_bytes");
    if (g->memory_ok)
        ft_json_int(w, g->free_bytes);
    else
        ft_json_null(w);
    ft_json_key(w, "utilization_percent");
    if (g->nvml_ok && g->nvml.utilization_known)
        ft_json_int(w, g->nvml.gpu_percent);
    else
        ft_json_null(w);
    ft_json_key(w, "kernels");
    if (g->kernels >= 0)
        ft_json_bool(w, g->kernels);
    else
        ft_json_null(w);
    ft_json_kv_string(w, "kernels_detail", g->kernels_detail);
    ft_json_key(w, "nvdec_h264");
    if (g->nvdec.caps_known)
        ft_json_bool(w, g->nvdec.h264);
    else
        ft_json_null(w);
    ft_json_key(w, "nvdec_sessions");
    if (g->nvdec_sessions >= 0)
        ft_json_int(w, g->nvdec_sessions);
    else
        ft_json_null(w);
    ft_json_kv_int(w, "nvdec_sessions_tried", FT_DOCTOR_NVDEC_SESSIONS);
    ft_json_key(w, "nvdec_codecs");
    ft_json_array_begin(w);
    for (int k = 0; k < g->nvdec.codec_count; k++) {
        const ft_gpu_nvdec_codec *c = &g->nvdec.codecs[k];
        ft_json_object_begin(w);
        ft_json_kv_string(w, "codec", c->codec);
        ft_json_kv_int(w, "bit_depth", c->bit_depth);
        ft_json_kv_bool(w, "supported", c->supported);
        ft_json_kv_int(w, "max_width", c->max_width);
        ft_json_kv_int(w, "max_height", c->max_height);
        ft_json_object_end(w);
    }
    ft_json_array_end(w);
    ft_json_key(w, "inference");
    if (g->inference.backend)
        write_run(w, &g->inference);
    else
        ft_json_null(w);
    ft_json_object_end(w);
}

static void write_models(ft_json *w, const ft_doctor_facts *f)
{
    ft_json_key(w, "models");
    ft_json_array_begin(w);
    for (int i = 0; i < FT_DOCTOR_ROLES; i++) {
        const ft_doctor_model *m = &f->models[i];
        ft_json_object_begin(w);
        ft_json_kv_string(w, "role", m->role);
        ft_json_kv_bool(w, "required", m->required);
        ft_json_kv_string(w, "name", m->info ? m->info->file : NULL);
        ft_json_kv_string(w, "spec", m->spec[0] ? m->spec : NULL);
        ft_json_kv_string(w, "path", m->found.check ? m->found.path : NULL);
        ft_json_kv_string(w, "sha256", m->found.sha256[0] ? m->found.sha256 : NULL);
        ft_json_kv_string(w, "pinned_sha256", m->info ? m->info->sha256 : NULL);
        ft_json_kv_string(w, "check", m->spec[0] ? m->found.check : "missing");
        ft_json_kv_string(w, "get", m->get);
        ft_json_object_end(w);
    }
    ft_json_array_end(w);
}

static ft_status write_json(const ft_doctor_facts *f, const report *r, int gpu_requested, int ok)
{
    ft_json w;
    ft_json_init(&w, stdout, 1);
    ft_json_object_begin(&w);
    ft_json_kv_string(&w, "version", ft_version());
    ft_json_kv_string(&w, "cuda", f->summary);
    ft_json_kv_bool(&w, "cuda_built", f->cuda_built);
    ft_json_key(&w, "cuda_archs");
    ft_json_array_begin(&w);
    for (const char *p = ft_gpu_archs(); *p;) {
        ft_json_int(&w, atoi(p));
        p += strcspn(p, ",");
        p += *p == ',';
    }
    ft_json_array_end(&w);
    kv_version(&w, "cuda_runtime_version", f->runtime_version);
    ft_json_key(&w, "driver");
    ft_json_object_begin(&w);
    ft_json_kv_bool(&w, "found", f->kernel_driver_found || f->driver_version > 0);
    ft_json_kv_string(&w, "version", f->kernel_driver_found ? f->kernel_driver : NULL);
    ft_json_kv_string(&w, "version_source", f->kernel_driver_found ? f->kernel_driver_source : NULL);
    kv_version(&w, "cuda_version", f->driver_version);
    ft_json_kv_bool(&w, "libcuda", f->libcuda);
    ft_json_object_end(&w);
    ft_json_kv_int(&w, "gpu_count", f->device_count);
    ft_json_kv_string(&w, "gpu_error", f->count_error[0] ? f->count_error : NULL);
    ft_json_key(&w, "gpus");
    ft_json_array_begin(&w);
    for (int i = 0; i < f->gpu_count; i++)
        write_gpu(&w, &f->gpus[i]);
    ft_json_array_end(&w);
    ft_json_key(&w, "libraries");
    ft_json_object_begin(&w);
    ft_json_key(&w, "cublas");
    ft_json_object_begin(&w);
    ft_json_kv_bool(&w, "found", f->cublas_ok);
    char v[48];
    snprintf(v, sizeof v, "%d.%d.%d", f->cublas[0], f->cublas[1], f->cublas[2]);
    ft_json_kv_string(&w, "version", f->cublas_ok ? v : NULL);
    ft_json_kv_string(&w, "path", f->cublas_path[0] ? f->cublas_path : NULL);
    ft_json_object_end(&w);
    write_library(&w, "cudnn", &f->cudnn);
    write_library(&w, "nvdec", &f->nvdec.library);
    ft_json_key(&w, "nvml");
    ft_json_object_begin(&w);
    ft_json_kv_bool(&w, "found", f->nvml);
    ft_json_object_end(&w);
    ft_json_object_end(&w);
    write_models(&w, f);
    ft_json_key(&w, "inference");
    ft_json_object_begin(&w);
    ft_json_kv_string(&w, "model", f->inference_spec[0] ? f->inference_spec : NULL);
    ft_json_kv_double(&w, "tolerance", FT_DOCTOR_REL_TOL);
    ft_json_key(&w, "cpu");
    ft_json_array_begin(&w);
    if (f->reference.ran || f->reference.error[0])
        write_run(&w, &f->reference);
    if (f->xnnpack.backend)
        write_run(&w, &f->xnnpack);
    ft_json_array_end(&w);
    ft_json_object_end(&w);
    ft_json_key(&w, "requested");
    ft_json_object_begin(&w);
    ft_json_kv_bool(&w, "gpu", gpu_requested);
    ft_json_key(&w, "device");
    if (f->requested_device >= 0)
        ft_json_int(&w, f->requested_device);
    else
        ft_json_null(&w);
    ft_json_object_end(&w);
    ft_json_key(&w, "checks");
    ft_json_array_begin(&w);
    for (int i = 0; i < r->count; i++) {
        ft_json_object_begin(&w);
        ft_json_kv_string(&w, "name", r->checks[i].name);
        ft_json_kv_string(&w, "status", r->checks[i].status);
        ft_json_kv_string(&w, "detail", r->checks[i].detail);
        ft_json_object_end(&w);
    }
    ft_json_array_end(&w);
    ft_json_kv_int(&w, "failed", r->failed);
    ft_json_kv_bool(&w, "ok", ok);
    ft_json_object_end(&w);
    return ft_json_finish(&w);
}

static int run_doctor(int argc, char **argv)
{
    int json = 0, gpu = 0;
    long long device = -1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "--gpu") == 0) {
            gpu = 1;
        } else if (strcmp(argv[i], "--device") == 0) {
            if (i + 1 >= argc || (device = ft_cli_parse_count(argv[i + 1])) < 0 ||
                device > 1000000)
                return ft_cli_usage_error("doctor", "--device needs a GPU number (0, 1, ...)");
            i++;
        } else {
            return ft_cli_usage_error("doctor", "unknown argument '%s'", argv[i]);
        }
    }
    ft_doctor_facts *f = calloc(1, sizeof *f);
    report *r = calloc(1, sizeof *r);
    if (!f || !r) {
        free(f);
        free(r);
        fprintf(stderr, "facetrack doctor: out of memory\n");
        return FT_EXIT_FAILED;
    }
    ft_doctor_gather(f, (int)device);

    char archs[128];
    arch_names(archs, sizeof archs);
    if (f->cuda_built)
        snprintf(add(r, "ok", "build")->detail, sizeof r->checks[0].detail,
                 "facetrack %s, CUDA part built for %s", ft_version(), archs);
    else
        snprintf(add(r, "missing", "build")->detail, sizeof r->checks[0].detail,
                 "facetrack %s %s", ft_version(), NO_TOOLKIT);
    judge_driver(f, r);
    judge_gpus(f, r);
    judge_libraries(f, r);
    judge_models(f, r);
    judge_inference(f, r);

    char why[512];
    const int no_device = device >= 0 && device >= f->device_count;
    const char *problem = gpu ? gpu_problem(f, why, sizeof why) : NULL;
    const int ok = r->failed == 0 && !no_device && !problem;
    int rc = FT_EXIT_OK;
    if (json) {
        if (write_json(f, r, gpu, ok) != FT_OK)
            rc = FT_EXIT_FAILED;
    } else {
        for (int i = 0; i < r->count; i++)
            printf("%-7s  %-21s  %s\n", r->checks[i].status, r->checks[i].name,
                   r->checks[i].detail);
        printf("\ncuda: %s\n%d check%s failed\n", f->summary, r->failed,
               r->failed == 1 ? "" : "s");
        fflush(stdout);
    }
    if (no_device)
        fprintf(stderr, "facetrack doctor: no GPU %lld: this machine has %d\n", device,
                f->device_count);
    else if (problem)
        fprintf(stderr, "facetrack doctor: no working GPU: %s\n", problem);
    if (!ok)
        rc = FT_EXIT_FAILED;
    free(f);
    free(r);
    return rc;
}

const ft_command ft_cmd_doctor = {"doctor", "what facetrack can use here: driver, GPUs, models",
                                  usage, run_doctor};
