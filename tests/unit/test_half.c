/* fp16 conversions: every binary16 value survives the round trip, and
 * fp32 values round to the nearest half, ties to even, saturating to
 * infinity and flushing below the smallest subnormal's half to zero. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "nn/half.h"

static void test_every_half_round_trips(void **state)
{
    (void)state;
    for (uint32_t h = 0; h < 0x10000u; h++) {
        const float f = ft_half_to_float((uint16_t)h);
        if (isnan(f))
            assert_true(isnan(ft_half_to_float(ft_float_to_half(f))));
        else
            assert_int_equal(ft_float_to_half(f), h);
    }
}

static void test_rounding(void **state)
{
    (void)state;
    /* 1 + 2^-11 is halfway between 1 and the next half: ties to even (1). */
    assert_int_equal(ft_float_to_half(1.0f + 0x1p-11f), 0x3c00);
    /* 1 + 3 * 2^-11 is halfway between two; the even one is above. */
    assert_int_equal(ft_float_to_half(1.0f + 3 * 0x1p-11f), 0x3c02);
    assert_int_equal(ft_float_to_half(1.0f + 0x1p-11f + 0x1p-20f), 0x3c01);
    assert_int_equal(ft_float_to_half(65504.0f), 0x7bff);
    assert_int_equal(ft_float_to_half(65520.0f), 0x7c00); /* rounds past the largest: infinity */
    assert_int_equal(ft_float_to_half(-1e9f), 0xfc00);
    assert_int_equal(ft_float_to_half(0x1p-24f), 0x0001);   /* smallest subnormal */
    assert_int_equal(ft_float_to_half(0x1p-25f), 0x0000);   /* its half: ties to even, zero */
    assert_int_equal(ft_float_to_half(0x1.8p-25f), 0x0001); /* above the half: up */
    assert_int_equal(ft_float_to_half(-0.0f), 0x8000);
    assert_int_equal(ft_float_to_half(0.1f), 0x2e66);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_half_round_trips),
        cmocka_unit_test(test_rounding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
