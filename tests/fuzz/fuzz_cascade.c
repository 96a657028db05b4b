/* libFuzzer target: any bytes given to the cascade XML reader end in a
 * cascade or a one-line error, never a crash, a leak or undefined
 * behaviour; a cascade that loads is run on a small image, so everything
 * the reader accepted is safe to evaluate. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "face/haar_cascade.h"
#include "face/haar_detector.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ft_cascade c;
    char err[512];
    if (ft_cascade_parse((const char *)data, size, "fuzz.xml", &c, err, sizeof err) != FT_OK) {
        if (strchr(err, '\n') || err[0] == '\0' || c.stages || c.nodes || c.haar || c.lbp)
            __builtin_trap(); /* an error is one line and leaves nothing */
        return 0;
    }
    enum { W = 48, H = 40 };
    static uint8_t image[W * H];
    for (int i = 0; i < W * H; i++) /* texture and a flat patch */
        image[i] = i % W < 12 ? 77 : (uint8_t)((i * 2654435761u) >> 24);
    ft_haar_detector *d;
    if (ft_haar_detector_create(&c, NULL, &d, err, sizeof err) != FT_OK) {
        ft_cascade_free(&c);
        return 0;
    }
    const ft_haar_params p = {.scale_factor = 1.25, .min_neighbors = 1};
    ft_rect out[16];
    int found = 0;
    ft_haar_detect(d, image, W, H, W, &p, out, 16, &found);
    ft_haar_detector_free(d);
    return 0;
}
