/* The CUDA part answers without a GPU (zero devices) and names the devices
 * it sees. FT_EXPECT_GPU=1 makes at least one device required. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gpu/device_info.h"

static void counts_and_names_devices(void **state)
{
    (void)state;
    int n = ft_gpu_device_count();
    assert_true(n >= 0);
    assert_int_equal(ft_gpu_device_count(), n); /* stable, no sticky error */
    const char *expect = getenv("FT_EXPECT_GPU");
    if (expect && strcmp(expect, "1") == 0) {
        assert_true(ft_gpu_built());
        assert_true(n >= 1);
    }
    for (int i = 0; i < n; i++) {
        char name[256] = "";
        assert_int_equal(ft_gpu_device_name(i, name, sizeof name), 0);
        assert_true(strlen(name) > 0);
    }
    char name[64] = "x";
    assert_int_equal(ft_gpu_device_name(n, name, sizeof name), -1);
    assert_int_equal(ft_gpu_device_name(0, NULL, 0), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(counts_and_names_devices)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
