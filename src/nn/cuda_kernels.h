/* The device kernels of the cuda row (nn/cuda_kernels.cu), callable from C.
 * Every tensor is float (fp32 or fp16 storage), NHWC where it has an image
 * layout, and lives in device memory; each launcher queues its kernel on STREAM (a cudaStream_t)
 * and returns the launch's cudaError_t as an int (0: queued). */
#ifndef FT_NN_CUDA_KERNELS_H
#define FT_NN_CUDA_KERNELS_H

#include <stdint.h>

#define FT_CUDA_MAX_RANK 6

/* The fused activations (values of ft_activation). */
typedef struct ft_cuda_window {
    int batch, in_h, in_w, in_c;
    int out_h, out_w, out_c;
    int kernel_h, kernel_w;
    int stride_h, stride_w, dilation_h, dilation_w;
    int pad_top, pad_left;
    int activation;
    int group_in, group_out; /* conv: channels per group in and out (in_c, out_c: one group) */
} ft_cuda_window;

/* SLOPE (where the launchers take one; NULL: none): a PRelu the plan fused
 * into the op, applied last, one slope per channel (the last axis). */

/* Element-wise ops: ft_op_type values, parameters in ALPHA/MIN/MAX. */
typedef struct ft_cuda_unary {
    int op_type, activation;
    float alpha, min, max;
} ft_cuda_unary;

/* Numpy broadcasting over at most FT_CUDA_MAX_RANK axes: the output's dims
 * and each operand's element strides (0 along a broadcast axis). */
typedef struct ft_cuda_broadcast {
    int rank;
    int64_t out_dims[FT_CUDA_MAX_RANK];
    int64_t a_strides[FT_CUDA_MAX_RANK], b_strides[FT_CUDA_MAX_RANK];
} ft_cuda_broadcast;

/* Constant padding over at most FT_CUDA_MAX_RANK axes. */
typedef struct ft_cuda_pad {
    int rank;
    int64_t in_dims[FT_CUDA_MAX_RANK], out_dims[FT_CUDA_MAX_RANK], before[FT_CUDA_MAX_RANK];
    float value;
} ft_cuda_pad;

/* A copy that reads the input through strides: output element (i0, ..,
 * in) comes from OFFSET + sum(i_d * IN_STRIDES[d]). A transpose (strides
 * permuted) and a strided slice (strides scaled by the step, offset at the
 * first element) are both one. */
typedef struct ft_cuda_strided {
    int rank;
    int64_t out_dims[FT_CUDA_MAX_RANK], in_strides[FT_CUDA_MAX_RANK];
    int64_t offset;
} ft_cuda_strided;

/* A reduction: output element (kept coordinates, OUT_DIMS) starts at
 * sum(k_d * OUT_IN_STRIDES[d]) in the input and takes every element at the
 * reduced coordinates (RED_DIMS, RED_STRIDES) from there. */
typedef struct ft_cuda_reduce {
    int rank, reduced_rank;
    int64_t out_dims[FT_CUDA_MAX_RANK], out_in_strides[FT_CUDA_MAX_RANK];
    int64_t red_dims[FT_CUDA_MAX_RANK], red_strides[FT_CUDA_MAX_RANK];
    int mode; /* 0 sum, 1 mean, 2 max */
} ft_cuda_reduce;

/* A pointwise (1x1, stride 1) convolution with what MediaPipe's blocks put
 * around it, in one kernel: the depthwise convolution before it (its
 * output never leaves the chip) and the residual addition after it, each
 * with its fused activation and PRelu. One pass over memory instead of up
 * to six (depthwise; product; bias; addition). Channels are multiples of
 * FT_CUDA_VECTOR; the filters (as fp32) and a tile of pixels' inputs sit
 * in a block's shared memory (ft_cuda_pointwise_fits). */
typedef struct ft_cuda_pointwise {
    int64_t pixels; /* batch x height x width of the output */
    int in_c, out_c;
    const float *filter_ko, *bias, *slope;
    int activation;
    /* DW_FILTER NULL: no depthwise, X is the convolution's input. Else X is
     * the depthwise's input, DW its window (multiplier 1, out_c == in_c),
     * DW_FILTER [KH, KW, in_c] in the storage type. */
    ft_cuda_window dw;
    const void *dw_filter;
    const float *dw_bias, *dw_slope;
    /* RESIDUAL NULL: none. Else added to the convolution's result (after
     * its activation and PRelu), then RESIDUAL_ACTIVATION and
     * RESIDUAL_SLOPE. */
    const void *residual;
    int residual_activation;
    const float *residual_slope;
} ft_cuda_pointwise;

/* TFLite's ResizeBilinear / ResizeNearestNeighbor on NHWC, as the
 * reference kernel computes them. */
