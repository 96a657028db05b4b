/* A face as the single-shot detectors YuNet and SCRFD give it: a box, five
 * keypoints (right eye, left eye, nose tip, right and left mouth corners, as
 * seen in the image: the subject's right eye is on the image's left) and a
 * score, in pixels of whatever image the numbers refer to. */
#ifndef FT_FACE_KPS_FACE_H
#define FT_FACE_KPS_FACE_H

#define FT_KPS_POINTS 5

typedef struct ft_kps_face {
    float x0, y0, x1, y1;
    /* YuNet's own width and height: x1 - x0 in float may miss them by an
     * ulp, and OpenCV truncates these to integers */
    float width, height;
    float points[FT_KPS_POINTS][2];
    float score;
} ft_kps_face;

/* Multiplies the coordinates of FACES[0..n) by SX (x) and SY (y): from a
 * detector's input back to the frame. */
static inline void ft_kps_faces_scale(ft_kps_face *faces, int n, float sx, float sy)
{
    for (int i = 0; i < n; i++) {
        ft_kps_face *f = &faces[i];
        f->x0 *= sx;
        f->x1 *= sx;
        f->width *= sx;
        f->y0 *= sy;
        f->y1 *= sy;
        f->height *= sy;
        for (int k = 0; k < FT_KPS_POINTS; k++) {
            f->points[k][0] *= sx;
            f->points[k][1] *= sy;
        }
    }
}

#endif
