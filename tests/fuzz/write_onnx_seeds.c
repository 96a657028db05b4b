/* Writes the ONNX fuzzer's seed corpus: tiny models made with protobuf-c
 * (Conv+Relu+Add, one with a contrib op, one with mismatched weights), whole
 * and cut. Usage: write_onnx_seeds DIR */
#include <stdio.h>

#include "onnx_builder.h"

static int write_file(const char *dir, const char *name, const uint8_t *data, size_t size)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!data || !f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
        fprintf(stderr, "write_onnx_seeds: cannot write %s\n", path);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: write_onnx_seeds DIR\n");
        return 2;
    }
    const struct { const char *name; onnx_tiny spec; } seeds[] = {
        {"conv_relu_add", {0}},
        {"conv_sigmoid_add", {.op2 = "Sigmoid"}},
        {"contrib_op", {.op2 = "Gelu", .op2_domain = "com.microsoft"}},
        {"bad_weights", {.weight_in = 3}},
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        size_t size;
        uint8_t *data = onnx_tiny_model(&seeds[i].spec, &size);
        char cut[64];
        snprintf(cut, sizeof cut, "%s_cut", seeds[i].name);
        bad |= write_file(argv[1], seeds[i].name, data, size);
        if (i == 0)
            bad |= write_file(argv[1], cut, data, size / 2);
        free(data);
    }
    return bad;
}
