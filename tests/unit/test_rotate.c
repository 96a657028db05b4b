/* Plane rotation: known small cases, four quarter turns are the identity,
 * and mirror composed with rotation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "media/media_internal.h"

/* 3 x 2 image:  1 2 3
 *               4 5 6 */
static const uint8_t image[] = {1, 2, 3, 4, 5, 6};

static void rotate_into(int degrees, int mirror, uint8_t *out)
{
    int dw = (degrees == 90 || degrees == 270) ? 2 : 3;
    ft_rotate_plane(image, 3, 3, 2, 1, out, dw, degrees, mirror);
}

static void quarter_turns(void **state)
{
    (void)state;
    uint8_t out[6];
    rotate_into(90, 0, out); /* clockwise: 4 1 / 5 2 / 6 3 */
    assert_memory_equal(out, ((uint8_t[]){4, 1, 5, 2, 6, 3}), 6);
    rotate_into(180, 0, out);
    assert_memory_equal(out, ((uint8_t[]){6, 5, 4, 3, 2, 1}), 6);
    rotate_into(270, 0, out);
    assert_memory_equal(out, ((uint8_t[]){3, 6, 2, 5, 1, 4}), 6);
    rotate_into(0, 0, out);
    assert_memory_equal(out, image, 6);
}

static void mirror_comes_first(void **state)
{
    (void)state;
    uint8_t out[6];
    rotate_into(0, 1, out); /* 3 2 1 / 6 5 4 */
    assert_memory_equal(out, ((uint8_t[]){3, 2, 1, 6, 5, 4}), 6);
    rotate_into(90, 1, out); /* mirror, then clockwise: 6 3 / 5 2 / 4 1 */
    assert_memory_equal(out, ((uint8_t[]){6, 3, 5, 2, 4, 1}), 6);
}

static void four_turns_are_identity_on_rgb(void **state)
{
    (void)state;
    enum { W = 37, H = 23, E = 3 };
    uint8_t *a = malloc(W * H * E), *b = malloc(W * H * E);
    assert_non_null(a);
    assert_non_null(b);
    srand(7);
    for (int i = 0; i < W * H * E; i++)
        a[i] = (uint8_t)rand();
    uint8_t *orig = malloc(W * H * E);
    assert_non_null(orig);
    memcpy(orig, a, W * H * E);
    int w = W, h = H;
    for (int turn = 0; turn < 4; turn++) {
        ft_rotate_plane(a, w * E, w, h, E, b, h * E, 90, 0);
        int t = w;
        w = h;
        h = t;
        uint8_t *swap = a;
        a = b;
        b = swap;
    }
    assert_memory_equal(a, orig, W * H * E);
    free(a);
    free(b);
    free(orig);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quarter_turns),
        cmocka_unit_test(mirror_comes_first),
        cmocka_unit_test(four_turns_are_identity_on_rgb),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
