/* The CUDA part answers without a GPU (zero devices) and names the devices
 * it sees; the versions, architectures and the one-line summary agree with
 * what it sees; the dlopen probes answer without the libraries, and with
 * stand-ins (FT_FAKE_NVIDIA_LIBS=1, LD_LIBRARY_PATH at tests/fakes' builds)
 * read their known answers. FT_EXPECT_GPU=1 makes a device required. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gpu/device_info.h"
#include "gpu/driver_libs.h"
#include "gpu/gpu_summary.h"
#include "gpu/nvml_probe.h"

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
        ft_gpu_props p;
        assert_int_equal(ft_gpu_device_props(i, &p), 0);
        assert_true(strncmp(name, p.name, strlen(p.name)) == 0);
        assert_true(p.cc_major >= 1 && p.total_bytes > 0);
        assert_int_equal((int)strlen(p.pci_bus_id), 12); /* 0000:41:00.0 */
    }
    char name[64] = "x";
    assert_int_equal(ft_gpu_device_name(n, name, sizeof name), -1);
    assert_int_equal(ft_gpu_device_name(0, NULL, 0), -1);
    ft_gpu_props p;
    assert_int_equal(ft_gpu_device_props(n, &p), -1);
    assert_int_equal(ft_gpu_device_props(-1, &p), -1);
    assert_int_equal(ft_gpu_device_props(0, NULL), -1);
    long long free_bytes = -1;
    assert_int_equal(ft_gpu_device_memory(n, &free_bytes, NULL), -1);
    assert_int_equal(ft_gpu_device_kernels(n, NULL, 0), -1);
}

static void versions_and_architectures(void **state)
{
    (void)state;
    const char *archs = ft_gpu_archs();
    char error[256] = "x";
    ft_gpu_count_error(error, sizeof error);
    if (!ft_gpu_built()) {
        assert_int_equal(ft_gpu_runtime_version(), 0);
        assert_int_equal(ft_gpu_driver_version(), 0);
        assert_string_equal(archs, "");
        assert_string_equal(error, "");
        assert_int_equal(ft_gpu_cublas_version(NULL, NULL, NULL), -1);
        assert_false(ft_gpu_cc_has_kernels(9, 0));
        return;
    }
    /* cmake/cuda.cmake's default: sm_80 and sm_90, as "80,90". */
    assert_true(ft_gpu_runtime_version() >= 11000);
    assert_true(ft_gpu_driver_version() >= 0);
    assert_non_null(strstr(archs, "80"));
    assert_null(strstr(archs, "800"));
    assert_true(ft_gpu_cc_has_kernels(8, 0));
    assert_true(ft_gpu_cc_has_kernels(9, 0));
    assert_true(ft_gpu_cc_has_kernels(12, 0)); /* PTX for newer chips */
    assert_false(ft_gpu_cc_has_kernels(7, 5));
    int v[3] = {0, 0, 0};
    assert_int_equal(ft_gpu_cublas_version(&v[0], &v[1], &v[2]), 0);
    assert_true(v[0] >= 11);
    char path[512];
    assert_int_equal(ft_gpu_cublas_path(path, sizeof path), 0);
    assert_non_null(strstr(path, "libcublas"));
    /* No device: the runtime says why; with devices nothing to say. */
    assert_true((ft_gpu_device_count() == 0) == (error[0] != '\0'));
}

static void summary_tells_what_is_there(void **state)
{
    (void)state;
    char line[1024];
    const int usable = ft_gpu_summary(line, sizeof line, 0);
    const int n = ft_gpu_device_count();
    assert_true(usable >= 0 && usable <= n);
    if (!ft_gpu_built()) {
        assert_string_equal(line, "not built");
    } else if (n == 0) {
        assert_true(strncmp(line, "built, no GPU found", 19) == 0);
        if (ft_gpu_driver_version() == 0)
            assert_string_equal(line, "built, no GPU found (no NVIDIA driver)");
    } else {
        char head[32];
        snprintf(head, sizeof head, "%d GPU%s (", n, n == 1 ? "" : "s");
        assert_true(strncmp(line, head, strlen(head)) == 0);
        assert_int_equal(line[strlen(line) - 1], ')');
    }
    /* Cut to the buffer, never past it. */
    char small[8];
    memset(small, 'x', sizeof small);
    ft_gpu_summary(small, 6, 0);
    assert_true(strlen(small) <= 5);
    assert_int_equal(small[7], 'x');
    assert_int_equal(ft_gpu_summary(NULL, 0, 0), 0);
}

