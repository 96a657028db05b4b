/* The parts of NVIDIA's stack facetrack does not link but reports on (the
 * kernel driver, cuDNN, the NVDEC video decoder), each found with dlopen
 * at the moment it is asked for, so that the program runs without them. */
#ifndef FT_GPU_DRIVER_LIBS_H
#define FT_GPU_DRIVER_LIBS_H

#include <stddef.h>

/* The kernel module's version ("580.159.04") from NVML, else
 * /proc/driver/nvidia/version; SOURCE (may be NULL) gets "NVML" or the
 * file's path. 0 when found. */
int ft_gpu_kernel_driver_version(char *buf, size_t size, const char **source);
/* 1 when the driver's CUDA library, libcuda.so.1, loads. */
int ft_gpu_libcuda_found(void);

/* A library opened by soname: where it was found and its version. */
typedef struct ft_gpu_library {
    int found;
    char version[32]; /* "9.1.0"; "" when unknown */
    char path[512];   /* the file loaded; "" when unknown */
    char why[256];    /* when not found: the loader's reason */
} ft_gpu_library;

/* cuDNN 9 (libcudnn.so.9) and its cudnnGetVersion. */
void ft_gpu_cudnn_probe(ft_gpu_library *out);

/* What NVDEC says of one codec at one bit depth, 4:2:0. */
typedef struct ft_gpu_nvdec_codec {
    const char *codec; /* "h264", "hevc", "vp9", "av1" */
    int bit_depth;     /* 8, 10, 12 */
    int supported;
    unsigned max_width, max_height;
} ft_gpu_nvdec_codec;

#define FT_GPU_NVDEC_CODECS 8

typedef struct ft_gpu_nvdec {
    ft_gpu_library library; /* libnvcuvid.so.1 */
    int caps_known;         /* the decoder was asked about the device */
    int h264;               /* it decodes H.264 8-bit 4:2:0 */
    unsigned max_width, max_height;
    int engines;            /* NVDEC engines on the chip; 0 when not said */
    /* every codec the reader sends to NVDEC, at its bit depths */
    ft_gpu_nvdec_codec codecs[FT_GPU_NVDEC_CODECS];
    int codec_count;
    char why[256];          /* when the caps are unknown: why */
} ft_gpu_nvdec;

/* libnvcuvid.so.1 and, when DEVICE >= 0 and it loads, cuvidGetDecoderCaps
 * for each codec NVDEC decodes for facetrack (H.264, HEVC, VP9, AV1 at 8,
 * 10 and 12 bits, 4:2:0) on DEVICE (through libcuda.so.1's primary context). */
void ft_gpu_nvdec_probe(int device, ft_gpu_nvdec *out);

#endif
