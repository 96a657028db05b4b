/* Integral images (see integral_image.h). The tilted table is built row by
 * row from two running sums instead of OpenCV's diagonal recurrence, which
 * reads outside the table: with P(y, a) the sum of row y's first a pixels
 * (a clamped to [0, W]),
 *   tilted(X, Y) = sum over y < Y of P(y, X + Y - y - 1) - P(y, X - Y + y)
 *                = U_Y(X) - V_Y(X), where
 *   U_{Y+1}(X) = U_Y(X + 1) + P(Y, X)      (U_Y(W + 1): every row above, whole)
 *   V_{Y+1}(X) = V_Y(X - 1) + P(Y, X - 1)  (V_Y(-1) = 0, P(Y, -1) = 0)
 * so each row costs O(W). */
#include "face/integral_image.h"

#include <string.h>

void ft_integral_image(const uint8_t *src, int w, int h, int sstride, int32_t *sum,
                       uint32_t *sqsum, int32_t *tilted, int stride, int32_t *roll)
{
    memset(sum, 0, (size_t)(w + 1) * sizeof *sum);
    if (sqsum)
        memset(sqsum, 0, (size_t)(w + 1) * sizeof *sqsum);
    for (int y = 0; y < h; y++) {
        const uint8_t *s = src + (size_t)y * sstride;
        const int32_t *above = sum + (size_t)y * stride;
        int32_t *row = sum + (size_t)(y + 1) * stride;
        int32_t acc = 0;
        row[0] = 0;
        for (int x = 0; x < w; x++) {
            acc += s[x];
            row[x + 1] = above[x + 1] + acc;
        }
        if (sqsum) {
            const uint32_t *qa = sqsum + (size_t)y * stride;
            uint32_t *qr = sqsum + (size_t)(y + 1) * stride;
            uint32_t q = 0;
            qr[0] = 0;
            for (int x = 0; x < w; x++) {
                q += (uint32_t)s[x] * s[x];
                qr[x + 1] = qa[x + 1] + q;
            }
        }
    }
    if (!tilted)
        return;
    /* U and V over X = 0..W, with room for U(W + 1); P(Y, X) is the
     * difference of two rows of the sum table. */
    int32_t *u = roll, *v = roll + (w + 2);
    memset(u, 0, (size_t)(w + 2) * sizeof *u);
    memset(v, 0, (size_t)(w + 2) * sizeof *v);
    memset(tilted, 0, (size_t)(w + 1) * sizeof *tilted);
    for (int y = 0; y < h; y++) {
        const int32_t *s0 = sum + (size_t)y * stride, *s1 = s0 + stride;
        /* U_Y(W + 1): rows above Y, whole */
        u[w + 1] = s0[w];
        for (int x = 0; x <= w; x++)
            u[x] = u[x + 1] + (s1[x] - s0[x]);
        for (int x = w; x >= 1; x--)
            v[x] = v[x - 1] + (s1[x - 1] - s0[x - 1]);
        v[0] = 0;
        int32_t *t = tilted + (size_t)(y + 1) * stride;
        for (int x = 0; x <= w; x++)
            t[x] = u[x] - v[x];
    }
}
