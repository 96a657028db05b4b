/* DetectionsToRectsCalculator + RectTransformationCalculator (spec §2.1,
 * §2.2), float where MediaPipe is float. */
#include "face/roi.h"

#include <float.h>
#include <math.h>

void ft_rect_transform_from_detection(ft_rect_transform *t)
{
    *t = (ft_rect_transform){1.5f, 1.5f, 0.0f, 0.0f, 0};
}

void ft_rect_transform_from_landmarks(ft_rect_transform *t)
{
    *t = (ft_rect_transform){1.5f, 1.5f, 0.0f, 0.0f, 1};
}

float ft_normalize_radians(float a)
{
    return (float)(a - 2 * M_PI * floor((a - (-M_PI)) / (2 * M_PI)));
}

float ft_rect_rotation(float x0, float y0, float x1, float y1, int image_width, int image_height)
{
    const float target = 0.0f; /* rotation_vector_target_angle_degrees 0 */
    const float px0 = x0 * (float)image_width, py0 = y0 * (float)image_height;
    const float px1 = x1 * (float)image_width, py1 = y1 * (float)image_height;
    return ft_normalize_radians(target - atan2f(-(py1 - py0), px1 - px0));
}

void ft_rect_apply_transform(ft_norm_rect *r, int image_width, int image_height,
                             const ft_rect_transform *t)
{
    float width = r->width, height = r->height;
    const float rotation = r->rotation;
    const float iw = (float)image_width, ih = (float)image_height;
    if (rotation == 0.0f) {
        r->x_center += width * t->shift_x;
        r->y_center += height * t->shift_y;
    } else {
        /* The shift follows the rect's rotated axes, in pixels. */
        const float xs = (iw * width * t->shift_x * cosf(rotation) -
                          ih * height * t->shift_y * sinf(rotation)) / iw;
        const float ys = (iw * width * t->shift_x * sinf(rotation) +
                          ih * height * t->shift_y * cosf(rotation)) / ih;
        r->x_center += xs;
        r->y_center += ys;
    }
    if (t->square_long) {
        const float long_side = fmaxf(width * iw, height * ih);
        width = long_side / iw;
        height = long_side / ih;
    }
    r->width = width * t->scale_x;
    r->height = height * t->scale_y;
}

ft_norm_rect ft_roi_from_detection(const ft_face_box *det, int image_width, int image_height,
                                   const ft_rect_transform *t)
{
    ft_norm_rect r;
    r.x_center = det->xmin + det->width / 2;
    r.y_center = det->ymin + det->height / 2;
    r.width = det->width;
    r.height = det->height;
    r.rotation = ft_rect_rotation(det->keypoints[0][0], det->keypoints[0][1], det->keypoints[1][0],
                                  det->keypoints[1][1], image_width, image_height);
    ft_rect_apply_transform(&r, image_width, image_height, t);
    return r;
}

ft_norm_rect ft_roi_from_points(const float (*points)[3], int n, int start, int end,
                                int image_width, int image_height, const ft_rect_transform *t)
{
    /* LandmarksToDetection: the maxima start at FLT_MIN, as MediaPipe's do. */
    float x0 = FLT_MAX, y0 = FLT_MAX, x1 = FLT_MIN, y1 = FLT_MIN;
    for (int i = 0; i < n; i++) {
        x0 = fminf(x0, points[i][0]);
        y0 = fminf(y0, points[i][1]);
        x1 = fmaxf(x1, points[i][0]);
        y1 = fmaxf(y1, points[i][1]);
    }
    ft_face_box box = {.xmin = x0, .ymin = y0, .width = x1 - x0, .height = y1 - y0};
    ft_norm_rect r;
    r.x_center = box.xmin + box.width / 2;
    r.y_center = box.ymin + box.height / 2;
    r.width = box.width;
    r.height = box.height;
    r.rotation = ft_rect_rotation(points[start][0], points[start][1], points[end][0],
                                  points[end][1], image_width, image_height);
    ft_rect_apply_transform(&r, image_width, image_height, t);
    return r;
}
