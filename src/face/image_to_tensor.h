/* MediaPipe's ImageToTensorCalculator, CPU (OpenCV) path: a rotated ROI of
 * an RGB image warped into a float NHWC tensor (spec §1.1). The warp
 * reproduces OpenCV's fixed-point INTER_LINEAR arithmetic (spec §8.1), which
 * is what makes MediaPipe's golden tensors match to the last level. */
#ifndef FT_FACE_IMAGE_TO_TENSOR_H
#define FT_FACE_IMAGE_TO_TENSOR_H

#include "face/face_types.h"
#include "facetrack.h"

typedef enum ft_border_mode {
    FT_BORDER_REPLICATE = 0, /* MediaPipe's default (BORDER_UNSPECIFIED) */
    FT_BORDER_ZERO           /* pixels outside are 0 before the range mapping */
} ft_border_mode;

typedef struct ft_tensor_spec {
    int width, height;          /* of the tensor */
    float range_min, range_max; /* 0..255 maps onto this */
    int keep_aspect_ratio;      /* letterbox by enlarging the ROI (PadRoi) */
    ft_border_mode border;
} ft_tensor_spec;

/* The ROI in pixels after the optional letterbox enlargement. */
typedef struct ft_rotated_rect {
    float center_x, center_y, width, height, rotation;
} ft_rotated_rect;

/* ROI (NULL: the whole image) in pixels, enlarged like MediaPipe's PadRoi
 * when SPEC keeps the aspect ratio. PADDING (may be NULL) gets left, top,
 * right, bottom as fractions of the tensor, as MediaPipe reports them. */
ft_status ft_roi_to_pixels(const ft_norm_rect *roi, int image_width, int image_height,
                           const ft_tensor_spec *spec, ft_rotated_rect *out, float padding[4]);

/* The 4x4 row-major matrix taking tensor-normalised (u, v, z, 1) to
 * image-normalised coordinates: MediaPipe's
 * GetRotatedSubRectToRectTransformMatrix, in the same float arithmetic. */
void ft_roi_matrix(const ft_rotated_rect *roi, int image_width, int image_height, float matrix[16]);

/* Applies the first two rows of MATRIX to (u, v). */
void ft_matrix_apply(const float matrix[16], float u, float v, float *x, float *y);

/* Fills OUT (height x width x 3 floats) from IMAGE. PADDING and MATRIX may
 * be NULL; MATRIX is for the padded ROI, the one actually sampled. */
ft_status ft_image_to_tensor(const ft_face_image *image, const ft_norm_rect *roi,
                             const ft_tensor_spec *spec, float *out, float padding[4],
                             float matrix[16]);

/* The same warp into its bytes, before the range mapping: OUT (height x
 * width x 3 bytes) holds v for each value v * scale + offset of the
 * tensor, scale = (range_max - range_min) / 255 and offset = range_min in
 * float (nn/backend.h's ft_nn_input_codes). */
ft_status ft_image_to_codes(const ft_face_image *image, const ft_norm_rect *roi,
                            const ft_tensor_spec *spec, uint8_t *out, float padding[4],
                            float matrix[16]);

/* N warps of IMAGE, by ROIS[i] (ROIS NULL: the whole image each time),
 * into consecutive tensors: floats into OUT, else bytes into CODES as
 * ft_image_to_codes. MATRICES (may be NULL) gets each tensor's matrix. The
 * one form that also reads pictures on a GPU (image->gpu), in one pass
 * there; ERR then gets the GPU's reason on failure. */
ft_status ft_image_to_tensors(const ft_face_image *image, const ft_norm_rect *rois, int n,
                              const ft_tensor_spec *spec, float *out, uint8_t *codes,
                              float (*matrices)[16], char *err, size_t err_size);

/* The warp one pixel at a time (into OUT, else into CODES), whatever the
 * CPU: the reference the faster rows are tested against. */
ft_status ft_image_to_tensor_naive(const ft_face_image *image, const ft_norm_rect *roi,
                                   const ft_tensor_spec *spec, float *out, uint8_t *codes);

#endif
