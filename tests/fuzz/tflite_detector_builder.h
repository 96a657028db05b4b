/* A made-up TFLite object detector as MediaPipe's EfficientDet-Lite files
 * are laid out: a float [1, 4, 4, 3] image in, TFLite_Detection_PostProcess
 * at the end, TFLite metadata (input NormalizationOptions, a label file on
 * the "category" output) and the label file in a zip appended to the model
 * with offsets from the file's start, as TFLite Support's metadata writer
 * (Python's zipfile appending to the model) leaves it.
 *
 * The network: the image, RESHAPEd to [1, 16, 3], is the score matrix of 16
 * anchors (one per pixel of the 4x4 input, row by row) with R the
 * background column and G, B the scores of classes 0 and 1; the box
 * encodings are zero, so each detection's box is its anchor's cell. */
#ifndef FT_TESTS_TFLITE_DETECTOR_BUILDER_H
#define FT_TESTS_TFLITE_DETECTOR_BUILDER_H

#include <stdint.h>
#include <string.h>

#include "tflite_builder.h"

static inline uint32_t tdb_crc32(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = c & 1 ? (c >> 1) ^ 0xedb88320u : c >> 1;
    }
    return ~c;
}

static inline void tdb_put(fbw *w, uint32_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        w->buf[w->len++] = (uint8_t)(v >> (8 * i));
}

static inline size_t tdb_floats(fbw *w, const float *v, uint32_t n)
{
    size_t pos = fbw_u32(w, n);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t bits;
        memcpy(&bits, &v[i], 4);
        fbw_u32(w, bits);
    }
    return pos;
}

/* TFLite metadata ("M001"): with NORM, the input's NormalizationOptions
 * (MEAN, STD, one value for every channel); with LABEL_FILE, an
 * AssociatedFile of type TENSOR_VALUE_LABELS on the second output. */
static inline void tdb_metadata(fbw *m, int norm, float mean, float std, const char *label_file)
{
    memset(m, 0, sizeof *m);
    m->len = 8;
    memcpy(m->buf + 4, "M001", 4);
    size_t root = fbw_table(m, 4); /* name, description, version, subgraph_metadata */
    fbw_u32_at(m, 0, (uint32_t)root);
    fbw_link(m, root, 0, fbw_bytes(m, "ObjectDetector", 14));
    size_t sgs = fbw_table_vector(m, 1);
    fbw_link(m, root, 3, sgs);
    size_t sg = fbw_table(m, 4); /* name, description, input_tensor_metadata, output_... */
    fbw_link_elem(m, sgs, 0, sg);
    size_t ins = fbw_table_vector(m, 1);
    fbw_link(m, sg, 2, ins);
    size_t image = fbw_table(m, 5); /* name, description, dimension_names, content, process_units */
    fbw_link_elem(m, ins, 0, image);
    fbw_link(m, image, 0, fbw_bytes(m, "image", 5));
    if (norm) {
        size_t units = fbw_table_vector(m, 1);
        fbw_link(m, image, 4, units);
        size_t unit = fbw_table(m, 2); /* options_type, options */
        fbw_link_elem(m, units, 0, unit);
        fbw_set(m, unit, 0, 1);        /* NormalizationOptions */
        size_t opts = fbw_table(m, 2); /* mean, std */
        fbw_link(m, unit, 1, opts);
        fbw_link(m, opts, 0, tdb_floats(m, &mean, 1));
        fbw_link(m, opts, 1, tdb_floats(m, &std, 1));
    }
    static const char *const names[4] = {"location", "category", "score", "number of detections"};
    size_t outs = fbw_table_vector(m, 4);
    fbw_link(m, sg, 3, outs);
    for (uint32_t o = 0; o < 4; o++) {
        size_t t = fbw_table(m, 7); /* ..., stats, associated_files */
        fbw_link_elem(m, outs, o, t);
        fbw_link(m, t, 0, fbw_bytes(m, names[o], (uint32_t)strlen(names[o])));
        if (o == 1 && label_file) {
            size_t files = fbw_table_vector(m, 1);
            fbw_link(m, t, 6, files);
            size_t f = fbw_table(m, 3); /* name, description, type */
            fbw_link_elem(m, files, 0, f);
            fbw_link(m, f, 0, fbw_bytes(m, label_file, (uint32_t)strlen(label_file)));
            fbw_set(m, f, 2, 3); /* TENSOR_VALUE_LABELS */
        }
    }
}

