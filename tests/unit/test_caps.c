/* ft_caps_get: what the build reports matches the backend table and the
 * engine registry it summarises. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "facetrack.h"
#include "nn/backend.h"

static void test_caps_match_their_sources(void **state)
{
    (void)state;
    ft_caps caps;
    memset(&caps, 0x5a, sizeof caps);
    ft_caps_get(&caps);
    assert_int_equal(caps.backend_count, ft_nn_backend_count());
    assert_string_equal(caps.backends[0], "reference");
    assert_true(caps.backend_usable[0]);
    int xnnpack = 0;
    for (int i = 0; i < caps.backend_count; i++) {
        assert_ptr_equal(ft_nn_backend_find(caps.backends[i]), ft_nn_backend_at(i));
        xnnpack |= strcmp(caps.backends[i], "xnnpack") == 0;
    }
    assert_true(xnnpack);
    assert_int_equal(caps.engine_count, ft_engine_count());
    int available = 0;
    for (int i = 0; i < ft_engine_count(); i++)
        available += ft_engine_available(ft_engine_at(i), NULL, 0);
    assert_int_equal(caps.engines_available, available);
    assert_true(caps.engines_available >= 1); /* mediapipe_landmarker */
    assert_true(caps.cuda_devices >= 0);
    if (!caps.cuda_built)
        assert_int_equal(caps.cuda_devices, 0);
    ft_caps_get(NULL); /* no crash */
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_caps_match_their_sources)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