typedef struct ft_cuda_resize {
    int batch, in_h, in_w, channels, out_h, out_w;
    int bilinear, align_corners, half_pixel_centers;
} ft_cuda_resize;

#ifdef __cplusplus
extern "C" {
#endif

/* HALF: activations and weights are stored as IEEE fp16 (1) or fp32 (0);
 * arithmetic is fp32 either way, and biases and slopes stay fp32. */

/* Direct (grouped) convolution; FILTER in HWIO order, I per group (the plan reorders TFLite's OHWI
 * at upload so that neighbouring threads read neighbouring weights). BIAS
 * may be NULL. */
int ft_cuda_conv2d(int half, const ft_cuda_window *w, const void *x, const void *filter_hwio,
                   const float *bias, const float *slope, void *y, void *stream);
/* Depthwise convolution, FILTER [KH, KW, out_c] (TFLite's 1HW(C*M)); with
 * a multiplier of 1 and channels a multiple of FT_CUDA_VECTOR, that many
 * channels per thread. */
int ft_cuda_depthwise(int half, const ft_cuda_window *w, const void *x, const void *filter,
                      const float *bias, const float *slope, void *y, void *stream);
/* Y[r, c] = act(Y[r, c] + BIAS[c]) over ROWS x COLS (BIAS may be NULL):
 * the epilogue of a cuBLAS product. */
int ft_cuda_bias_activation(int half, void *y, const float *bias, const float *slope,
                            int64_t rows, int cols, int activation, void *stream);
/* TFLite pooling: padded positions are left out of the window. */
int ft_cuda_pool(int half, const ft_cuda_window *w, int is_max, const void *x, void *y,
                 void *stream);
int ft_cuda_binary(int half, int op_type, int activation, const ft_cuda_broadcast *shape,
                   const void *a, const void *b, const float *slope, void *y, void *stream);
int ft_cuda_unary_map(int half, const ft_cuda_unary *u, const void *x, void *y, int64_t count,
                      void *stream);
int ft_cuda_pad_constant(int half, const ft_cuda_pad *p, const void *x, void *y, void *stream);
int ft_cuda_strided_copy(int half, const ft_cuda_strided *s, const void *x, void *y, void *stream);
/* One thread per output element, summing in fp32 in the input's order. */
int ft_cuda_reduce_run(int half, const ft_cuda_reduce *r, const void *x, void *y, void *stream);
/* Channels per thread of the vector kernels: a convolution's output
 * channels (ft_cuda_conv_pixel) and a depthwise one's channels must be a
 * multiple of it for them. */
#define FT_CUDA_VECTOR 8
/* Filters of ft_cuda_conv_pixel: at most this many values (K x O, fp32 in
 * a block's shared memory). */
#define FT_CUDA_PIXEL_FILTER_MAX 12288

/* A convolution (one group) with O % FT_CUDA_VECTOR == 0 and a filter of at
 * most FT_CUDA_PIXEL_FILTER_MAX values, given as [KH*KW*in_c][O] fp32: a
 * thread computes FT_CUDA_VECTOR output channels of one pixel. */
int ft_cuda_conv_pixel(int half, const ft_cuda_window *w, const void *x, const float *filter_ko,
                       const float *bias, const float *slope, void *y, void *stream);
/* The windows of a convolution (one group) as rows: row (n, oy, ox) holds
 * the KH x KW x in_c values the window reads, zeros outside the input, so
 * that the convolution is one product with the OHWI filter. */
int ft_cuda_im2col(int half, const ft_cuda_window *w, const void *x, void *columns, void *stream);
/* Whether a pointwise block with these channels (and a depthwise window of
 * DEPTHWISE_WINDOW values a channel, 0: none) fits ft_cuda_pointwise_run:
 * multiples of FT_CUDA_VECTOR, the filters and a tile of inputs in 48 KiB. */
int ft_cuda_pointwise_fits(int in_c, int out_c, int depthwise_window);
int ft_cuda_pointwise_run(int half, const ft_cuda_pointwise *p, const void *x, void *y,
                          void *stream);
int ft_cuda_resize_run(int half, const ft_cuda_resize *r, const void *x, void *y, void *stream);
/* COUNT values fp32 -> fp16 (TO_HALF) or fp16 -> fp32: the host's tensors
 * are fp32 whatever the device stores. */
int ft_cuda_convert(int to_half, const void *x, void *y, int64_t count, void *stream);
/* COUNT bytes of an input of codes to fp32 (or fp16 when HALF): code *
 * SCALE + OFFSET, rounded after each step as the host does it. */
int ft_cuda_map_codes(int half, const void *codes, void *y, int64_t count, float scale,
                      float offset, void *stream);

#ifdef __cplusplus
}
#endif

#endif
