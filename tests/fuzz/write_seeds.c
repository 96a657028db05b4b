/* Writes the fuzzers' seed corpora: small TFLite models made by our own
 * builder, whole and cut; with METADATA_DIR, a detector with TFLite
 * metadata and its appended label zip, whole and cut, for the metadata
 * reader. Usage: write_seeds DIR [METADATA_DIR] */
#include <stdio.h>

#include "tflite_builder.h"
#include "tflite_detector_builder.h"

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
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: write_seeds DIR [METADATA_DIR]\n");
        return 2;
    }
    static fbw w, meta;
    fbw_conv_add_model(&w);
    int bad = write_file(argv[1], "conv_add", w.buf, w.len);
    bad |= write_file(argv[1], "conv_add_cut", w.buf, w.len / 2);
    if (argc == 3) {
        static const uint8_t no_options[1];
        tdb_metadata(&meta, 1, 127.5f, 127.5f, "labelmap.txt");
        tdb_model(&w, no_options, 0, &meta);
        tdb_append_zip(&w, "labelmap.txt", "person\n???\ndog\n", 15);
        bad |= write_file(argv[2], "detector_labels", w.buf, w.len);
        bad |= write_file(argv[2], "detector_labels_cut", w.buf, w.len - 30);
    }
    return bad;
}
