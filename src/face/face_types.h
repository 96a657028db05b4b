/* Plain types shared by the face engine: an 8-bit image view and MediaPipe's
 * NormalizedRect. Nothing here allocates. */
#ifndef FT_FACE_TYPES_H
#define FT_FACE_TYPES_H

#include <stdint.h>

/* A view of packed 8-bit pixels: 3 channels (R,G,B) or 4 (R,G,B,A; alpha is
 * ignored, as MediaPipe drops it after the warp). Rows are STRIDE bytes. */
struct ft_gpu_picture;

typedef struct ft_face_image {
    const uint8_t *data;
    int width, height;
    int stride;
    int channels;
    /* Non-NULL: the picture is on a GPU (gpu/frame_warp.h) and DATA is NULL;
     * only the model warps (image_to_tensor.h) read it there. */
    const struct ft_gpu_picture *gpu;
} ft_face_image;

/* MediaPipe's NormalizedRect: centre and size as fractions of the image,
 * rotation in radians (clockwise on screen, since y points down). */
typedef struct ft_norm_rect {
    float x_center, y_center;
    float width, height;
    float rotation;
} ft_norm_rect;

#endif