/* The detector into W; OPTS are TFLite_Detection_PostProcess's FlexBuffers
 * options (num_classes 2); META (may be NULL) the metadata flatbuffer. */
static inline void tdb_model(fbw *w, const uint8_t *opts, size_t opts_size, const fbw *meta)
{
    memset(w, 0, sizeof *w);
    w->len = 8;
    memcpy(w->buf + 4, "TFL3", 4);
    /* version, operator_codes, subgraphs, description, buffers, metadata_buffer, metadata */
    size_t model = fbw_table(w, 7);
    fbw_u32_at(w, 0, (uint32_t)model);
    fbw_set(w, model, 0, 3);
    size_t codes = fbw_table_vector(w, 2);
    fbw_link(w, model, 1, codes);
    size_t reshape = fbw_table(w, 4);
    fbw_set(w, reshape, 0, 22); /* RESHAPE */
    fbw_set(w, reshape, 2, 1);
    fbw_set(w, reshape, 3, 22);
    fbw_link_elem(w, codes, 0, reshape);
    size_t custom = fbw_table(w, 4);
    fbw_set(w, custom, 0, 32); /* CUSTOM */
    fbw_set(w, custom, 2, 1);
    fbw_set(w, custom, 3, 32);
    fbw_link(w, custom, 1, fbw_bytes(w, "TFLite_Detection_PostProcess", 28));
    fbw_link_elem(w, codes, 1, custom);

    size_t subgraphs = fbw_table_vector(w, 1);
    fbw_link(w, model, 2, subgraphs);
    size_t sg = fbw_table(w, 5);
    fbw_link_elem(w, subgraphs, 0, sg);
    size_t tensors = fbw_table_vector(w, 8);
    fbw_link(w, sg, 0, tensors);
    const int32_t image[4] = {1, 4, 4, 3}, scores[3] = {1, 16, 3}, enc[3] = {1, 16, 4},
                  anchors[2] = {16, 4}, boxes[3] = {1, 3, 4}, per[2] = {1, 3}, one[1] = {1};
    fbw_link_elem(w, tensors, 0, fbw_tensor(w, image, 4, 0, 0, "image"));
    fbw_link_elem(w, tensors, 1, fbw_tensor(w, scores, 3, 0, 0, "raw_scores"));
    fbw_link_elem(w, tensors, 2, fbw_tensor(w, enc, 3, 0, 1, "raw_boxes"));
    fbw_link_elem(w, tensors, 3, fbw_tensor(w, anchors, 2, 0, 2, "anchors"));
    fbw_link_elem(w, tensors, 4, fbw_tensor(w, boxes, 3, 0, 0, "location"));
    fbw_link_elem(w, tensors, 5, fbw_tensor(w, per, 2, 0, 0, "category"));
    fbw_link_elem(w, tensors, 6, fbw_tensor(w, per, 2, 0, 0, "score"));
    fbw_link_elem(w, tensors, 7, fbw_tensor(w, one, 1, 0, 0, "number of detections"));
    fbw_link(w, sg, 1, fbw_ints(w, (const int32_t[]){0}, 1));
    fbw_link(w, sg, 2, fbw_ints(w, (const int32_t[]){4, 5, 6, 7}, 4));
    size_t ops = fbw_table_vector(w, 2);
    fbw_link(w, sg, 3, ops);
    size_t op0 = fbw_table(w, 5);
    fbw_link_elem(w, ops, 0, op0);
    fbw_set(w, op0, 0, 0);
    fbw_link(w, op0, 1, fbw_ints(w, (const int32_t[]){0}, 1));
    fbw_link(w, op0, 2, fbw_ints(w, (const int32_t[]){1}, 1));
    size_t op1 = fbw_table(w, 6);
    fbw_link_elem(w, ops, 1, op1);
    fbw_set(w, op1, 0, 1);
    fbw_link(w, op1, 1, fbw_ints(w, (const int32_t[]){2, 1, 3}, 3));
    fbw_link(w, op1, 2, fbw_ints(w, (const int32_t[]){4, 5, 6, 7}, 4));
    fbw_link(w, op1, 5, fbw_bytes(w, opts, (uint32_t)opts_size));
    fbw_link(w, sg, 4, fbw_bytes(w, "main", 4));

    size_t buffers = fbw_table_vector(w, meta ? 4 : 3);
    fbw_link(w, model, 4, buffers);
    fbw_link_elem(w, buffers, 0, fbw_table(w, 1));
    size_t zeros = fbw_table(w, 1);
    fbw_link_elem(w, buffers, 1, zeros);
    static const float no_offsets[16 * 4];
    fbw_link(w, zeros, 0, fbw_bytes(w, no_offsets, sizeof no_offsets));
    size_t cells = fbw_table(w, 1);
    fbw_link_elem(w, buffers, 2, cells);
    float a[16 * 4]; /* centre y, centre x, height, width of each pixel's cell */
    for (int i = 0; i < 16; i++) {
        a[4 * i] = ((float)(i / 4) + 0.5f) / 4;
        a[4 * i + 1] = ((float)(i % 4) + 0.5f) / 4;
        a[4 * i + 2] = a[4 * i + 3] = 0.25f;
    }
    fbw_link(w, cells, 0, fbw_bytes(w, a, sizeof a));
    if (meta) {
        size_t mb = fbw_table(w, 1);
        fbw_link_elem(w, buffers, 3, mb);
        fbw_link(w, mb, 0, fbw_bytes(w, meta->buf, (uint32_t)meta->len));
        size_t entries = fbw_table_vector(w, 1);
        fbw_link(w, model, 6, entries);
        size_t e = fbw_table(w, 2); /* name, buffer */
        fbw_link_elem(w, entries, 0, e);
        fbw_link(w, e, 0, fbw_bytes(w, "TFLITE_METADATA", 15));
        fbw_set(w, e, 1, 3);
    }
}

