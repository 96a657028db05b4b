/* FaceMesh 468 as the original's ONNXFaceMeshDetector runs it
 * (facemesh_face_landmark.onnx, a conversion that maps its points back to
 * the frame itself): the face's box cropped from the frame, resized to
 * 192x192, levels / 255 in planar BGR order (the original passes OpenCV's
 * BGR crop unconverted), the crop box as four int32 inputs; out come 468
 * points (x, y, z) as int32, already in pixels of the frame. */
#ifndef FT_FACE_FACEMESH_H
#define FT_FACE_FACEMESH_H

#include <stddef.h>
#include <stdint.h>

#include <pthreadpool.h>

#include "face/face_types.h"
#include "face/model_session.h"
#include "facetrack.h"

#define FT_FACEMESH_POINTS 468
#define FT_FACEMESH_INPUT 192

/* A crop box in whole pixels of the frame. */
typedef struct ft_crop_box {
    int x, y, width, height;
} ft_crop_box;

typedef struct ft_facemesh ft_facemesh;

/* MODEL: the .onnx file; runs on POOL (NULL: the caller's thread), which
 * must outlive the mesh. One line naming the file in ERR when it cannot be
 * read or is not this model. */
ft_status ft_facemesh_create(const char *model, pthreadpool_t pool, ft_facemesh **out, char *err,
                             size_t err_size);
/* The same where PLACE says (a GPU included: face/model_session.h). */
ft_status ft_facemesh_create_on(const char *model, const ft_model_place *place, ft_facemesh **out,
                                char *err, size_t err_size);
void ft_facemesh_free(ft_facemesh *m);
const char *ft_facemesh_error(const ft_facemesh *m);

/* BOX clipped to IMAGE, as the original clips YuNet's box before cropping;
 * 0 when nothing of it is left. */
int ft_facemesh_clip_box(const ft_crop_box *box, int image_width, int image_height,
                         ft_crop_box *out);

/* The model's image input for BOX (inside IMAGE, RGB or RGBA): 3 x 192 x
 * 192 floats into OUT; SCRATCH holds 3 * 192 * 192 bytes. */
ft_status ft_facemesh_input(const ft_face_image *image, const ft_crop_box *box, uint8_t *scratch,
                            float *out);

/* The 468 points of the face in BOX (inside IMAGE), in frame pixels, and
 * the model's face score (SCORE may be NULL). */
ft_status ft_facemesh_run(ft_facemesh *m, const ft_face_image *image, const ft_crop_box *box,
                          int32_t points[FT_FACEMESH_POINTS][3], float *score);

/* MediaPipe's ten iris points (468..477: each eye's centre, then the
 * points right, above, left and below it on the iris) estimated from the
 * 468-point MESH (any unit): the centre of the eye's corners and lids, the
 * radius a quarter of the eye's width. The blendshape network reads the
 * irises among its 146 points and normalises by them; the original's
 * padding (ten copies of the last point) collapses that normalisation. */
#define FT_FACEMESH_IRIS_POINTS 10
void ft_facemesh_estimate_irises(const float (*mesh)[3], float (*irises)[3]);

#endif
