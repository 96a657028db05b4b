/* Builds small .pth files the way torch.save lays them out, for the state
 * dict reader's tests and the fuzzer's seeds: protocol 2 pickles written
 * opcode by opcode, and zips of stored members made with libzip in memory. */
#ifndef FT_TESTS_PTH_BUILDER_H
#define FT_TESTS_PTH_BUILDER_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zip.h>

typedef struct pth_buf {
    uint8_t *data;
    size_t size, cap;
} pth_buf;

static inline void pth_put(pth_buf *b, const void *bytes, size_t n)
{
    if (n == 0)
        return;
    if (b->size + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->size + n)
            cap *= 2;
        uint8_t *data = realloc(b->data, cap);
        if (!data)
            abort();
        b->data = data;
        b->cap = cap;
    }
    memcpy(b->data + b->size, bytes, n);
    b->size += n;
}

static inline void pth_op(pth_buf *b, uint8_t op)
{
    pth_put(b, &op, 1);
}

/* An opcode with a little-endian argument of N bytes. */
static inline void pth_op_arg(pth_buf *b, uint8_t op, uint64_t arg, int n)
{
    pth_op(b, op);
    for (int i = 0; i < n; i++)
        pth_op(b, (uint8_t)(arg >> (8 * i)));
}

static inline void pth_str(pth_buf *b, const char *s)
{
    pth_op_arg(b, 'X', strlen(s), 4); /* BINUNICODE */
    pth_put(b, s, strlen(s));
}

static inline void pth_int(pth_buf *b, int64_t v)
{
    if (v >= 0 && v < 256)
        pth_op_arg(b, 'K', (uint64_t)v, 1); /* BININT1 */
    else if (v >= 0 && v < 65536)
        pth_op_arg(b, 'M', (uint64_t)v, 2); /* BININT2 */
    else {
        pth_op_arg(b, 0x8a, 8, 1); /* LONG1 of 8 bytes, two's complement */
        for (int i = 0; i < 8; i++)
            pth_op(b, (uint8_t)((uint64_t)v >> (8 * i)));
    }
}

static inline void pth_global(pth_buf *b, const char *module, const char *name)
{
    pth_op(b, 'c');
    pth_put(b, module, strlen(module));
    pth_op(b, '\n');
    pth_put(b, name, strlen(name));
    pth_op(b, '\n');
}

static inline void pth_int_tuple(pth_buf *b, const int64_t *v, int n)
{
    pth_op(b, '('); /* MARK */
    for (int i = 0; i < n; i++)
        pth_int(b, v[i]);
    pth_op(b, 't'); /* TUPLE */
}

/* One entry of a state dict: NAME, then _rebuild_tensor_v2 of a view of
 * storage KEY as torch writes it. */
typedef struct pth_tensor {
    const char *name;
    const char *storage; /* "FloatStorage", "HalfStorage"... */
    const char *key;
    int64_t numel;       /* of the storage */
    int64_t offset;
    int rank;
    int64_t shape[6], stride[6];
} pth_tensor;

/* _rebuild_tensor_v2(...) alone: the tensor's value. */
static inline void pth_tensor_value(pth_buf *b, const pth_tensor *t)
{
    pth_global(b, "torch._utils", "_rebuild_tensor_v2");
    pth_op(b, '(');
    pth_op(b, '(');
    pth_str(b, "storage");
    pth_global(b, "torch", t->storage);
    pth_str(b, t->key);
    pth_str(b, "cpu");
    pth_int(b, t->numel);
    pth_op(b, 't');
    pth_op(b, 'Q'); /* BINPERSID */
    pth_int(b, t->offset);
    pth_int_tuple(b, t->shape, t->rank);
    pth_int_tuple(b, t->stride, t->rank);
    pth_op(b, 0x89); /* NEWFALSE */
    pth_global(b, "collections", "OrderedDict");
    pth_op(b, ')'); /* EMPTY_TUPLE */
    pth_op(b, 'R'); /* REDUCE */
    pth_op(b, 't');
    pth_op(b, 'R');
}

static inline void pth_tensor_entry(pth_buf *b, const pth_tensor *t)
{
    pth_str(b, t->name);
    pth_tensor_value(b, t);
}

