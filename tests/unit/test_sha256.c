/* Unit tests of the SHA-256 helper: FIPS 180-2 vectors, files, hex pins. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/sha256.h"

static void digest_of(const char *text, char hex[FT_SHA256_HEX_SIZE])
{
    ft_sha256 *h = ft_sha256_new();
    assert_non_null(h);
    /* in two pieces: updates must chain */
    size_t half = strlen(text) / 2;
    ft_sha256_update(h, text, half);
    ft_sha256_update(h, text + half, strlen(text) - half);
    ft_sha256_final(h, hex);
    ft_sha256_free(h);
}

static void test_vectors(void **state)
{
    (void)state;
    char hex[FT_SHA256_HEX_SIZE];
    digest_of("", hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    digest_of("abc", hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    digest_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_file(void **state)
{
    (void)state;
    char path[] = "/tmp/ft_sha256_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "abc", 3), 3);
    close(fd);
    char hex[FT_SHA256_HEX_SIZE], err[256];
    assert_int_equal(ft_sha256_file(path, hex, err, sizeof err), FT_OK);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    unlink(path);
    assert_int_equal(ft_sha256_file(path, hex, err, sizeof err), FT_ERR_NOT_FOUND);
    assert_non_null(strstr(err, path));
}

static void test_hex(void **state)
{
    (void)state;
    const char *lower = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    const char *upper = "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD";
    assert_true(ft_sha256_valid_hex(lower));
    assert_true(ft_sha256_valid_hex(upper));
    assert_true(ft_sha256_equal(lower, upper));
    assert_false(ft_sha256_valid_hex(NULL));
    assert_false(ft_sha256_valid_hex(""));
    assert_false(ft_sha256_valid_hex("ba7816bf"));
    char longer[80];
    snprintf(longer, sizeof longer, "%s0", lower);
    assert_false(ft_sha256_valid_hex(longer));
    char bad[80];
    snprintf(bad, sizeof bad, "%s", lower);
    bad[10] = 'g';
    assert_false(ft_sha256_valid_hex(bad));
    assert_false(ft_sha256_equal(bad, bad)); /* malformed never matches */
    const char *empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    assert_false(ft_sha256_equal(lower, empty));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_file),
        cmocka_unit_test(test_hex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
