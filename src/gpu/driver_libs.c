/* dlopen probes of NVIDIA's libraries: each is opened, asked, and closed,
 * with the declarations of the few calls made written out here, so that
 * neither building nor running facetrack needs them. */
#define _GNU_SOURCE /* dladdr: the file a library was loaded from */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "gpu/dl_symbol.h"
#include "gpu/driver_libs.h"
#include "gpu/nvml_probe.h"

/* A "1.2" or "580.159.04" token. */
static int is_version(const char *t, size_t n)
{
    int dots = 0;
    if (n == 0 || !isdigit((unsigned char)t[0]) || !isdigit((unsigned char)t[n - 1]))
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i] == '.')
            dots++;
        else if (!isdigit((unsigned char)t[i]))
            return 0;
    }
    return dots >= 1;
}

int ft_gpu_kernel_driver_version(char *buf, size_t size, const char **source)
{
    static const char proc_path[] = "/proc/driver/nvidia/version";
    if (!buf || size == 0)
        return -1;
    if (ft_nvml_driver_version(buf, size) == 0) {
        if (source)
            *source = "NVML";
        return 0;
    }
    /* "NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.159.04  Release
     * Build ..." (or "... Open Kernel Module for x86_64  580.65.06 ..."):
     * the first version-like word of the first line. */
    FILE *f = fopen(proc_path, "r");
    char line[512];
    int found = 0;
    if (f && fgets(line, sizeof line, f)) {
        const char *p = strstr(line, "Module");
        for (p = p ? p : line; *p && !found;) {
            p += strspn(p, " \t\n");
            const size_t n = strcspn(p, " \t\n");
            if (is_version(p, n)) {
                snprintf(buf, size, "%.*s", (int)n, p);
                found = 1;
            }
            p += n;
        }
    }
    if (f)
        fclose(f);
    if (found && source)
        *source = proc_path;
    return found ? 0 : -1;
}

int ft_gpu_libcuda_found(void)
{
    void *h = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
    if (h)
        dlclose(h);
    return h != NULL;
}

/* Opens SONAME into LIB; its path from SYMBOL's address. */
static void *open_library(const char *soname, const char *symbol, ft_gpu_library *lib)
{
    memset(lib, 0, sizeof *lib);
    void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        snprintf(lib->why, sizeof lib->why, "%s", e ? e : "not found");
        return NULL;
    }
    lib->found = 1;
    void *sym = dlsym(h, symbol);
    Dl_info info;
    if (sym && dladdr(sym, &info) && info.dli_fname)
        snprintf(lib->path, sizeof lib->path, "%s", info.dli_fname);
    return h;
}

void ft_gpu_cudnn_probe(ft_gpu_library *out)
{
    size_t (*get_version)(void);
    void *h = open_library("libcudnn.so.9", "cudnnGetVersion", out);
    if (!h)
        return;
    if (FT_DL_SYMBOL(h, "cudnnGetVersion", get_version) == 0) {
        /* cuDNN 9 encodes MAJOR * 10000 + MINOR * 100 + PATCH. */
        const size_t v = get_version();
        snprintf(out->version, sizeof out->version, "%zu.%zu.%zu", v / 10000, v / 100 % 100,
                 v % 100);
    }
    dlclose(h);
}

/* The NVDEC and driver API declarations used (cuviddec.h, cuda.h). */
typedef int cu_result;
typedef void *cu_context;
enum { CUVID_CODEC_H264 = 4, CUVID_CODEC_HEVC = 8, CUVID_CODEC_VP9 = 10, CUVID_CODEC_AV1 = 11,
       CUVID_CHROMA_420 = 1 };

/* The codecs the reader sends to NVDEC (media/nvdec.c), at the depths
 * their profiles have. */
static const struct {
    const char *name;
    int codec, bit_depth;
} nvdec_codecs[FT_GPU_NVDEC_CODECS] = {
    {"h264", CUVID_CODEC_H264, 8}, {"hevc", CUVID_CODEC_HEVC, 8}, {"hevc", CUVID_CODEC_HEVC, 10},
    {"hevc", CUVID_CODEC_HEVC, 12}, {"vp9", CUVID_CODEC_VP9, 8},  {"vp9", CUVID_CODEC_VP9, 10},
    {"av1", CUVID_CODEC_AV1, 8},    {"av1", CUVID_CODEC_AV1, 10},
};
typedef struct {
    int codec;           /* cudaVideoCodec, in */
    int chroma_format;   /* cudaVideoChromaFormat, in */
    unsigned bit_depth_minus_8;
    unsigned reserved1[3];
    unsigned char supported;
    unsigned char engines; /* nNumNVDECs; 0 from older drivers */
    unsigned short output_format_mask;
    unsigned max_width, max_height, max_mb_count;
    unsigned short min_width, min_height;
    unsigned reserved3[32]; /* room for fields later drivers add */
} cuvid_decode_caps;

