/* Decoding on NVIDIA GPUs (NVDEC) through FFmpeg's CUDA hwaccel.
 *
 * The decoder keeps its pictures in device memory (NV12, P010 and the like);
 * each frame handed on is downloaded and laid out as the planar format the
 * CPU decoder of the same stream produces (NV12 -> yuv420p, P010 ->
 * yuv420p10), so that the one colour conversion after it gives pixels
 * identical to CPU decoding: H.264, HEVC, VP9 and AV1 decoding is bit-exact
 * by specification, whichever decoder runs it.
 *
 * Every reader gets a device context of its own (its own CUDA stream, so
 * readers never wait on each other's copies) on the GPU's primary CUDA
 * context: the one the CUDA runtime of the inference backend uses, so the
 * process holds one context per GPU however many videos decode. FFmpeg's
 * own "primary_ctx" option would insist on scheduling flags of its choice
 * and refuse a context the runtime already made. The driver is reached
 * through the NVIDIA codec headers' loader (dlopen of libcuda), so a
 * machine without a driver still runs everything on the CPU. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The loader's messages would go to stderr: the reasons reach our log. */
#define FFNV_LOG_FUNC(logctx, msg, ...) ((void)(logctx))
#define FFNV_DEBUG_LOG_FUNC(logctx, msg, ...) ((void)(logctx))
#include <ffnvcodec/dynlink_loader.h>

#include <libavcodec/avcodec.h>
#include <libavutil/hwcontext.h>
#include <libavutil/hwcontext_cuda.h>
#include <libavutil/pixdesc.h>

#include "gpu/dl_symbol.h"
#include "media/media_internal.h"
#include "media/nvdec.h"

#define MAX_DEVICES 64

static pthread_mutex_t driver_lock = PTHREAD_MUTEX_INITIALIZER;
static CudaFunctions *cu;         /* the driver, loaded once for the process */
static char driver_failure[160];  /* why it could not be */
static CUcontext primary[MAX_DEVICES]; /* retained for the process's lifetime */

/* GPU DEVICE's primary context, retained by the first caller; NULL with WHY. */
static CUcontext primary_context(int device, char *why, size_t why_size)
{
    if (device < 0 || device >= MAX_DEVICES) {
        snprintf(why, why_size, "no GPU %d", device);
        return NULL;
    }
    pthread_mutex_lock(&driver_lock);
    if (!cu && !driver_failure[0]) {
        if (cuda_load_functions(&cu, NULL) < 0) {
            cu = NULL;
            snprintf(driver_failure, sizeof driver_failure, "no NVIDIA driver (libcuda.so.1 not loadable)");
        } else if (cu->cuInit(0) != CUDA_SUCCESS) {
            cuda_free_functions(&cu);
            snprintf(driver_failure, sizeof driver_failure, "the NVIDIA driver does not start (cuInit failed)");
        }
    }
    CUcontext ctx = NULL;
    if (cu && !primary[device]) {
        CUdevice dev;
        if (cu->cuDeviceGet(&dev, device) == CUDA_SUCCESS)
            cu->cuDevicePrimaryCtxRetain(&primary[device], dev);
    }
    const int have_driver = cu != NULL;
    if (have_driver)
        ctx = primary[device];
    pthread_mutex_unlock(&driver_lock);
    if (!ctx && have_driver)
        snprintf(why, why_size, "no GPU %d", device);
    else if (!ctx)
        snprintf(why, why_size, "%s", driver_failure);
    return ctx;
}

static void destroy_stream(AVHWDeviceContext *dc)
{
    AVCUDADeviceContext *hw = dc->hwctx;
    if (hw->stream) {
        CUcontext dummy;
        cu->cuCtxPushCurrent(hw->cuda_ctx);
        cu->cuStreamDestroy(hw->stream);
        cu->cuCtxPopCurrent(&dummy);
    }
}

