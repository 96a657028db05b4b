/* TFLite metadata (see tflite_metadata.h). Field numbers follow
 * tensorflow/lite/schema/schema.fbs (Model, Metadata, Buffer) and
 * tensorflow_lite_support/metadata/metadata_schema.fbs (ModelMetadata and
 * below); every offset goes through the bounds-checked flatbuffer reader. */
#include "nn/tflite_metadata.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zip.h>

#include "nn/flatbuffer.h"
#include "nn/load_error.h"

enum {
    PROCESS_NORMALIZATION = 1,     /* ProcessUnitOptions.NormalizationOptions */
    FILE_TENSOR_AXIS_LABELS = 2,   /* AssociatedFileType */
    FILE_TENSOR_VALUE_LABELS = 3,
    MAX_LABEL_FILE = 1 << 20       /* a label file larger than this is not one */
};

static ft_status fail(char *err, size_t size, const char *name, ft_status st, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static ft_status fail(char *err, size_t size, const char *name, ft_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ft_nn_format_error(err, size, name, fmt, ap);
    va_end(ap);
    return st;
}

/* Buffer INDEX's bytes (inline, or at an offset from the file's start). */
static const uint8_t *buffer_bytes(ft_fb *fb, ft_fb_vec buffers, uint32_t index, size_t *size)
{
    *size = 0;
    if (index == 0 || index >= buffers.count)
        return NULL;
    size_t b = ft_fb_vec_table(fb, buffers, index);
    ft_fb_vec data = ft_fb_vector(fb, b, 0, 1);
    if (data.pos && data.count) {
        *size = data.count;
        return fb->buf + data.pos;
    }
    uint64_t off = (uint64_t)ft_fb_int(fb, b, 1, 8, 0, 0);
    uint64_t len = (uint64_t)ft_fb_int(fb, b, 2, 8, 0, 0);
    if (off > 1 && len && off <= fb->size && len <= fb->size - off) {
        *size = (size_t)len;
        return fb->buf + off;
    }
    return NULL;
}

static float vec_float(ft_fb *fb, ft_fb_vec v, uint32_t i)
{
    int32_t bits = ft_fb_vec_i32(fb, v, i);
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* The NormalizationOptions among the ProcessUnits of vector UNITS. */
static int read_normalization(ft_fb *m, ft_fb_vec units, ft_tflite_metadata *out)
{
    for (uint32_t u = 0; u < units.count && u < 64; u++) {
        size_t unit = ft_fb_vec_table(m, units, u);
        if (ft_fb_int(m, unit, 0, 1, 0, 0) != PROCESS_NORMALIZATION)
            continue;
        size_t opts = ft_fb_table(m, unit, 1);
        ft_fb_vec mean = ft_fb_vector(m, opts, 0, 4), std = ft_fb_vector(m, opts, 1, 4);
        if (mean.count < 1 || mean.count > 4 || std.count != mean.count)
            return -1;
        for (uint32_t c = 0; c < mean.count; c++) {
            out->mean[c] = vec_float(m, mean, c);
            out->std[c] = vec_float(m, std, c);
            if (!(out->std[c] != 0) || out->mean[c] != out->mean[c])
                return -1; /* a zero or NaN std, a NaN mean */
        }
        out->norm_count = (int)mean.count;
        return 1;
    }
    return 0;
}

/* The first label file among the AssociatedFiles of vector FILES. */
static void find_label_file(ft_fb *m, ft_fb_vec files, ft_tflite_metadata *out)
{
    for (int want = FILE_TENSOR_VALUE_LABELS; want >= FILE_TENSOR_AXIS_LABELS && !out->label_file[0];
         want--)
        for (uint32_t f = 0; f < files.count && f < 64; f++) {
            size_t file = ft_fb_vec_table(m, files, f);
            uint32_t len = 0;
            const char *name = ft_fb_string(m, file, 0, &len);
            if (ft_fb_int(m, file, 2, 1, 1, 0) == want && name && len > 0 &&
                len < sizeof out->label_file && !memchr(name, '\0', len)) {
                memcpy(out->label_file, name, len);
                out->label_file[len] = '\0';
                return;
            }
        }
}

/* The zip appended to the model: MediaPipe's writer records offsets from the
 * file's start (Python's zipfile appending to the model); an archive
 * concatenated as it was made records them from its own start, so when
 * the whole file does not open, the archive is opened from where its
 * central directory says it begins. */
static zip_t *open_appended_zip(const uint8_t *data, size_t size, char *why, size_t why_size)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        size_t start = 0;
        if (attempt == 1) {
            /* end of central directory: signature, then at +12 the directory's
             * size and at +16 its offset; searched back over a comment */
            size_t eocd = 0;
            for (size_t back = 22; back <= size && back <= 22 + 65535; back++)
                if (!memcmp(data + size - back, "PK\005\006", 4)) {
                    eocd = size - back;
                    break;
                }
            if (!eocd)
                break;
            const uint8_t *e = data + eocd;
            const uint64_t dir_size = (uint64_t)e[12] | (uint64_t)e[13] << 8 |
                                      (uint64_t)e[14] << 16 | (uint64_t)e[15] << 24;
            const uint64_t dir_off = (uint64_t)e[16] | (uint64_t)e[17] << 8 |
                                     (uint64_t)e[18] << 16 | (uint64_t)e[19] << 24;
            if (dir_size + dir_off >= eocd)
                break; /* the offsets were already from the file's start */
            start = eocd - (size_t)(dir_size + dir_off);
        }
        zip_error_t ze;
        zip_error_init(&ze);
        zip_source_t *src = zip_source_buffer_create(data + start, size - start, 0, &ze);
        zip_t *z = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
        if (!z) {
            snprintf(why, why_size, "%s", zip_error_strerror(&ze));
            if (src)
                zip_source_free(src);
        }
        zip_error_fini(&ze);
        if (z)
            return z;
    }
    if (!why[0])
        snprintf(why, why_size, "no zip appended to the model");
    return NULL;
}