typedef struct {
    cu_result (*init)(unsigned);
    cu_result (*device_get)(int *, int);
    cu_result (*retain)(cu_context *, int);
    cu_result (*release)(int);
    cu_result (*push)(cu_context);
    cu_result (*pop)(cu_context *);
} driver_api;

static int load_driver_api(void *h, driver_api *d)
{
    return FT_DL_SYMBOL(h, "cuInit", d->init) || FT_DL_SYMBOL(h, "cuDeviceGet", d->device_get) ||
           FT_DL_SYMBOL(h, "cuDevicePrimaryCtxRetain", d->retain) ||
           FT_DL_SYMBOL(h, "cuDevicePrimaryCtxRelease_v2", d->release) ||
           FT_DL_SYMBOL(h, "cuCtxPushCurrent_v2", d->push) ||
           FT_DL_SYMBOL(h, "cuCtxPopCurrent_v2", d->pop);
}

/* cuvidGetDecoderCaps wants a current context: DEVICE's primary one, the
 * context the CUDA runtime uses too. */
static void ask_decoder(void *nvcuvid, int device, ft_gpu_nvdec *out)
{
    cu_result (*get_caps)(cuvid_decode_caps *);
    driver_api d;
    void *cuda = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!cuda) {
        snprintf(out->why, sizeof out->why, "libcuda.so.1 not found");
        return;
    }
    int dev = 0;
    cu_context ctx = NULL;
    cu_result r;
    if (FT_DL_SYMBOL(nvcuvid, "cuvidGetDecoderCaps", get_caps) || load_driver_api(cuda, &d)) {
        snprintf(out->why, sizeof out->why, "the driver lacks cuvidGetDecoderCaps or the context calls");
    } else if ((r = d.init(0)) != 0 || (r = d.device_get(&dev, device)) != 0 ||
               (r = d.retain(&ctx, dev)) != 0) {
        snprintf(out->why, sizeof out->why, "CUDA driver error %d on GPU %d", r, device);
    } else {
        if ((r = d.push(ctx)) == 0) {
            for (int k = 0; k < FT_GPU_NVDEC_CODECS; k++) {
                cuvid_decode_caps caps;
                memset(&caps, 0, sizeof caps);
                caps.codec = nvdec_codecs[k].codec;
                caps.chroma_format = CUVID_CHROMA_420;
                caps.bit_depth_minus_8 = (unsigned)nvdec_codecs[k].bit_depth - 8;
                if ((r = get_caps(&caps)) != 0) {
                    snprintf(out->why, sizeof out->why, "cuvidGetDecoderCaps failed (error %d)", r);
                    break;
                }
                out->codecs[out->codec_count++] = (ft_gpu_nvdec_codec){
                    nvdec_codecs[k].name, nvdec_codecs[k].bit_depth, caps.supported != 0,
                    caps.max_width, caps.max_height};
                if (k == 0) { /* H.264 8-bit: the summary */
                    out->caps_known = 1;
                    out->h264 = caps.supported != 0;
                    out->max_width = caps.max_width;
                    out->max_height = caps.max_height;
                    out->engines = caps.engines;
                }
            }
            cu_context popped;
            d.pop(&popped);
        } else {
            snprintf(out->why, sizeof out->why, "CUDA driver error %d on GPU %d", r, device);
        }
        d.release(dev);
    }
    dlclose(cuda);
}

void ft_gpu_nvdec_probe(int device, ft_gpu_nvdec *out)
{
    memset(out, 0, sizeof *out);
    void *h = open_library("libnvcuvid.so.1", "cuvidGetDecoderCaps", &out->library);
    if (!h) {
        snprintf(out->why, sizeof out->why, "%s", out->library.why);
        return;
    }
    if (device >= 0)
        ask_decoder(h, device, out);
    else
        snprintf(out->why, sizeof out->why, "no GPU to ask");
    dlclose(h);
}
