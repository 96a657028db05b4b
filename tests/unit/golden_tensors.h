/* MediaPipe's golden tensors of the 478-landmark model (raw float32 files
 * in SHARED/golden/mediapipe/face_landmarks_v2_tensors). */
#ifndef FT_TEST_GOLDEN_TENSORS_H
#define FT_TEST_GOLDEN_TENSORS_H

#include <stdio.h>

/* Reads N floats of golden tensor NAME; 0 on success, -1 when absent or short. */
static inline int read_golden_tensor(const char *shared, const char *name, float *out, size_t n)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/golden/mediapipe/face_landmarks_v2_tensors/%s", shared, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t got = fread(out, sizeof *out, n, f);
    fclose(f);
    return got == n ? 0 : -1;
}

#endif
