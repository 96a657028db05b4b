/* cv::groupRectangles(rects, groupThreshold, eps) of OpenCV 4.6
 * (objdetect/src/cascadedetect.cpp with core's cv::partition): rectangles
 * are equivalent when every side is within eps * (min width + min height) /
 * 2 of the other's, classes are the connected components of that relation
 * numbered by their first member; a class with at most groupThreshold
 * members is dropped; the others become their members' average (float
 * 1/n, rounded to nearest even); a kept average lying inside another kept
 * one (within eps of its size) that has more than max(3, n) members, or
 * any other when n < 3, is dropped. */
#ifndef FT_FACE_RECT_GROUPING_H
#define FT_FACE_RECT_GROUPING_H

#include "facetrack.h"

typedef struct ft_rect {
    int x, y, width, height;
} ft_rect;

/* Groups RECTS[0..n) in place; returns how many remain (in OpenCV's order),
 * or -1 when out of memory. GROUP_THRESHOLD <= 0 leaves them as they are. */
int ft_group_rectangles(ft_rect *rects, int n, int group_threshold, double eps);

#endif