/* A device context for one reader on GPU DEVICE; NULL with WHY. */
static AVBufferRef *device_context(int device, char *why, size_t why_size)
{
    CUcontext ctx = primary_context(device, why, why_size);
    if (!ctx)
        return NULL;
    CUstream stream = NULL;
    CUcontext dummy;
    if (cu->cuCtxPushCurrent(ctx) != CUDA_SUCCESS) {
        snprintf(why, why_size, "cannot use GPU %d", device);
        return NULL;
    }
    CUresult made = cu->cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING);
    cu->cuCtxPopCurrent(&dummy);
    AVBufferRef *ref = made == CUDA_SUCCESS ? av_hwdevice_ctx_alloc(AV_HWDEVICE_TYPE_CUDA) : NULL;
    if (!ref) {
        snprintf(why, why_size, "cannot make a CUDA stream on GPU %d", device);
        if (made == CUDA_SUCCESS)
            cu->cuStreamDestroy(stream);
        return NULL;
    }
    AVHWDeviceContext *dc = (AVHWDeviceContext *)ref->data;
    AVCUDADeviceContext *hw = dc->hwctx;
    hw->cuda_ctx = ctx;
    hw->stream = stream;
    dc->free = destroy_stream;
    ft_av_clear_message();
    int ret = av_hwdevice_ctx_init(ref);
    if (ret < 0) {
        char reason[96];
        ft_av_reason(ret, reason, sizeof reason);
        snprintf(why, why_size, "cannot decode on GPU %d: %s", device, reason);
        av_buffer_unref(&ref);
    }
    return ref;
}

/* CUDA frames when the hwaccel offers them; otherwise (a profile, size or
 * chroma format NVDEC refuses, after which libavcodec asks again without
 * CUDA) the decoder's own software format. */
static enum AVPixelFormat prefer_cuda(AVCodecContext *dec, const enum AVPixelFormat *formats)
{
    (void)dec;
    for (const enum AVPixelFormat *p = formats; *p != AV_PIX_FMT_NONE; p++)
        if (*p == AV_PIX_FMT_CUDA)
            return *p;
    for (const enum AVPixelFormat *p = formats; *p != AV_PIX_FMT_NONE; p++) {
        const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(*p);
        if (d && !(d->flags & AV_PIX_FMT_FLAG_HWACCEL))
            return *p;
    }
    return AV_PIX_FMT_NONE;
}

/* Codecs whose decoding the standard defines to the bit: any conformant
 * decoder gives the same pictures. MPEG-4 Part 2 and JPEG leave the inverse
 * DCT's rounding to the decoder, so NVDEC's pictures could differ from the
 * CPU's by a level here and there: they stay on the CPU. */
static int decodes_bit_exactly(enum AVCodecID id)
{
    return id == AV_CODEC_ID_H264 || id == AV_CODEC_ID_HEVC || id == AV_CODEC_ID_VP9 ||
           id == AV_CODEC_ID_AV1;
}

ft_status ft_nvdec_attach(AVCodecContext *dec, const AVCodec *codec, int device, char *why,
                          size_t why_size)
{
    if (!decodes_bit_exactly(codec->id)) {
        snprintf(why, why_size, "%s decoders may round differently, so %s stays on the CPU",
                 codec->name, codec->name);
        return FT_ERR_UNSUPPORTED;
    }
    int offered = 0;
    for (int i = 0;; i++) {
        const AVCodecHWConfig *c = avcodec_get_hw_config(codec, i);
        if (!c)
            break;
        if (c->device_type == AV_HWDEVICE_TYPE_CUDA &&
            (c->methods & AV_CODEC_HW_CONFIG_METHOD_HW_DEVICE_CTX))
            offered = 1;
    }
    if (!offered) {
        snprintf(why, why_size, "this FFmpeg has no NVDEC decoder for %s", codec->name);
        return FT_ERR_UNSUPPORTED;
    }
    AVBufferRef *ctx = device_context(device, why, why_size);
    if (!ctx)
        return FT_ERR_NO_DEVICE;
    dec->hw_device_ctx = ctx;
    dec->get_format = prefer_cuda;
    /* Frame threads would each hold pictures of their own on the device for
     * no gain: NVDEC does the work. */
    dec->thread_count = 1;
    return FT_OK;
}

int ft_nvdec_is_device_frame(const AVFrame *frame)
{
    return frame->format == AV_PIX_FMT_CUDA;
}

