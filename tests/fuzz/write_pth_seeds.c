/* Writes the .pth fuzzer's seed corpus: a small state dict (float32, a
 * transposed and an offset view of one storage, float16, an int64 scalar)
 * as a whole file, cut, and as its bare pickle (which the target wraps in a
 * zip itself); and a pickle calling os.system, which must be refused.
 * Usage: write_pth_seeds DIR
 * Build: cc -std=c11 -Itests/fuzz tests/fuzz/write_pth_seeds.c -lzip */
#include <stdio.h>

#include "pth_builder.h"

static int write_file(const char *dir, const char *name, const uint8_t *data, size_t size)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    int bad = !data || !f || fwrite(data, 1, size, f) != size;
    if (f && fclose(f) != 0)
        bad = 1;
    if (bad)
        fprintf(stderr, "write_pth_seeds: cannot write %s\n", path);
    return bad;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: write_pth_seeds DIR\n");
        return 2;
    }
    static const float w[6] = {0.5f, -1.0f, 2.0f, 0.25f, -0.75f, 3.0f};
    static const uint16_t h[2] = {0x3c00, 0xc000};
    static const int64_t steps[1] = {12};
    const char *keys[] = {"0", "1", "2", NULL};
    const void *data[] = {w, h, steps};
    const size_t sizes[] = {sizeof w, sizeof h, sizeof steps};
    const pth_tensor tensors[] = {
        {"conv.weight", "FloatStorage", "0", 6, 0, 2, {2, 3}, {3, 1}},
        {"conv.weight_t", "FloatStorage", "0", 6, 0, 2, {3, 2}, {1, 3}},
        {"conv.bias", "FloatStorage", "0", 6, 4, 1, {2}, {1}},
        {"fc.weight", "HalfStorage", "1", 2, 0, 2, {1, 2}, {2, 1}},
        {"bn.num_batches_tracked", "LongStorage", "2", 1, 0, 0, {0}, {0}},
    };
    pth_buf pkl = {0};
    pth_state_dict(&pkl, tensors, sizeof tensors / sizeof tensors[0]);
    size_t size = 0;
    uint8_t *file = pth_file("model", &pkl, keys, data, sizes, &size);
    int bad = write_file(argv[1], "state_dict", file, size);
    bad |= write_file(argv[1], "state_dict_cut", file, size / 2);
    bad |= write_file(argv[1], "state_dict_pickle", pkl.data, pkl.size);
    free(file);

    pth_buf evil = {0};
    pth_op_arg(&evil, 0x80, 2, 1);
    pth_global(&evil, "os", "system");
    pth_str(&evil, "true");
    pth_op(&evil, 0x85);
    pth_op(&evil, 'R');
    pth_op(&evil, '.');
    file = pth_file("model", &evil, NULL, NULL, NULL, &size);
    bad |= write_file(argv[1], "os_system", file, size);
    free(file);
    free(evil.data);
    free(pkl.data);
    return bad;
}