/* FILE's lines from the zip appended to DATA into OUT->labels. */
static ft_status read_labels(const uint8_t *data, size_t size, const char *name,
                             ft_tflite_metadata *out, char *err, size_t err_size)
{
    char why[256] = "";
    zip_t *z = open_appended_zip(data, size, why, sizeof why);
    if (!z)
        return fail(err, err_size, name, FT_ERR_FORMAT,
                    "its metadata names the label file '%s', but the model's appended zip "
                    "cannot be read (%s)", out->label_file, why);
    ft_status st = FT_OK;
    char *text = NULL;
    zip_stat_t zs;
    const zip_int64_t index = zip_name_locate(z, out->label_file, 0);
    if (index < 0) {
        st = fail(err, err_size, name, FT_ERR_FORMAT,
                  "its metadata names the label file '%s', which its appended zip does not hold",
                  out->label_file);
    } else if (zip_stat_index(z, (zip_uint64_t)index, 0, &zs) != 0 || !(zs.valid & ZIP_STAT_SIZE) ||
               zs.size > MAX_LABEL_FILE) {
        st = fail(err, err_size, name, FT_ERR_FORMAT, "label file '%s': too large or unreadable",
                  out->label_file);
    } else if (!(text = malloc((size_t)zs.size + 1))) {
        st = FT_ERR_NOMEM;
    } else {
        zip_file_t *zf = zip_fopen_index(z, (zip_uint64_t)index, 0);
        const zip_int64_t got = zf ? zip_fread(zf, text, zs.size) : -1;
        if (got != (zip_int64_t)zs.size)
            st = fail(err, err_size, name, FT_ERR_FORMAT, "label file '%s': cannot read: %s",
                      out->label_file, zf ? zip_file_strerror(zf) : zip_strerror(z));
        if (zf && zip_fclose(zf) != 0 && st == FT_OK)
            st = fail(err, err_size, name, FT_ERR_FORMAT, "label file '%s': corrupt (checksum)",
                      out->label_file);
    }
    zip_discard(z);
    if (st == FT_OK) {
        const size_t n = (size_t)zs.size;
        text[n] = '\0';
        size_t lines = 0;
        for (size_t i = 0; i < n; i++)
            lines += text[i] == '\n';
        lines += n > 0 && text[n - 1] != '\n';
        if (lines == 0 || lines > FT_TFLITE_MAX_LABELS || memchr(text, '\0', n))
            st = fail(err, err_size, name, FT_ERR_FORMAT, "label file '%s': %s", out->label_file,
                      lines == 0 ? "empty" : lines > FT_TFLITE_MAX_LABELS ? "too many lines"
                                                                         : "not text");
        else if (!(out->labels = calloc(lines, sizeof *out->labels)))
            st = FT_ERR_NOMEM;
        for (size_t i = 0, at = 0; st == FT_OK && i < lines; i++) {
            size_t end = at;
            while (end < n && text[end] != '\n')
                end++;
            size_t len = end - at;
            if (len > 0 && text[at + len - 1] == '\r')
                len--;
            if (!(out->labels[i] = strndup(text + at, len)))
                st = FT_ERR_NOMEM;
            out->label_count = (int)i + 1;
            at = end + 1;
        }
    }
    free(text);
    return st == FT_ERR_NOMEM ? fail(err, err_size, name, st, "out of memory") : st;
}

