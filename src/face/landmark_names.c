/* Names of landmark points, for the schemes whose points have names. */
#include "facetrack.h"

/* YuNet's and SCRFD's order (OpenCV's FaceDetectorYN documents it). */
static const char *const five_points[FT_LANDMARKS_5] = {
    "right_eye", "left_eye", "nose_tip", "right_mouth_corner", "left_mouth_corner"};

const char *ft_landmark_name(ft_landmark_scheme scheme, int index)
{
    if (scheme == FT_LANDMARKS_5 && index >= 0 && index < FT_LANDMARKS_5)
        return five_points[index];
    return NULL;
}
