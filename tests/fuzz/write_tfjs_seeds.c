/* Writes the TF.js fuzzer's seed corpus: the tiny model of tfjs_builder.h
 * (model.json, a NUL, its shard), whole, with a short shard, and cut.
 * Usage: write_tfjs_seeds DIR */
#include <stdio.h>

#include "tfjs_builder.h"

static int write_seed(const char *dir, const char *name, const tfjs_tiny *m, size_t json_size)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(m->json, 1, json_size, f) == json_size && fputc(0, f) == 0 &&
             fwrite(m->shard, 1, m->shard_size, f) == m->shard_size;
    if (!f || fclose(f) != 0 || !ok) {
        fprintf(stderr, "write_tfjs_seeds: cannot write %s\n", path);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: write_tfjs_seeds DIR\n");
        return 2;
    }
    tfjs_tiny whole, cut;
    if (tfjs_tiny_model(&whole, 0) || tfjs_tiny_model(&cut, 5))
        return 1;
    int bad = write_seed(argv[1], "tiny", &whole, whole.json_size);
    bad |= write_seed(argv[1], "tiny_short_shard", &cut, cut.json_size);
    bad |= write_seed(argv[1], "tiny_cut_json", &whole, whole.json_size / 2);
    tfjs_tiny_free(&whole);
    tfjs_tiny_free(&cut);
    return bad;
}
