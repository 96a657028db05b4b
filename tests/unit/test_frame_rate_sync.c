/* ffmpeg's `-r 25` frame choice, against sequences read from ffmpeg 5.1
 * itself (`ffmpeg -i CLIP -f rawvideo -s 48x27 -r 25 -`, each output frame
 * matched to the input frame with the same bytes) on clips of each rate. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>

#include "scenes/frame_rate_sync.h"

/* The input frame shown by each output frame, for N input frames at RATE
 * lasting DURATION (0: unknown); returns how many outputs were made. */
static int resample(int n, double rate, double duration, int *shown, int max)
{
    ft_rate_sync s;
    ft_rate_sync_init(&s, 25, rate);
    int made = 0;
    for (int i = 0; i < n; i++) {
        int previous, current;
        ft_rate_sync_push(&s, i / rate, duration, &previous, &current);
        for (int k = 0; k < previous + current; k++, made++)
            if (made < max)
                shown[made] = k < previous ? i - 1 : i;
    }
    return made;
}

static void check(int n, double rate, double duration, int outputs, const int *first, int count)
{
    int shown[1024];
    assert_int_equal(resample(n, rate, duration, shown, 1024), outputs);
    for (int k = 0; k < count; k++)
        if (shown[k] != first[k])
            fail_msg("%.3f fps: output %d shows input %d, ffmpeg showed %d", rate, k, shown[k],
                     first[k]);
}

static void test_ntsc(void **state) /* pyscenedetect_testvideo.mp4: 720 frames -> 602 */
{
    (void)state;
    static const int first[] = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11,
                                12, 14, 15, 16, 17, 18, 20, 21, 22, 23, 24, 26};
    check(720, 30000.0 / 1001, 1001.0 / 30000, 602, first, 24);
}

static void test_30_without_durations(void **state) /* frames with no duration */
{
    (void)state;
    static const int first[] = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11,
                                13, 14, 15, 16, 17, 19, 20, 21, 22, 23, 25, 26};
    check(354, 30, 0, 297, first, 24);
}

static void test_10(void **state) /* pyscenedetect_counter.mp4: 30 frames -> 75 */
{
    (void)state;
    static const int first[] = {0, 0, 1, 1, 1, 2, 2, 3, 3, 3, 4, 4, 5, 5, 5, 6, 6, 7, 7, 7};
    check(30, 10, 0.1, 75, first, 20);
}

static void test_25_is_identity(void **state)
{
    (void)state;
    int shown[1024];
    assert_int_equal(resample(400, 25, 0.04, shown, 1024), 400);
    for (int k = 0; k < 400; k++)
        assert_int_equal(shown[k], k);
}

static void test_60(void **state) /* testsrc2 at 60 fps: 120 frames -> 52 */
{
    (void)state;
    static const int first[] = {0,  1,  2,  4,  6,  9,  11, 14, 16, 18, 21, 23,
                                26, 28, 30, 33, 35, 38, 40, 42, 45, 47, 50, 52};
    check(120, 60, 1.0 / 60, 52, first, 24);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ntsc), cmocka_unit_test(test_30_without_durations),
        cmocka_unit_test(test_10),   cmocka_unit_test(test_25_is_identity),
        cmocka_unit_test(test_60),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