ft_status ft_tflite_metadata_read(const uint8_t *data, size_t size, const char *name,
                                  ft_tflite_metadata *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    if (err && err_size)
        err[0] = '\0';
    name = name ? name : "(model)";
    if (!data || size < 8 || memcmp(data + 4, "TFL3", 4) != 0)
        return fail(err, err_size, name, FT_ERR_FORMAT, "not a TFLite model");
    ft_fb fb = {data, size, 0};
    const size_t model = ft_fb_root(&fb);
    const ft_fb_vec buffers = ft_fb_vector(&fb, model, 4, 4);
    const ft_fb_vec entries = ft_fb_vector(&fb, model, 6, 4);
    const uint8_t *meta = NULL;
    size_t meta_size = 0;
    for (uint32_t i = 0; i < entries.count && !fb.bad; i++) {
        size_t e = ft_fb_vec_table(&fb, entries, i);
        uint32_t len = 0;
        const char *key = ft_fb_string(&fb, e, 0, &len);
        if (key && len == 15 && !memcmp(key, "TFLITE_METADATA", 15)) {
            meta = buffer_bytes(&fb, buffers, (uint32_t)ft_fb_int(&fb, e, 1, 4, 0, 0), &meta_size);
            if (!meta)
                return fail(err, err_size, name, FT_ERR_FORMAT,
                            "corrupt TFLite model: bad TFLITE_METADATA buffer");
            break;
        }
    }
    if (fb.bad)
        return fail(err, err_size, name, FT_ERR_FORMAT, "corrupt TFLite model: bad metadata list");
    if (!meta)
        return FT_OK;
    out->has_metadata = 1;
    ft_fb m = {meta, meta_size, 0};
    const size_t root = ft_fb_root(&m);
    if (!root || meta_size < 8 || memcmp(meta + 4, "M001", 4) != 0)
        return fail(err, err_size, name, FT_ERR_FORMAT,
                    "its TFLITE_METADATA is not TFLite metadata (no M001 identifier)");
    const ft_fb_vec subgraphs = ft_fb_vector(&m, root, 3, 4);
    const size_t sg = subgraphs.count ? ft_fb_vec_table(&m, subgraphs, 0) : 0;
    int norm = 0;
    if (sg) {
        const ft_fb_vec inputs = ft_fb_vector(&m, sg, 2, 4);
        if (inputs.count > 0) /* the image's own process units */
            norm = read_normalization(&m, ft_fb_vector(&m, ft_fb_vec_table(&m, inputs, 0), 4, 4), out);
        if (norm == 0) /* or the subgraph's */
            norm = read_normalization(&m, ft_fb_vector(&m, sg, 5, 4), out);
        const ft_fb_vec outputs = ft_fb_vector(&m, sg, 3, 4);
        for (uint32_t o = 0; o < outputs.count && o < 64 && !out->label_file[0]; o++)
            find_label_file(&m, ft_fb_vector(&m, ft_fb_vec_table(&m, outputs, o), 6, 4), out);
        if (!out->label_file[0])
            find_label_file(&m, ft_fb_vector(&m, sg, 4, 4), out);
    }
    if (!out->label_file[0])
        find_label_file(&m, ft_fb_vector(&m, root, 6, 4), out);
    if (m.bad || norm < 0) {
        const int was_bad = m.bad;
        ft_tflite_metadata_free(out);
        return fail(err, err_size, name, FT_ERR_FORMAT, "corrupt TFLite metadata: %s",
                    was_bad ? "an offset points outside it" : "bad NormalizationOptions");
    }
    if (out->label_file[0]) {
        ft_status st = read_labels(data, size, name, out, err, err_size);
        if (st != FT_OK) {
            ft_tflite_metadata_free(out);
            return st;
        }
    }
    return FT_OK;
}

void ft_tflite_metadata_free(ft_tflite_metadata *m)
{
    if (!m)
        return;
    for (int i = 0; i < m->label_count; i++)
        free(m->labels[i]);
    free(m->labels);
    memset(m, 0, sizeof *m);
}