ft_status ft_nvdec_picture_ready(const AVFrame *device_frame, char *why, size_t why_size)
{
    const AVHWFramesContext *frames = (const AVHWFramesContext *)device_frame->hw_frames_ctx->data;
    if (frames->sw_format != AV_PIX_FMT_NV12)
        return FT_ERR_UNSUPPORTED;
    const AVCUDADeviceContext *hw = frames->device_ctx->hwctx;
    CUcontext dummy;
    CUresult r = cu->cuCtxPushCurrent(hw->cuda_ctx);
    if (r == CUDA_SUCCESS) {
        r = cu->cuStreamSynchronize(hw->stream);
        cu->cuCtxPopCurrent(&dummy);
    }
    if (r != CUDA_SUCCESS) {
        snprintf(why, why_size, "the GPU failed decoding a frame (CUDA error %d)", (int)r);
        return FT_ERR_NO_DEVICE;
    }
    return FT_OK;
}

/* The planar format libavcodec's CPU decoder gives for the same stream. */
static enum AVPixelFormat planar_of(enum AVPixelFormat semi, int *shift, int *bytes)
{
    *shift = 0;
    *bytes = 1;
    switch (semi) {
    case AV_PIX_FMT_NV12: return AV_PIX_FMT_YUV420P;
    case AV_PIX_FMT_P010LE: *shift = 6; *bytes = 2; return AV_PIX_FMT_YUV420P10LE;
    case AV_PIX_FMT_P016LE: *bytes = 2; return AV_PIX_FMT_YUV420P16LE;
    default: return AV_PIX_FMT_NONE;
    }
}

/* Splits the interleaved chroma plane of a semi-planar frame into the U and
 * V planes of OUT, shifting high-bit-aligned samples down where asked. */
static void split_chroma(const AVFrame *in, AVFrame *out, int shift, int bytes)
{
    const int cw = (in->width + 1) / 2, ch = (in->height + 1) / 2;
    for (int y = 0; y < ch; y++) {
        const uint8_t *src = in->data[1] + (ptrdiff_t)y * in->linesize[1];
        uint8_t *u = out->data[1] + (ptrdiff_t)y * out->linesize[1];
        uint8_t *v = out->data[2] + (ptrdiff_t)y * out->linesize[2];
        if (bytes == 1) {
            for (int x = 0; x < cw; x++) {
                u[x] = src[2 * x];
                v[x] = src[2 * x + 1];
            }
        } else {
            const uint16_t *s16 = (const uint16_t *)src;
            uint16_t *u16 = (uint16_t *)u, *v16 = (uint16_t *)v;
            for (int x = 0; x < cw; x++) {
                u16[x] = (uint16_t)(s16[2 * x] >> shift);
                v16[x] = (uint16_t)(s16[2 * x + 1] >> shift);
            }
        }
    }
    for (int y = 0; y < in->height; y++) {
        const uint8_t *src = in->data[0] + (ptrdiff_t)y * in->linesize[0];
        uint8_t *dst = out->data[0] + (ptrdiff_t)y * out->linesize[0];
        if (shift == 0) {
            memcpy(dst, src, (size_t)in->width * (size_t)bytes);
        } else {
            const uint16_t *s16 = (const uint16_t *)src;
            uint16_t *d16 = (uint16_t *)dst;
            for (int x = 0; x < in->width; x++)
                d16[x] = (uint16_t)(s16[x] >> shift);
        }
    }
}

/* The colour description the conversion reads. */
static void copy_colour(AVFrame *dst, const AVFrame *src)
{
    dst->color_range = src->color_range;
    dst->colorspace = src->colorspace;
    dst->color_primaries = src->color_primaries;
    dst->color_trc = src->color_trc;
    dst->chroma_location = src->chroma_location;
}

