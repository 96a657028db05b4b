/* Writes the fuzzer's seed corpus: small TFLite models made by our own
 * builder, whole and cut. Usage: write_seeds DIR */
#include <stdio.h>

#include "tflite_builder.h"

static int write_file(const char *dir, const char *name, const uint8_t *data, size_t size)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
        fprintf(stderr, "write_seeds: cannot write %s\n", path);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: write_seeds DIR\n");
        return 2;
    }
    static fbw w;
    fbw_conv_add_model(&w);
    int bad = write_file(argv[1], "conv_add", w.buf, w.len);
    bad |= write_file(argv[1], "conv_add_cut", w.buf, w.len / 2);
    return bad;
}