/* Appends a zip of one stored member NAME = DATA to W, its offsets from the
 * start of W (the model before it included). */
static inline void tdb_append_zip(fbw *w, const char *name, const char *data, size_t size)
{
    const uint32_t crc = tdb_crc32((const uint8_t *)data, size);
    const uint16_t name_len = (uint16_t)strlen(name);
    const size_t local = w->len;
    tdb_put(w, 0x04034b50u, 4);
    tdb_put(w, 20, 2); /* version needed */
    tdb_put(w, 0, 2);  /* flags */
    tdb_put(w, 0, 2);  /* stored */
    tdb_put(w, 0, 4);  /* time, date */
    tdb_put(w, crc, 4);
    tdb_put(w, (uint32_t)size, 4);
    tdb_put(w, (uint32_t)size, 4);
    tdb_put(w, name_len, 2);
    tdb_put(w, 0, 2);
    memcpy(w->buf + w->len, name, name_len);
    w->len += name_len;
    memcpy(w->buf + w->len, data, size);
    w->len += size;
    const size_t dir = w->len;
    tdb_put(w, 0x02014b50u, 4);
    tdb_put(w, 20, 2); /* made by */
    tdb_put(w, 20, 2);
    tdb_put(w, 0, 2);
    tdb_put(w, 0, 2);
    tdb_put(w, 0, 4);
    tdb_put(w, crc, 4);
    tdb_put(w, (uint32_t)size, 4);
    tdb_put(w, (uint32_t)size, 4);
    tdb_put(w, name_len, 2);
    tdb_put(w, 0, 2); /* extra */
    tdb_put(w, 0, 2); /* comment */
    tdb_put(w, 0, 2); /* disk */
    tdb_put(w, 0, 2); /* internal attributes */
    tdb_put(w, 0, 4); /* external attributes */
    tdb_put(w, (uint32_t)local, 4);
    memcpy(w->buf + w->len, name, name_len);
    w->len += name_len;
    const size_t dir_size = w->len - dir;
    tdb_put(w, 0x06054b50u, 4);
    tdb_put(w, 0, 2);
    tdb_put(w, 0, 2);
    tdb_put(w, 1, 2);
    tdb_put(w, 1, 2);
    tdb_put(w, (uint32_t)dir_size, 4);
    tdb_put(w, (uint32_t)dir, 4);
    tdb_put(w, 0, 2);
}

#endif
