#include <stdio.h>
#include <string.h>

#include "cli/doctor_facts.h"
#include "facetrack.h"
#include "gpu/gpu_summary.h"
#include "media/nvdec.h"
#include "models/model_path.h"

#define GET_NPM "scripts/models.sh"
#define GET_TASK "facetrack models pull face_landmarker.task"

/* The engine's default models by role (src/face/default_models.c decides
 * which file fills each), and the small detector the inference check runs. */
static const struct {
    const char *role, *needs, *get;
    int required;
} roles[FT_DOCTOR_ROLES] = {
    {"detector", "finding faces", GET_NPM " (npm models), or " GET_TASK, 1},
    {"landmarks", "the 478 landmarks", GET_NPM " (npm models), or " GET_TASK, 1},
    {"blendshapes", "the 52 blendshapes (optional: they are null without it)", GET_TASK, 0},
    {"geometry", "head pose and the transformation matrix", GET_NPM, 1},
    {"inference check", "this check's test model", GET_NPM, 0},
};
#define SHORT_RANGE "face_detection_short_range.tflite"

/* SPEC "DIR/FILE[:MEMBER]" -> FILE's registry entry. Folders of the search
 * path hold no ':' (FACETRACK_MODEL_PATH separates them with it). */
static const ft_model_info *spec_model(const char *spec)
{
    const char *base = strrchr(spec, '/');
    char file[PATH_MAX];
    base = base ? base + 1 : spec;
    snprintf(file, sizeof file, "%.*s", (int)strcspn(base, ":"), base);
    return ft_model_lookup(file);
}

static void gather_models(ft_doctor_facts *f)
{
    for (int i = 0; i < FT_DOCTOR_ROLES; i++) {
        ft_doctor_model *m = &f->models[i];
        m->role = roles[i].role;
        m->needs = roles[i].needs;
        m->get = roles[i].get;
        m->required = roles[i].required;
        ft_status st;
        if (strcmp(m->role, "inference check") == 0)
            st = ft_model_find(SHORT_RANGE, m->spec, sizeof m->spec);
        else
            st = ft_face_default_model(m->role, m->spec, sizeof m->spec);
        if (st != FT_OK) {
            m->spec[0] = '\0';
            continue;
        }
        m->info = spec_model(m->spec);
        if (m->info)
            ft_model_locate(m->info, &m->found, FT_LOG_DEBUG);
    }
}

/* The short-range detector when its bytes are the pinned ones, else the
 * default detector: a model whose SHA-256 is wrong proves nothing. */
static void pick_inference_model(ft_doctor_facts *f)
{
    for (int i = FT_DOCTOR_ROLES - 1; i >= 0; i--) {
        const ft_doctor_model *m = &f->models[i];
        if (strcmp(m->role, "inference check") != 0 && strcmp(m->role, "detector") != 0)
            continue;
        if (m->spec[0] && m->found.check && strcmp(m->found.check, "ok") == 0) {
            snprintf(f->inference_spec, sizeof f->inference_spec, "%s", m->spec);
            return;
        }
    }
    snprintf(f->inference_error, sizeof f->inference_error,
             "no face detector with the pinned SHA-256 on the model search path (get it: "
             "%s)", GET_NPM);
}

static void gather_gpu(ft_doctor_gpu *g, int d)
{
    memset(g, 0, sizeof *g);
    g->index = d;
    g->props_ok = ft_gpu_device_props(d, &g->props) == 0;
    g->total_bytes = g->props_ok ? g->props.total_bytes : 0;
    g->memory_ok = ft_gpu_device_memory(d, &g->free_bytes, &g->total_bytes) == 0;
    g->kernels = ft_gpu_device_kernels(d, g->kernels_detail, sizeof g->kernels_detail);
    g->nvml_ok = g->props_ok && ft_nvml_device_stats(g->props.pci_bus_id, &g->nvml) == 0;
    ft_gpu_nvdec_probe(d, &g->nvdec);
    g->nvdec_sessions = -1;
    if (g->nvdec.caps_known && g->nvdec.h264)
        g->nvdec_sessions = ft_nvdec_count_sessions(d, FT_DOCTOR_NVDEC_SESSIONS,
                                                    g->nvdec_sessions_why,
                                                    sizeof g->nvdec_sessions_why);
    else
        snprintf(g->nvdec_sessions_why, sizeof g->nvdec_sessions_why,
                 "NVDEC does not decode H.264 here");
}

static void run_inference(ft_doctor_facts *f)
{
    if (!f->inference_spec[0])
        return;
    char err[512];
    ft_doctor_inference *inf =
        ft_doctor_inference_open(f->inference_spec, &f->reference, err, sizeof err);
    if (!inf) {
        snprintf(f->inference_error, sizeof f->inference_error, "%s", err);
        return;
    }
    const ft_nn_backend_def *xnn = ft_nn_backend_find("xnnpack");
    if (xnn)
        ft_doctor_inference_run(inf, xnn, -1, &f->xnnpack);
    const ft_nn_backend_def *cuda = ft_nn_backend_find("cuda");
    for (int i = 0; cuda && i < f->gpu_count; i++)
        if (f->gpus[i].kernels == 1)
            ft_doctor_inference_run(inf, cuda, f->gpus[i].index, &f->gpus[i].inference);
    ft_doctor_inference_free(inf);
}

void ft_doctor_gather(ft_doctor_facts *f, int device)
{
    memset(f, 0, sizeof *f);
    f->requested_device = device;
    f->cuda_built = ft_gpu_built();
    f->runtime_version = ft_gpu_runtime_version();
    f->driver_version = ft_gpu_driver_version();
    f->libcuda = ft_gpu_libcuda_found();
    f->kernel_driver_found = ft_gpu_kernel_driver_version(f->kernel_driver, sizeof f->kernel_driver,
                                                          &f->kernel_driver_source) == 0;
    f->nvml = ft_nvml_available();
    f->device_count = ft_gpu_device_count();
    ft_gpu_count_error(f->count_error, sizeof f->count_error);
    f->cublas_ok = ft_gpu_cublas_version(&f->cublas[0], &f->cublas[1], &f->cublas[2]) == 0;
    if (ft_gpu_cublas_path(f->cublas_path, sizeof f->cublas_path) != 0)
        f->cublas_path[0] = '\0';
    ft_gpu_cudnn_probe(&f->cudnn);
    for (int d = 0; d < f->device_count && f->gpu_count < FT_DOCTOR_MAX_GPUS; d++)
        if (device < 0 || d == device)
            gather_gpu(&f->gpus[f->gpu_count++], d);
    if (f->gpu_count == 0)
        ft_gpu_nvdec_probe(-1, &f->nvdec);
    else
        f->nvdec = f->gpus[0].nvdec;
    /* After the devices were asked: with NVML, the free memory it reports. */
    ft_gpu_summary(f->summary, sizeof f->summary, 1);
    gather_models(f);
    pick_inference_model(f);
    run_inference(f);
}