ft_status ft_nvdec_download(const AVFrame *device_frame, AVFrame *staging, AVFrame *planar,
                            const AVFrame **out, char *why, size_t why_size)
{
    /* STAGING keeps its buffers from frame to frame while the size and
     * format hold, so a download allocates nothing. */
    const AVHWFramesContext *frames = (const AVHWFramesContext *)device_frame->hw_frames_ctx->data;
    if (staging->format != frames->sw_format || staging->width != device_frame->width ||
        staging->height != device_frame->height)
        av_frame_unref(staging);
    int ret = av_hwframe_transfer_data(staging, device_frame, 0);
    if (ret < 0) {
        char reason[128];
        ft_av_reason(ret, reason, sizeof reason);
        snprintf(why, why_size, "cannot copy a decoded frame from the GPU: %s", reason);
        return FT_ERR_INTERNAL;
    }
    copy_colour(staging, device_frame);
    int shift, bytes;
    const enum AVPixelFormat want = planar_of((enum AVPixelFormat)staging->format, &shift, &bytes);
    if (want == AV_PIX_FMT_NONE) { /* already planar (4:4:4) */
        *out = staging;
        return FT_OK;
    }
    if (planar->format != want || planar->width != staging->width ||
        planar->height != staging->height) {
        av_frame_unref(planar);
        planar->format = want;
        planar->width = staging->width;
        planar->height = staging->height;
        if (av_frame_get_buffer(planar, 64) < 0) {
            snprintf(why, why_size, "out of memory");
            return FT_ERR_NOMEM;
        }
    }
    split_chroma(staging, planar, shift, bytes);
    copy_colour(planar, device_frame);
    *out = planar;
    return FT_OK;
}

int ft_nvdec_count_sessions(int device, int limit, char *why, size_t why_size)
{
    CUcontext ctx = primary_context(device, why, why_size);
    if (!ctx)
        return -1;
    CuvidFunctions *cv = NULL;
    if (cuvid_load_functions(&cv, NULL) < 0) {
        snprintf(why, why_size, "libnvcuvid.so.1 not loadable");
        return -1;
    }
    CUvideodecoder *made = calloc(limit > 0 ? (size_t)limit : 1, sizeof *made);
    CUcontext dummy;
    if (!made || cu->cuCtxPushCurrent(ctx) != CUDA_SUCCESS) {
        snprintf(why, why_size, made ? "cannot use GPU %d" : "out of memory", device);
        free(made);
        cuvid_free_functions(&cv);
        return -1;
    }
    /* What FFmpeg's NVDEC path asks for a 1080p H.264 stream: its 16
     * reference pictures and a few in flight, one output surface. */
    CUVIDDECODECREATEINFO info;
    memset(&info, 0, sizeof info);
    info.ulWidth = info.ulMaxWidth = info.ulTargetWidth = 1920;
    info.ulHeight = info.ulMaxHeight = info.ulTargetHeight = 1088;
    info.display_area.right = 1920;
    info.display_area.bottom = 1080;
    info.ulNumDecodeSurfaces = 20;
    info.ulNumOutputSurfaces = 1;
    info.CodecType = cudaVideoCodec_H264;
    info.ChromaFormat = cudaVideoChromaFormat_420;
    info.OutputFormat = cudaVideoSurfaceFormat_NV12;
    info.DeinterlaceMode = cudaVideoDeinterlaceMode_Weave;
    info.ulCreationFlags = cudaVideoCreate_PreferCUVID;
    /* Each holds ~60 MB of pictures: the count stops while 1 GiB is still
     * free, so that asking never takes the memory of a job under way. */
    const size_t floor = (size_t)1 << 30;
    CUresult (*mem_info)(size_t *, size_t *); /* not in the loader's table */
    FT_DL_SYMBOL(cu->lib, "cuMemGetInfo_v2", mem_info);
    int n = 0;
    CUresult r = CUDA_SUCCESS;
    size_t free_bytes = 0, total_bytes = 0;
    while (n < limit && mem_info && mem_info(&free_bytes, &total_bytes) == CUDA_SUCCESS &&
           free_bytes > floor && (r = cv->cuvidCreateDecoder(&made[n], &info)) == CUDA_SUCCESS)
        n++;
    for (int i = 0; i < n; i++)
        cv->cuvidDestroyDecoder(made[i]);
    cu->cuCtxPopCurrent(&dummy);
    cuvid_free_functions(&cv);
    free(made);
    if (!mem_info)
        snprintf(why, why_size, "the driver lacks cuMemGetInfo_v2");
    else if (n < limit && free_bytes <= floor)
        snprintf(why, why_size, "stopped with 1 GiB of GPU %d's memory left", device);
    else if (n == 0)
        snprintf(why, why_size, "no decoder opens on GPU %d (CUDA error %d)", device, (int)r);
    return n;
}
