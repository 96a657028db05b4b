/* Index lists of tensors_to_face_landmarks_with_attention.pbtxt. */
#include "face/mesh_refinement.h"

#include <string.h>

const int ft_mesh_head_points[FT_MESH_HEADS] = {80, 71, 71, 5, 5};

static const short lips[80] = {
    61,  146, 91,  181, 84,  17,  314, 405, 321, 375, 291, 185, 40,  39,  37,  0,
    267, 269, 270, 409, 78,  95,  88,  178, 87,  14,  317, 402, 318, 324, 308, 191,
    80,  81,  82,  13,  312, 311, 310, 415, 76,  77,  90,  180, 85,  16,  315, 404,
    320, 307, 306, 184, 74,  73,  72,  11,  302, 303, 304, 408, 62,  96,  89,  179,
    86,  15,  316, 403, 319, 325, 292, 183, 42,  41,  38,  12,  268, 271, 272, 407};
static const short left_eye[71] = {
    33,  7,   163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173,
    130, 25,  110, 24,  23,  22,  26,  112, 243, 247, 30,  29,  27,  28,  56,  190,
    226, 31,  228, 229, 230, 231, 232, 233, 244, 113, 225, 224, 223, 222, 221, 189,
    35,  124, 46,  53,  52,  65,  143, 111, 117, 118, 119, 120, 121, 128, 245, 156,
    70,  63,  105, 66,  107, 55,  193};
static const short right_eye[71] = {
    263, 249, 390, 373, 374, 380, 381, 382, 362, 466, 388, 387, 386, 385, 384, 398,
    359, 255, 339, 254, 253, 252, 256, 341, 463, 467, 260, 259, 257, 258, 286, 414,
    446, 261, 448, 449, 450, 451, 452, 453, 464, 342, 445, 444, 443, 442, 441, 413,
    265, 353, 276, 283, 282, 295, 372, 340, 346, 347, 348, 349, 350, 357, 465, 383,
    300, 293, 334, 296, 336, 285, 417};

/* Iris depth: the mean z of the first 16 (contour) points of the eye list. */
static float contour_depth(float (*out)[3], const short *eye)
{
    float sum = 0.0f;
    for (int i = 0; i < 16; i++)
        sum += out[eye[i]][2];
    return sum / 16.0f;
}

static void overwrite_xy(float (*out)[3], const short *idx, int n, const float *xy)
{
    for (int i = 0; i < n; i++) {
        out[idx[i]][0] = xy[2 * i];
        out[idx[i]][1] = xy[2 * i + 1];
    }
}

void ft_mesh_refine(const float *mesh, const float *const heads[FT_MESH_HEADS], float (*out)[3])
{
    memcpy(out, mesh, sizeof(float) * 468 * 3);
    overwrite_xy(out, lips, 80, heads[0]);
    overwrite_xy(out, left_eye, 71, heads[1]);
    overwrite_xy(out, right_eye, 71, heads[2]);
    const float left_z = contour_depth(out, left_eye), right_z = contour_depth(out, right_eye);
    for (int i = 0; i < 5; i++) {
        out[468 + i][0] = heads[3][2 * i];
        out[468 + i][1] = heads[3][2 * i + 1];
        out[468 + i][2] = left_z;
        out[473 + i][0] = heads[4][2 * i];
        out[473 + i][1] = heads[4][2 * i + 1];
        out[473 + i][2] = right_z;
    }
}
