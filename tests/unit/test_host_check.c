/* Unit tests of the Host and Origin checks of `facetrack serve` (the DNS
 * rebinding guard): which names and origins a server bound to loopback,
 * or to every address, answers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "serve/host_check.h"

static void loopback_hosts(void **state)
{
    (void)state;
    const char *extra[] = {"films.lan"};
    ft_allowed_hosts set;
    ft_allowed_hosts_init(&set, "127.0.0.1", 5000, extra, 1);
    assert_true(ft_host_allowed(&set, "127.0.0.1:5000"));
    assert_true(ft_host_allowed(&set, "127.0.0.1"));
    assert_true(ft_host_allowed(&set, "LocalHost:5000"));
    assert_true(ft_host_allowed(&set, "films.lan:5000"));
    assert_false(ft_host_allowed(&set, NULL));
    assert_false(ft_host_allowed(&set, ""));
    assert_false(ft_host_allowed(&set, "evil.example:5000"));
    assert_false(ft_host_allowed(&set, "localhost.evil.example"));
    assert_false(ft_host_allowed(&set, "10.1.2.3:5000")); /* only the bound address */
    assert_false(ft_host_allowed(&set, "[::1]:5000"));
    assert_false(ft_host_allowed(&set, "127.0.0.1:"));
    assert_false(ft_host_allowed(&set, "127.0.0.1:99999"));
    assert_false(ft_host_allowed(&set, "127.0.0.1:50x0"));
    assert_false(ft_host_allowed(&set, "127.0.0.1 :5000"));
}

static void every_address_hosts(void **state)
{
    (void)state;
    ft_allowed_hosts set;
    ft_allowed_hosts_init(&set, "0.0.0.0", 5000, NULL, 0);
    assert_true(ft_host_allowed(&set, "10.1.2.3:5000"));
    assert_true(ft_host_allowed(&set, "[fe80::1]:5000"));
    assert_true(ft_host_allowed(&set, "localhost"));
    assert_false(ft_host_allowed(&set, "evil.example:5000"));
    assert_false(ft_host_allowed(&set, "10.1.2.3.evil.example"));
    assert_false(ft_host_allowed(&set, "[fe80::1"));
}

static void origins(void **state)
{
    (void)state;
    const char *extra[] = {"films.lan"};
    ft_allowed_hosts set;
    ft_allowed_hosts_init(&set, "127.0.0.1", 5000, extra, 1);
    assert_true(ft_origin_allowed(&set, "http://127.0.0.1:5000"));
    assert_true(ft_origin_allowed(&set, "http://localhost:5000"));
    assert_true(ft_origin_allowed(&set, "http://films.lan:5000"));
    assert_false(ft_origin_allowed(&set, "http://evil.example:5000"));
    assert_false(ft_origin_allowed(&set, "http://127.0.0.1:5001")); /* another site */
    assert_false(ft_origin_allowed(&set, "http://127.0.0.1"));      /* port 80 */
    assert_false(ft_origin_allowed(&set, "https://127.0.0.1:5000"));
    assert_false(ft_origin_allowed(&set, "null"));
    assert_false(ft_origin_allowed(&set, ""));
    assert_false(ft_origin_allowed(&set, NULL));
    ft_allowed_hosts_init(&set, "127.0.0.1", 80, NULL, 0);
    assert_true(ft_origin_allowed(&set, "http://127.0.0.1"));
    assert_true(ft_origin_allowed(&set, "http://127.0.0.1:80"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loopback_hosts),
        cmocka_unit_test(every_address_hosts),
        cmocka_unit_test(origins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