/* PROTO 2, OrderedDict(), MARK: entries follow. */
static inline void pth_dict_begin(pth_buf *b)
{
    pth_op_arg(b, 0x80, 2, 1);
    pth_global(b, "collections", "OrderedDict");
    pth_op_arg(b, 'q', 0, 1); /* BINPUT 0 */
    pth_op(b, ')');
    pth_op(b, 'R');
    pth_op(b, '(');
}

/* SETITEMS, then torch's _metadata set by BUILD, and STOP. */
static inline void pth_dict_end(pth_buf *b)
{
    pth_op(b, 'u'); /* SETITEMS */
    pth_op(b, '}'); /* EMPTY_DICT */
    pth_str(b, "_metadata");
    pth_op_arg(b, 'h', 0, 1); /* BINGET 0 */
    pth_op(b, ')');
    pth_op(b, 'R');
    pth_str(b, "");
    pth_op(b, '}');
    pth_str(b, "version");
    pth_int(b, 1);
    pth_op(b, 's'); /* SETITEM */
    pth_op(b, 's');
    pth_op(b, 's');
    pth_op(b, 'b'); /* BUILD */
    pth_op(b, '.'); /* STOP */
}

/* The whole pickle of a state dict of TENSORS[0..N), in that order. */
static inline void pth_state_dict(pth_buf *b, const pth_tensor *tensors, size_t n)
{
    pth_dict_begin(b);
    for (size_t i = 0; i < n; i++)
        pth_tensor_entry(b, &tensors[i]);
    pth_dict_end(b);
}

typedef struct pth_member {
    const char *name;
    const void *data;
    size_t size;
} pth_member;

/* A zip of stored members, as torch.save writes it (malloc'd), or NULL. */
static inline uint8_t *pth_zip(const pth_member *members, int count, size_t *size)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
    zip_t *za = src ? zip_open_from_source(src, ZIP_TRUNCATE, &ze) : NULL;
    zip_error_fini(&ze);
    if (!za) {
        zip_source_free(src);
        return NULL;
    }
    zip_source_keep(src); /* read back after zip_close */
    for (int i = 0; i < count; i++) {
        zip_source_t *s = zip_source_buffer(za, members[i].data, members[i].size, 0);
        zip_int64_t index = s ? zip_file_add(za, members[i].name, s, ZIP_FL_OVERWRITE) : -1;
        if (index < 0) {
            zip_source_free(s);
            zip_discard(za);
            zip_source_free(src);
            return NULL;
        }
        zip_set_file_compression(za, (zip_uint64_t)index, ZIP_CM_STORE, 0);
        /* 1980-01-01: the same bytes on every run */
        zip_file_set_dostime(za, (zip_uint64_t)index, 0, 0x21, 0);
    }
    uint8_t *out = NULL;
    if (zip_close(za) != 0) {
        zip_discard(za);
    } else if (zip_source_open(src) == 0) {
        zip_int64_t n = -1;
        if (zip_source_seek(src, 0, SEEK_END) == 0 && (n = zip_source_tell(src)) >= 0 &&
            zip_source_seek(src, 0, SEEK_SET) == 0 && (out = malloc(n ? (size_t)n : 1)) &&
            zip_source_read(src, out, (zip_uint64_t)n) == n) {
            *size = (size_t)n;
        } else {
            free(out);
            out = NULL;
        }
        zip_source_close(src);
    }
    zip_source_free(src);
    return out;
}

/* The usual layout: <top>/data.pkl, <top>/byteorder and the storages
 * <top>/data/<key>[i] (keys NULL-ended; sizes in bytes). */
static inline uint8_t *pth_file(const char *top, const pth_buf *pkl, const char *const *keys,
                                const void *const *storages, const size_t *sizes, size_t *size)
{
    pth_member m[18];
    char names[18][128];
    int n = 0;
    snprintf(names[n], sizeof names[n], "%s/data.pkl", top);
    m[n] = (pth_member){names[n], pkl->data, pkl->size};
    n++;
    snprintf(names[n], sizeof names[n], "%s/byteorder", top);
    m[n] = (pth_member){names[n], "little", 6};
    n++;
    for (int i = 0; keys && keys[i] && n < 18; i++, n++) {
        snprintf(names[n], sizeof names[n], "%s/data/%s", top, keys[i]);
        m[n] = (pth_member){names[n], storages[i], sizes[i]};
    }
    return pth_zip(m, n, size);
}

#endif