static void probes_answer_without_the_libraries(void **state)
{
    (void)state;
    /* Whatever this machine has, each probe answers consistently. */
    ft_gpu_library cudnn;
    memset(&cudnn, 0x5a, sizeof cudnn);
    ft_gpu_cudnn_probe(&cudnn);
    if (cudnn.found)
        assert_true(strlen(cudnn.version) >= 5 && cudnn.version[0] == '9');
    else
        assert_true(strlen(cudnn.why) > 0 && cudnn.version[0] == '\0');
    ft_gpu_nvdec nvdec;
    ft_gpu_nvdec_probe(-1, &nvdec); /* no device asked: the library alone */
    assert_false(nvdec.caps_known);
    assert_true(strlen(nvdec.why) > 0);
    ft_nvml_stats s;
    memset(&s, 0x5a, sizeof s);
    assert_int_equal(ft_nvml_device_stats("ffff:ff:ff.0", &s), -1); /* no such GPU */
    assert_false(s.memory_known || s.utilization_known);
    assert_int_equal(ft_nvml_device_stats(NULL, &s), -1);
    char v[96];
    const char *source = NULL;
    if (ft_gpu_kernel_driver_version(v, sizeof v, &source) == 0) {
        assert_non_null(source);
        assert_non_null(strchr(v, '.'));
    }
    if (!ft_nvml_available())
        assert_int_equal(ft_nvml_driver_version(v, sizeof v), -1);
}

/* The stand-ins of tests/fakes: NVML with one GPU at 0000:41:00.0, 37 %
 * busy, 12 of 80 GiB used; cuDNN 9.1.2. */
static void probes_read_the_libraries(void **state)
{
    (void)state;
    const char *fakes = getenv("FT_FAKE_NVIDIA_LIBS");
    if (!fakes || strcmp(fakes, "1") != 0)
        skip();
    assert_true(ft_nvml_available());
    char v[96];
    const char *source = NULL;
    assert_int_equal(ft_nvml_driver_version(v, sizeof v), 0);
    assert_string_equal(v, "999.1.2");
    assert_int_equal(ft_gpu_kernel_driver_version(v, sizeof v, &source), 0);
    assert_string_equal(v, "999.1.2");
    assert_string_equal(source, "NVML");
    char small[4];
    assert_int_equal(ft_nvml_driver_version(small, sizeof small), 0);
    assert_string_equal(small, "999");
    ft_nvml_stats s;
    assert_int_equal(ft_nvml_device_stats("0000:41:00.0", &s), 0);
    assert_true(s.utilization_known && s.memory_known);
    assert_int_equal(s.gpu_percent, 37);
    assert_int_equal(s.memory_percent, 5);
    assert_true(s.total_bytes == 80LL << 30 && s.used_bytes == 12LL << 30 &&
                s.free_bytes == 68LL << 30);
    assert_int_equal(ft_nvml_device_stats("0000:42:00.0", &s), -1);
    ft_gpu_library cudnn;
    ft_gpu_cudnn_probe(&cudnn);
    assert_true(cudnn.found);
    assert_string_equal(cudnn.version, "9.1.2");
    assert_non_null(strstr(cudnn.path, "test-fakes/libcudnn.so.9"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts_and_names_devices),
        cmocka_unit_test(versions_and_architectures),
        cmocka_unit_test(summary_tells_what_is_there),
        cmocka_unit_test(probes_answer_without_the_libraries),
        cmocka_unit_test(probes_read_the_libraries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
