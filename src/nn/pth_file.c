/* PyTorch state dicts (torch.save since torch 1.6) read without Python.
 * The zip holds <top>/data.pkl, a pickle of the dict, and <top>/data/<key>,
 * one raw little-endian storage per key. The pickle runs on a small machine
 * that knows protocol 2's opcodes (and the few later ones torch may emit)
 * and resolves only the globals a state dict uses, so no file can make it
 * call anything. Every length, memo index, offset and stride is checked
 * against the bytes that are really there before it is used. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <zip.h>

#include "nn/half.h"
#include "nn/load_error.h"
#include "nn/pth_file.h"

/* Deflate expands at most ~1032:1; a member claiming more is refused before
 * its buffer is made. */
#define MAX_EXPANSION 1032
/* Tensors may view one storage many times; all their copies together stay
 * within this many times the file (float16 to float32 doubles, tied weights
 * double again), plus some slack for tiny files. */
#define MAX_OUTPUT_RATIO 16
#define OUTPUT_SLACK ((uint64_t)1 << 20)
#define MAX_GLOBAL_LEN 256
#define MAX_PROTOCOL 5

/* ------------------------------------------------------------ storage types */

typedef enum src_kind { SRC_RAW, SRC_F16, SRC_BF16, SRC_F64 } src_kind;

typedef struct storage_type {
    const char *name; /* torch.<name> */
    size_t item_size; /* in the file */
    src_kind kind;
    ft_dtype dtype;   /* as loaded */
} storage_type;

static const storage_type storage_types[] = {
    {"FloatStorage", 4, SRC_RAW, FT_DTYPE_F32},
    {"HalfStorage", 2, SRC_F16, FT_DTYPE_F32},
    {"BFloat16Storage", 2, SRC_BF16, FT_DTYPE_F32},
    {"DoubleStorage", 8, SRC_F64, FT_DTYPE_F32},
    {"LongStorage", 8, SRC_RAW, FT_DTYPE_I64},
    {"IntStorage", 4, SRC_RAW, FT_DTYPE_I32},
    {"ByteStorage", 1, SRC_RAW, FT_DTYPE_U8},
    {"CharStorage", 1, SRC_RAW, FT_DTYPE_I8},
    {"BoolStorage", 1, SRC_RAW, FT_DTYPE_BOOL},
};

/* ------------------------------------------------------------ pickle values */

typedef enum pv_kind {
    PV_NONE, PV_BOOL, PV_INT, PV_FLOAT, PV_STR, PV_TUPLE, PV_LIST, PV_DICT,
    PV_GLOBAL, PV_STORAGE, PV_TENSOR
} pv_kind;

static const char *const pv_kind_names[] = {"None", "bool", "int",    "float",   "str",   "tuple",
                                            "list", "dict", "global", "storage", "tensor"};

typedef enum global_id {
    G_ORDERED_DICT,      /* collections.OrderedDict */
    G_REBUILD_TENSOR,    /* torch._utils._rebuild_tensor_v2 */
    G_REBUILD_PARAMETER, /* torch._utils._rebuild_parameter */
    G_STORAGE_TYPE       /* torch.FloatStorage and the like */
} global_id;

typedef struct pv pv;
struct pv {
    pv *next; /* every value made, freed together at the end */
    pv_kind kind;
    union {
        int64_t i; /* bool, int */
        double f;
        struct {
            char *s; /* NUL added; may hold NULs itself */
            size_t len;
        } str;
        struct {
            pv **items; /* tuple, list; dict: key, value, key, value... */
            size_t count, cap;
        } seq;
        struct {
            global_id id;
            const storage_type *type; /* G_STORAGE_TYPE */
        } global;
        struct {
            const storage_type *type;
            const pv *key; /* a str */
            int64_t numel;
        } storage;
        struct {
            const pv *storage;
            int64_t offset, numel;
            int rank;
            int64_t shape[FT_NN_MAX_RANK], stride[FT_NN_MAX_RANK];
        } tensor;
    } u;
};

/* A storage member, read once however many tensors view it. */
typedef struct member {
    uint8_t *data;
    size_t size;
    int read;
    int uses; /* tensors still to copy from it */
} member;

typedef struct reader {
    const char *name;
    char *err;
    size_t err_size;
    zip_t *zip;
    uint64_t archive_size;
    char *top; /* "<folder>/", the prefix of every member */
    member *members; /* by zip index */
    zip_int64_t member_count;
    uint64_t output_left; /* bytes the tensors' copies may still take */
    /* the pickle machine */
    const uint8_t *pkl;
    size_t pkl_size, pos, op_pos;
    pv *values;
    pv **stack;
    size_t sp, stack_cap;
    size_t *marks;
    size_t mark_count, mark_cap;
    pv **memo;
    size_t memo_cap, memo_count;
} reader;

static ft_status fail(reader *r, ft_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static ft_status pk_fail(reader *r, ft_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static ft_status fail(reader *r, ft_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ft_nn_format_error(r->err, r->err_size, r->name, fmt, ap);
    va_end(ap);
    return st;
}

/* An error in the pickle, at the opcode being run. */
static ft_status pk_fail(reader *r, ft_status st, const char *fmt, ...)
{
    char reason[240];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    return fail(r, st, "data.pkl, byte %zu: %s", r->op_pos, reason);
}

static ft_status no_memory(reader *r)
{
    return fail(r, FT_ERR_NOMEM, "out of memory");
}

/* ------------------------------------------------------- values and stack */

static pv *new_value(reader *r, pv_kind kind)
{
    pv *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->kind = kind;
    v->next = r->values;
    r->values = v;
    return v;
}

static void free_values(reader *r)
{
    while (r->values) {
        pv *v = r->values;
        r->values = v->next;
        if (v->kind == PV_STR)
            free(v->u.str.s);
        else if (v->kind == PV_TUPLE || v->kind == PV_LIST || v->kind == PV_DICT)
            free(v->u.seq.items);
        free(v);
    }
}

static int seq_append(pv *seq, pv *item)
{
    if (seq->u.seq.count == seq->u.seq.cap) {
        size_t cap = seq->u.seq.cap ? 2 * seq->u.seq.cap : 4;
        pv **items = realloc(seq->u.seq.items, cap * sizeof *items);
        if (!items)
            return -1;
        seq->u.seq.items = items;
        seq->u.seq.cap = cap;
    }
    seq->u.seq.items[seq->u.seq.count++] = item;
    return 0;
}

/* A tuple or list of COUNT values from ITEMS. */
static pv *new_seq(reader *r, pv_kind kind, pv *const *items, size_t count)
{
    pv *v = new_value(r, kind);
    if (!v)
        return NULL;
    if (count) {
        v->u.seq.items = malloc(count * sizeof *items);
        if (!v->u.seq.items)
            return NULL;
        memcpy(v->u.seq.items, items, count * sizeof *items);
        v->u.seq.count = v->u.seq.cap = count;
    }
    return v;
}

static ft_status push(reader *r, pv *v)
{
    if (!v)
        return no_memory(r);
    if (r->sp == r->stack_cap) {
        size_t cap = r->stack_cap ? 2 * r->stack_cap : 64;
        pv **stack = realloc(r->stack, cap * sizeof *stack);
        if (!stack)
            return no_memory(r);
        r->stack = stack;
        r->stack_cap = cap;
    }
    r->stack[r->sp++] = v;
    return FT_OK;
}

/* Like Python's unpickler, a MARK starts a fresh stack: nothing below it
 * can be popped until the mark is. */
static size_t stack_floor(const reader *r)
{
    return r->mark_count ? r->marks[r->mark_count - 1] : 0;
}

static ft_status pop(reader *r, pv **out)
{
    *out = NULL;
    if (r->sp <= stack_floor(r))
        return pk_fail(r, FT_ERR_FORMAT, "stack underflow");
    *out = r->stack[--r->sp];
    return FT_OK;
}

static ft_status top(reader *r, pv **out)
{
    *out = NULL;
    if (r->sp <= stack_floor(r))
        return pk_fail(r, FT_ERR_FORMAT, "stack underflow");
    *out = r->stack[r->sp - 1];
    return FT_OK;
}

/* Pops back to the last MARK; the values above it stay readable at
 * stack[*start .. old sp) until the next push. */
static ft_status pop_mark(reader *r, size_t *start, size_t *count)
{
    *start = *count = 0;
    if (!r->mark_count)
        return pk_fail(r, FT_ERR_FORMAT, "no MARK to pop to");
    *start = r->marks[--r->mark_count];
    *count = r->sp - *start;
    r->sp = *start;
    return FT_OK;
}

static ft_status push_mark(reader *r)
{
    if (r->mark_count == r->mark_cap) {
        size_t cap = r->mark_cap ? 2 * r->mark_cap : 16;
        size_t *marks = realloc(r->marks, cap * sizeof *marks);
        if (!marks)
            return no_memory(r);
        r->marks = marks;
        r->mark_cap = cap;
    }
    r->marks[r->mark_count++] = r->sp;
    return FT_OK;
}

static ft_status push_int(reader *r, pv_kind kind, int64_t value)
{
    pv *v = new_value(r, kind);
    if (v)
        v->u.i = value;
    return push(r, v);
}

/* ------------------------------------------------------------------- memo */

static ft_status memo_put(reader *r, uint64_t index)
{
    pv *v;
    ft_status st = top(r, &v);
    if (st != FT_OK)
        return st;
    /* Python's pickler numbers the memo from 0 and each BINPUT takes 2
     * bytes or more, so no index it writes reaches the pickle's size: that
     * bounds the table */
    if (index >= r->pkl_size)
        return pk_fail(r, FT_ERR_FORMAT, "memo index %llu out of range", (unsigned long long)index);
    if (index >= r->memo_cap) {
        size_t cap = r->memo_cap ? r->memo_cap : 64;
        while (cap <= index)
            cap *= 2;
        if (cap > r->pkl_size)
            cap = r->pkl_size;
        pv **memo = realloc(r->memo, cap * sizeof *memo);
        if (!memo)
            return no_memory(r);
        memset(memo + r->memo_cap, 0, (cap - r->memo_cap) * sizeof *memo);
        r->memo = memo;
        r->memo_cap = cap;
    }
    if (!r->memo[index])
        r->memo_count++;
    r->memo[index] = v;
    return FT_OK;
}

static ft_status memo_get(reader *r, uint64_t index)
{
    if (index >= r->memo_cap || !r->memo[index])
        return pk_fail(r, FT_ERR_FORMAT, "memo index %llu is not set", (unsigned long long)index);
    return push(r, r->memo[index]);
}

/* ------------------------------------------------------- reading opcodes */

static const uint8_t *take(reader *r, size_t n)
{
    if (n > r->pkl_size - r->pos)
        return NULL;
    const uint8_t *p = r->pkl + r->pos;
    r->pos += n;
    return p;
}

static uint64_t get_le(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static ft_status truncated(reader *r)
{
    return pk_fail(r, FT_ERR_TRUNCATED, "the pickle ends inside an opcode");
}

/* An unsigned little-endian argument of N bytes. */
static ft_status take_le(reader *r, size_t n, uint64_t *out)
{
    const uint8_t *p = take(r, n);
    *out = 0;
    if (!p)
        return truncated(r);
    *out = get_le(p, n);
    return FT_OK;
}

static ft_status push_string(reader *r, uint64_t len)
{
    if (len > r->pkl_size - r->pos)
        return pk_fail(r, FT_ERR_TRUNCATED, "a string of %llu bytes runs past the pickle's end",
                       (unsigned long long)len);
    pv *v = new_value(r, PV_STR);
    if (!v || !(v->u.str.s = malloc((size_t)len + 1)))
        return no_memory(r);
    memcpy(v->u.str.s, take(r, (size_t)len), (size_t)len);
    v->u.str.s[len] = '\0';
    v->u.str.len = (size_t)len;
    return push(r, v);
}

static ft_status op_long1(reader *r)
{
    uint64_t n;
    ft_status st = take_le(r, 1, &n);
    if (st != FT_OK)
        return st;
    if (n > 8)
        return pk_fail(r, FT_ERR_UNSUPPORTED, "an integer of %u bytes is too large", (unsigned)n);
    const uint8_t *p = take(r, (size_t)n);
    if (!p)
        return truncated(r);
    uint64_t v = get_le(p, (size_t)n);
    if (n > 0 && n < 8 && (p[n - 1] & 0x80))
        v |= ~(uint64_t)0 << (8 * n); /* two's complement: extend the sign */
    int64_t value;
    memcpy(&value, &v, sizeof value);
    return push_int(r, PV_INT, value);
}

static ft_status op_binfloat(reader *r)
{
    const uint8_t *p = take(r, 8);
    if (!p)
        return truncated(r);
    uint64_t bits = 0;
    for (int i = 0; i < 8; i++) /* big-endian, unlike every other argument */
        bits = bits << 8 | p[i];
    pv *v = new_value(r, PV_FLOAT);
    if (v)
        memcpy(&v->u.f, &bits, sizeof v->u.f);
    return push(r, v);
}

/* ----------------------------------------------------------------- globals */

static int text_is(const char *s, size_t len, const char *text)
{
    return strlen(text) == len && memcmp(s, text, len) == 0;
}

static ft_status push_known(reader *r, global_id id, const storage_type *type)
{
    pv *v = new_value(r, PV_GLOBAL);
    if (v) {
        v->u.global.id = id;
        v->u.global.type = type;
    }
    return push(r, v);
}

/* The globals a state dict uses; anything else is refused here, before it
 * could be called. */
static ft_status push_global(reader *r, const char *module, size_t mlen, const char *name,
                             size_t nlen)
{
    static const struct {
        const char *module, *name;
        global_id id;
    } known[] = {
        {"collections", "OrderedDict", G_ORDERED_DICT},
        {"torch._utils", "_rebuild_tensor_v2", G_REBUILD_TENSOR},
        {"torch._utils", "_rebuild_parameter", G_REBUILD_PARAMETER},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (text_is(module, mlen, known[i].module) && text_is(name, nlen, known[i].name))
            return push_known(r, known[i].id, NULL);
    int torch = text_is(module, mlen, "torch");
    for (size_t i = 0; torch && i < sizeof storage_types / sizeof storage_types[0]; i++)
        if (text_is(name, nlen, storage_types[i].name))
            return push_known(r, G_STORAGE_TYPE, &storage_types[i]);
    int storage = torch && nlen > 7 && memcmp(name + nlen - 7, "Storage", 7) == 0;
    return pk_fail(r, FT_ERR_UNSUPPORTED, "refuses the global '%.*s %.*s' (%s)", (int)mlen, module,
                   (int)nlen, name,
                   storage ? "a storage type it does not read"
                           : "only a state dict of tensors is read");
}

/* GLOBAL: "module\nname\n" in the opcode's argument. */
static ft_status op_global(reader *r)
{
    const char *line[2];
    size_t len[2];
    for (int i = 0; i < 2; i++) {
        size_t left = r->pkl_size - r->pos;
        const uint8_t *p = r->pkl + r->pos;
        const uint8_t *nl = memchr(p, '\n', left < MAX_GLOBAL_LEN ? left : MAX_GLOBAL_LEN);
        if (!nl)
            return pk_fail(r, FT_ERR_FORMAT, "GLOBAL without a short newline-ended name");
        line[i] = (const char *)p;
        len[i] = (size_t)(nl - p);
        r->pos += len[i] + 1;
    }
    return push_global(r, line[0], len[0], line[1], len[1]);
}

/* STACK_GLOBAL (protocol 4): module and name are strings on the stack. */
static ft_status op_stack_global(reader *r)
{
    pv *module, *name;
    ft_status st = pop(r, &name);
    if (st == FT_OK)
        st = pop(r, &module);
    if (st != FT_OK)
        return st;
    if (module->kind != PV_STR || name->kind != PV_STR)
        return pk_fail(r, FT_ERR_FORMAT, "STACK_GLOBAL of types %s and %s",
                       pv_kind_names[module->kind], pv_kind_names[name->kind]);
    return push_global(r, module->u.str.s, module->u.str.len, name->u.str.s, name->u.str.len);
}

/* ----------------------------------------------------- storages, tensors */

/* BINPERSID: ('storage', torch.XStorage, key, location, numel) names a
 * storage member; it is read later, once, when a tensor of the dict needs it. */
static ft_status op_persid(reader *r)
{
    pv *pid;
    ft_status st = pop(r, &pid);
    if (st != FT_OK)
        return st;
    pv **a = pid->kind == PV_TUPLE ? pid->u.seq.items : NULL;
    if (!a || pid->u.seq.count != 5 || a[0]->kind != PV_STR || strcmp(a[0]->u.str.s, "storage") ||
        a[1]->kind != PV_GLOBAL || a[1]->u.global.id != G_STORAGE_TYPE || a[2]->kind != PV_STR ||
        a[3]->kind != PV_STR || a[4]->kind != PV_INT)
        return pk_fail(r, FT_ERR_FORMAT,
                       "a persistent id that is not ('storage', type, key, location, numel)");
    const storage_type *type = a[1]->u.global.type;
    if (a[4]->u.i < 0 || a[4]->u.i > INT64_MAX / (int64_t)type->item_size)
        return pk_fail(r, FT_ERR_FORMAT, "a storage of %lld elements", (long long)a[4]->u.i);
    if (strlen(a[2]->u.str.s) != a[2]->u.str.len)
        return pk_fail(r, FT_ERR_FORMAT, "a storage key holds a NUL byte");
    pv *v = new_value(r, PV_STORAGE);
    if (v) {
        v->u.storage.type = type;
        v->u.storage.key = a[2];
        v->u.storage.numel = a[4]->u.i;
    }
    return push(r, v);
}

static int int_tuple(const pv *v, int64_t *out, int max)
{
    if (v->kind != PV_TUPLE || v->u.seq.count > (size_t)max)
        return -1;
    for (size_t i = 0; i < v->u.seq.count; i++) {
        if (v->u.seq.items[i]->kind != PV_INT)
            return -1;
        out[i] = v->u.seq.items[i]->u.i;
    }
    return (int)v->u.seq.count;
}

/* Checks that every element the view reaches lies in its storage, with
 * overflow-safe 64-bit arithmetic; counts the elements. */
static ft_status check_view(reader *r, pv *t)
{
    const int64_t *shape = t->u.tensor.shape, *stride = t->u.tensor.stride;
    int64_t numel = 1, last = t->u.tensor.offset;
    if (last < 0)
        return pk_fail(r, FT_ERR_FORMAT, "a tensor at storage offset %lld", (long long)last);
    for (int d = 0; d < t->u.tensor.rank; d++) {
        if (shape[d] < 0 || stride[d] < 0)
            return pk_fail(r, FT_ERR_FORMAT, "a tensor with size %lld and stride %lld",
                           (long long)shape[d], (long long)stride[d]);
        if (__builtin_mul_overflow(numel, shape[d], &numel))
            return pk_fail(r, FT_ERR_FORMAT, "a tensor with too many elements");
    }
    t->u.tensor.numel = numel;
    if (numel == 0)
        return FT_OK; /* reaches no element */
    for (int d = 0; d < t->u.tensor.rank; d++) {
        int64_t span;
        if (__builtin_mul_overflow(shape[d] - 1, stride[d], &span) ||
            __builtin_add_overflow(last, span, &last))
            return pk_fail(r, FT_ERR_FORMAT, "a tensor whose strides overflow");
    }
    int64_t storage_numel = t->u.tensor.storage->u.storage.numel;
    if (last >= storage_numel)
        return pk_fail(r, FT_ERR_FORMAT,
                       "a tensor reaches element %lld of a storage of %lld elements",
                       (long long)last, (long long)storage_numel);
    return FT_OK;
}

/* _rebuild_tensor_v2(storage, offset, size, stride, requires_grad,
 * backward_hooks[, metadata]) */
static ft_status rebuild_tensor(reader *r, const pv *args)
{
    pv **a = args->u.seq.items;
    size_t n = args->u.seq.count;
    if (n != 6 && n != 7)
        return pk_fail(r, FT_ERR_FORMAT, "_rebuild_tensor_v2 with %zu arguments", n);
    pv *t = new_value(r, PV_TENSOR);
    if (!t)
        return no_memory(r);
    int rank = int_tuple(a[2], t->u.tensor.shape, FT_NN_MAX_RANK);
    int strides = int_tuple(a[3], t->u.tensor.stride, FT_NN_MAX_RANK);
    if (a[0]->kind != PV_STORAGE || a[1]->kind != PV_INT || rank < 0 || strides != rank ||
        a[4]->kind != PV_BOOL || a[5]->kind != PV_DICT)
        return pk_fail(r, FT_ERR_FORMAT,
                       "_rebuild_tensor_v2 arguments that are not (storage, offset, size, "
                       "stride, requires_grad, hooks) of rank %d at most",
                       FT_NN_MAX_RANK);
    t->u.tensor.storage = a[0];
    t->u.tensor.offset = a[1]->u.i;
    t->u.tensor.rank = rank;
    ft_status st = check_view(r, t);
    return st != FT_OK ? st : push(r, t);
}

/* REDUCE: calls one of the known globals. */
static ft_status op_reduce(reader *r)
{
    pv *args, *fn;
    ft_status st = pop(r, &args);
    if (st == FT_OK)
        st = pop(r, &fn);
    if (st != FT_OK)
        return st;
    if (fn->kind != PV_GLOBAL || args->kind != PV_TUPLE)
        return pk_fail(r, FT_ERR_FORMAT, "REDUCE calls type %s with type %s",
                       pv_kind_names[fn->kind], pv_kind_names[args->kind]);
    size_t n = args->u.seq.count;
    switch (fn->u.global.id) {
    case G_ORDERED_DICT:
        if (n != 0)
            return pk_fail(r, FT_ERR_UNSUPPORTED, "OrderedDict with arguments");
        return push(r, new_value(r, PV_DICT));
    case G_REBUILD_TENSOR:
        return rebuild_tensor(r, args);
    case G_REBUILD_PARAMETER:
        /* (tensor, requires_grad, backward_hooks): the tensor is all we keep */
        if (n != 3 || args->u.seq.items[0]->kind != PV_TENSOR)
            return pk_fail(r, FT_ERR_FORMAT, "_rebuild_parameter without a tensor");
        return push(r, args->u.seq.items[0]);
    case G_STORAGE_TYPE:
        break;
    }
    return pk_fail(r, FT_ERR_UNSUPPORTED, "a storage type is called");
}

/* ------------------------------------------------------------ containers */

static ft_status op_tuple(reader *r, size_t n)
{
    if (r->sp - stack_floor(r) < n)
        return pk_fail(r, FT_ERR_FORMAT, "stack underflow");
    r->sp -= n;
    return push(r, new_seq(r, PV_TUPLE, r->stack + r->sp, n));
}

static ft_status op_mark_tuple(reader *r)
{
    size_t start, n;
    ft_status st = pop_mark(r, &start, &n);
    return st != FT_OK ? st : push(r, new_seq(r, PV_TUPLE, r->stack + start, n));
}

/* APPEND(S) and SETITEM(S): ITEMS go into the container below them; a dict
 * takes them as key, value pairs. */
static ft_status fill(reader *r, pv_kind kind, pv *const *items, size_t n)
{
    pv *c;
    ft_status st = top(r, &c);
    if (st != FT_OK)
        return st;
    if (c->kind != kind)
        return pk_fail(r, FT_ERR_FORMAT, "%s into type %s", kind == PV_DICT ? "SETITEM" : "APPEND",
                       pv_kind_names[c->kind]);
    if (kind == PV_DICT && n % 2)
        return pk_fail(r, FT_ERR_FORMAT, "SETITEMS with a key and no value");
    for (size_t i = 0; i < n; i++)
        if (seq_append(c, items[i]) != 0)
            return no_memory(r);
    return FT_OK;
}

static ft_status op_fill_one(reader *r, pv_kind kind)
{
    size_t n = kind == PV_DICT ? 2 : 1;
    if (r->sp - stack_floor(r) < n)
        return pk_fail(r, FT_ERR_FORMAT, "stack underflow");
    r->sp -= n;
    return fill(r, kind, r->stack + r->sp, n);
}

static ft_status op_fill_mark(reader *r, pv_kind kind)
{
    size_t start, n;
    ft_status st = pop_mark(r, &start, &n);
    return st != FT_OK ? st : fill(r, kind, r->stack + start, n);
}

/* BUILD: torch sets _metadata (module versions) on the OrderedDict; that
 * state is not needed, and on anything else BUILD is not read. */
static ft_status op_build(reader *r)
{
    pv *state, *obj;
    ft_status st = pop(r, &state);
    if (st == FT_OK)
        st = top(r, &obj);
    if (st != FT_OK)
        return st;
    if (obj->kind != PV_DICT)
        return pk_fail(r, FT_ERR_UNSUPPORTED, "BUILD on type %s", pv_kind_names[obj->kind]);
    return FT_OK;
}

/* --------------------------------------------------------------- machine */

static ft_status step(reader *r, uint8_t op, pv **result)
{
    uint64_t arg;
    ft_status st = FT_OK;
    switch (op) {
    case 0x80: /* PROTO */
        if ((st = take_le(r, 1, &arg)) == FT_OK && arg > MAX_PROTOCOL)
            st = pk_fail(r, FT_ERR_UNSUPPORTED, "pickle protocol %u", (unsigned)arg);
        return st;
    case 0x95: /* FRAME: only a read-ahead hint */
        return take_le(r, 8, &arg);
    case '.': /* STOP */
        return pop(r, result);
    case 'N': return push(r, new_value(r, PV_NONE));
    case 0x88: return push_int(r, PV_BOOL, 1); /* NEWTRUE */
    case 0x89: return push_int(r, PV_BOOL, 0); /* NEWFALSE */
    case 'K': /* BININT1 */
    case 'M': /* BININT2 */
        st = take_le(r, op == 'K' ? 1 : 2, &arg);
        return st != FT_OK ? st : push_int(r, PV_INT, (int64_t)arg);
    case 'J': /* BININT: signed */
        st = take_le(r, 4, &arg);
        return st != FT_OK ? st : push_int(r, PV_INT, (int32_t)(uint32_t)arg);
    case 0x8a: return op_long1(r);
    case 'G': return op_binfloat(r);
    case 'X': /* BINUNICODE */
    case 0x8c: /* SHORT_BINUNICODE */
    case 0x8d: /* BINUNICODE8 */
        st = take_le(r, op == 'X' ? 4 : op == 0x8c ? 1 : 8, &arg);
        return st != FT_OK ? st : push_string(r, arg);
    case ')': return push(r, new_seq(r, PV_TUPLE, NULL, 0));
    case 0x85: return op_tuple(r, 1);
    case 0x86: return op_tuple(r, 2);
    case 0x87: return op_tuple(r, 3);
    case 't': return op_mark_tuple(r);
    case ']': return push(r, new_value(r, PV_LIST));
    case '}': return push(r, new_value(r, PV_DICT));
    case '(': return push_mark(r);
    case 'a': return op_fill_one(r, PV_LIST);
    case 'e': return op_fill_mark(r, PV_LIST);
    case 's': return op_fill_one(r, PV_DICT);
    case 'u': return op_fill_mark(r, PV_DICT);
    case 'q': /* BINPUT */
    case 'r': /* LONG_BINPUT */
        st = take_le(r, op == 'q' ? 1 : 4, &arg);
        return st != FT_OK ? st : memo_put(r, arg);
    case 0x94: return memo_put(r, r->memo_count); /* MEMOIZE */
    case 'h': /* BINGET */
    case 'j': /* LONG_BINGET */
        st = take_le(r, op == 'h' ? 1 : 4, &arg);
        return st != FT_OK ? st : memo_get(r, arg);
    case 'c': return op_global(r);
    case 0x93: return op_stack_global(r);
    case 'R': return op_reduce(r);
    case 'Q': return op_persid(r);
    case 'b': return op_build(r);
    default:
        return pk_fail(r, FT_ERR_UNSUPPORTED, "opcode 0x%02x is not read", op);
    }
}

static ft_status run_pickle(reader *r, pv **result)
{
    *result = NULL;
    r->stack_cap = 64; /* never NULL: ops take stack + mark even when empty */
    if (!(r->stack = malloc(r->stack_cap * sizeof *r->stack)))
        return no_memory(r);
    while (!*result) {
        r->op_pos = r->pos;
        if (r->pos >= r->pkl_size)
            return pk_fail(r, FT_ERR_TRUNCATED, "the pickle ends before STOP");
        ft_status st = step(r, r->pkl[r->pos++], result);
        if (st != FT_OK)
            return st;
    }
    if ((*result)->kind != PV_DICT)
        return fail(r, FT_ERR_UNSUPPORTED,
                    "data.pkl holds type %s, not a state dict (only a state dict of tensors is "
                    "read)",
                    pv_kind_names[(*result)->kind]);
    return FT_OK;
}

/* ---------------------------------------------------------------- members */

/* Reads member INDEX whole; its size is checked against the archive's
 * before anything is allocated. */
static ft_status read_member(reader *r, zip_int64_t index, const char *what, uint8_t **data,
                             size_t *size)
{
    zip_stat_t zs;
    *data = NULL;
    *size = 0;
    if (zip_stat_index(r->zip, (zip_uint64_t)index, 0, &zs) != 0 || !(zs.valid & ZIP_STAT_SIZE) ||
        !(zs.valid & ZIP_STAT_COMP_SIZE))
        return fail(r, FT_ERR_FORMAT, "%s: %s", what, zip_strerror(r->zip));
    if (zs.comp_size > r->archive_size || zs.size / MAX_EXPANSION > zs.comp_size ||
        zs.size >= SIZE_MAX)
        return fail(r, FT_ERR_FORMAT, "%s claims %llu bytes, more than the archive holds", what,
                    (unsigned long long)zs.size);
    uint8_t *buf = malloc(zs.size ? (size_t)zs.size : 1);
    if (!buf)
        return no_memory(r);
    ft_status st = FT_OK;
    zip_file_t *zf = zip_fopen_index(r->zip, (zip_uint64_t)index, 0);
    if (!zf) {
        st = fail(r, FT_ERR_FORMAT, "%s: cannot open: %s", what, zip_strerror(r->zip));
    } else if (zip_fread(zf, buf, zs.size) != (zip_int64_t)zs.size) {
        st = fail(r, FT_ERR_TRUNCATED, "%s: cannot read: %s", what, zip_file_strerror(zf));
    }
    if (zf && zip_fclose(zf) != 0 && st == FT_OK)
        st = fail(r, FT_ERR_FORMAT, "%s: corrupt member (checksum)", what);
    if (st != FT_OK) {
        free(buf);
        return st;
    }
    *data = buf;
    *size = (size_t)zs.size;
    return FT_OK;
}

/* The zip index of <top>SUFFIX, or -1. */
static zip_int64_t locate(reader *r, const char *suffix, char *name, size_t name_size)
{
    if ((size_t)snprintf(name, name_size, "%s%s", r->top, suffix) >= name_size)
        return -1;
    return zip_name_locate(r->zip, name, 0);
}

/* The archive's folder: the one holding data.pkl. */
static ft_status find_top(reader *r)
{
    zip_int64_t n = zip_get_num_entries(r->zip, 0);
    for (zip_int64_t i = 0; i < n; i++) {
        const char *name = zip_get_name(r->zip, (zip_uint64_t)i, 0);
        const char *slash = name ? strchr(name, '/') : NULL;
        if (slash && slash != name && strcmp(slash, "/data.pkl") == 0) {
            r->top = strndup(name, (size_t)(slash - name) + 1);
            return r->top ? FT_OK : no_memory(r);
        }
    }
    return fail(r, FT_ERR_FORMAT, "no <folder>/data.pkl in the zip (not a file torch.save wrote)");
}

/* Storages are little-endian unless <top>/byteorder says otherwise
 * (absent in files older than torch 1.13). */
static ft_status check_byteorder(reader *r)
{
    char name[4096];
    zip_int64_t index = locate(r, "byteorder", name, sizeof name);
    if (index < 0)
        return FT_OK;
    uint8_t *data;
    size_t size;
    ft_status st = read_member(r, index, name, &data, &size);
    if (st != FT_OK)
        return st;
    if (text_is((const char *)data, size, "big"))
        st = fail(r, FT_ERR_UNSUPPORTED, "big-endian storages are not read");
    else if (!text_is((const char *)data, size, "little"))
        st = fail(r, FT_ERR_FORMAT, "unknown byte order in %s", name);
    free(data);
    return st;
}

/* The zip index of the storage member a tensor views. */
static ft_status find_member(reader *r, const pv *storage, const char *tensor, zip_int64_t *index)
{
    char name[4096], suffix[4096];
    const pv *key = storage->u.storage.key;
    *index = -1;
    if (key->u.str.len < sizeof suffix - 8) {
        snprintf(suffix, sizeof suffix, "data/%s", key->u.str.s);
        *index = locate(r, suffix, name, sizeof name);
    }
    if (*index < 0 || *index >= r->member_count)
        return fail(r, FT_ERR_FORMAT, "no storage member data/%s for '%s'", key->u.str.s, tensor);
    return FT_OK;
}

/* The bytes of storage member INDEX, read on first use. */
static ft_status storage_bytes(reader *r, zip_int64_t index, const pv *storage, const char *tensor,
                               member **out)
{
    member *m = &r->members[index];
    if (!m->read) {
        const char *name = zip_get_name(r->zip, (zip_uint64_t)index, 0);
        ft_status st = read_member(r, index, name ? name : "storage", &m->data, &m->size);
        if (st != FT_OK)
            return st;
        m->read = 1;
    }
    uint64_t need = (uint64_t)storage->u.storage.numel * storage->u.storage.type->item_size;
    if (need > m->size)
        return fail(r, FT_ERR_TRUNCATED,
                    "storage data/%s of '%s' holds %zu bytes, fewer than its %lld elements need",
                    storage->u.storage.key->u.str.s, tensor, m->size,
                    (long long)storage->u.storage.numel);
    *out = m;
    return FT_OK;
}

/* ------------------------------------------------------------- gathering */

/* COUNT elements from SRC, STEP bytes apart, into DST as the loaded dtype. */
static void convert_run(const storage_type *type, uint8_t *dst, const uint8_t *src, size_t step,
                        size_t count)
{
    size_t item = type->item_size;
    switch (type->kind) {
    case SRC_RAW:
        if (step == item) {
            memcpy(dst, src, count * item);
            return;
        }
        for (size_t j = 0; j < count; j++)
            memcpy(dst + j * item, src + j * step, item);
        return;
    case SRC_F16:
    case SRC_BF16:
        for (size_t j = 0; j < count; j++) {
            uint16_t h;
            memcpy(&h, src + j * step, 2);
            float f;
            if (type->kind == SRC_F16) {
                f = ft_half_to_float(h);
            } else {
                uint32_t bits = (uint32_t)h << 16; /* bfloat16: float32's top half */
                memcpy(&f, &bits, 4);
            }
            memcpy(dst + 4 * j, &f, 4);
        }
        return;
    case SRC_F64:
        for (size_t j = 0; j < count; j++) {
            double d;
            memcpy(&d, src + j * step, 8);
            float f = (float)d;
            memcpy(dst + 4 * j, &f, 4);
        }
        return;
    }
}

/* Whether the view is row-major with no gaps (dimensions of 1 take any
 * stride). */
static int is_contiguous(const pv *t)
{
    int64_t expect = 1;
    for (int d = t->u.tensor.rank - 1; d >= 0; d--) {
        if (t->u.tensor.shape[d] != 1 && t->u.tensor.stride[d] != expect)
            return 0;
        expect *= t->u.tensor.shape[d];
    }
    return 1;
}

/* The view's elements in row-major order, one innermost run at a time.
 * check_view has bounded every index by the storage, and storage_bytes the
 * storage by its member. */
static void gather(const pv *t, const uint8_t *src, uint8_t *dst)
{
    const storage_type *type = t->u.tensor.storage->u.storage.type;
    int rank = t->u.tensor.rank;
    const int64_t *shape = t->u.tensor.shape, *stride = t->u.tensor.stride;
    size_t item = type->item_size, out_item = ft_dtype_size(type->dtype);
    if (is_contiguous(t)) { /* nearly every tensor of a state dict: one run */
        convert_run(type, dst, src + (size_t)t->u.tensor.offset * item, item,
                    (size_t)t->u.tensor.numel);
        return;
    }
    int64_t inner = rank ? shape[rank - 1] : 1;
    size_t step = rank ? (size_t)stride[rank - 1] * item : item;
    int64_t idx[FT_NN_MAX_RANK] = {0};
    for (int64_t done = 0; done < t->u.tensor.numel; done += inner) {
        int64_t at = t->u.tensor.offset;
        for (int d = 0; d < rank - 1; d++)
            at += idx[d] * stride[d];
        convert_run(type, dst, src + (size_t)at * item, step, (size_t)inner);
        dst += (size_t)inner * out_item;
        for (int d = rank - 2; d >= 0; d--) {
            if (++idx[d] < shape[d])
                break;
            idx[d] = 0;
        }
    }
}

/* A state dict entry: a str key and a tensor. */
static ft_status check_entry(reader *r, const pv *key, const pv *value)
{
    if (key->kind != PV_STR)
        return fail(r, FT_ERR_UNSUPPORTED, "a state dict key of type %s, not str",
                    pv_kind_names[key->kind]);
    if (strlen(key->u.str.s) != key->u.str.len)
        return fail(r, FT_ERR_FORMAT, "a tensor name holds a NUL byte");
    if (value->kind != PV_TENSOR)
        return fail(r, FT_ERR_UNSUPPORTED,
                    "'%s' is of type %s, not a tensor (only a state dict of tensors is read)",
                    key->u.str.s, pv_kind_names[value->kind]);
    return FT_OK;
}

/* The tensor's own copy of its view; a storage member is freed as soon as
 * its last tensor has been copied, so a large file is not held twice. */
static ft_status make_tensor(reader *r, const char *name, const pv *value, zip_int64_t index,
                             ft_nn_tensor *out)
{
    const pv *storage = value->u.tensor.storage;
    member *m = NULL;
    ft_status st = index >= 0 ? storage_bytes(r, index, storage, name, &m) : FT_OK;
    if (st != FT_OK)
        return st;
    ft_dtype dtype = storage->u.storage.type->dtype;
    uint64_t nbytes = (uint64_t)value->u.tensor.numel * ft_dtype_size(dtype);
    if ((uint64_t)value->u.tensor.numel > UINT64_MAX / 8 || nbytes > r->output_left)
        return fail(r, FT_ERR_FORMAT,
                    "'%s' takes the tensors past %d times the file's size (overlapping views?)",
                    name, MAX_OUTPUT_RATIO);
    r->output_left -= nbytes;
    if (!(out->name = strdup(name)) || !(out->data = malloc(nbytes ? (size_t)nbytes : 1)))
        return no_memory(r);
    out->dtype = dtype;
    out->rank = value->u.tensor.rank;
    memcpy(out->shape, value->u.tensor.shape, sizeof out->shape);
    out->nbytes = (size_t)nbytes;
    if (m) {
        gather(value, m->data, out->data);
        if (--m->uses == 0) {
            free(m->data);
            m->data = NULL;
        }
    }
    return FT_OK;
}

static int name_order(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static ft_status check_unique(reader *r, const ft_pth_state *state)
{
    if (state->count < 2)
        return FT_OK;
    const char **names = malloc((size_t)state->count * sizeof *names);
    if (!names)
        return no_memory(r);
    for (int i = 0; i < state->count; i++)
        names[i] = state->tensors[i].name;
    qsort(names, (size_t)state->count, sizeof *names, name_order);
    ft_status st = FT_OK;
    for (int i = 1; i < state->count && st == FT_OK; i++)
        if (strcmp(names[i - 1], names[i]) == 0)
            st = fail(r, FT_ERR_FORMAT, "two tensors are named '%s'", names[i]);
    free(names);
    return st;
}

/* Two passes: the first checks every entry and counts each storage
 * member's tensors, the second copies. */
static ft_status build_state(reader *r, const pv *dict, ft_pth_state *out)
{
    size_t n = dict->u.seq.count / 2;
    pv *const *items = dict->u.seq.items;
    if (n > INT_MAX)
        return fail(r, FT_ERR_UNSUPPORTED, "too many tensors");
    r->member_count = zip_get_num_entries(r->zip, 0);
    if (r->member_count < 0)
        r->member_count = 0;
    r->members = calloc(r->member_count ? (size_t)r->member_count : 1, sizeof *r->members);
    zip_int64_t *where = malloc((n ? n : 1) * sizeof *where); /* -1: views no bytes */
    out->tensors = calloc(n ? n : 1, sizeof *out->tensors);
    ft_status st = r->members && where && out->tensors ? FT_OK : no_memory(r);
    for (size_t i = 0; i < n && st == FT_OK; i++) {
        where[i] = -1;
        st = check_entry(r, items[2 * i], items[2 * i + 1]);
        if (st == FT_OK && items[2 * i + 1]->u.tensor.numel > 0)
            st = find_member(r, items[2 * i + 1]->u.tensor.storage, items[2 * i]->u.str.s,
                             &where[i]);
        if (st == FT_OK && where[i] >= 0)
            r->members[where[i]].uses++;
    }
    if (st == FT_OK)
        out->count = (int)n; /* zeroed: ft_pth_free copes with any not yet made */
    for (size_t i = 0; i < n && st == FT_OK; i++)
        st = make_tensor(r, items[2 * i]->u.str.s, items[2 * i + 1], where[i], &out->tensors[i]);
    free(where);
    return st == FT_OK ? check_unique(r, out) : st;
}

/* ------------------------------------------------------------------ load */

static ft_status read_archive(reader *r, ft_pth_state *out)
{
    r->output_left = r->archive_size > UINT64_MAX / (2 * MAX_OUTPUT_RATIO)
                         ? UINT64_MAX / 2
                         : MAX_OUTPUT_RATIO * r->archive_size + OUTPUT_SLACK;
    ft_status st = find_top(r);
    if (st == FT_OK)
        st = check_byteorder(r);
    uint8_t *pkl = NULL;
    if (st == FT_OK) {
        char name[4096];
        zip_int64_t index = locate(r, "data.pkl", name, sizeof name);
        st = index < 0 ? fail(r, FT_ERR_FORMAT, "no %s", name)
                       : read_member(r, index, name, &pkl, &r->pkl_size);
    }
    pv *dict = NULL;
    if (st == FT_OK) {
        r->pkl = pkl;
        st = run_pickle(r, &dict);
    }
    if (st == FT_OK)
        st = build_state(r, dict, out);
    free_values(r);
    free(r->stack);
    free(r->marks);
    free(r->memo);
    for (zip_int64_t i = 0; r->members && i < r->member_count; i++)
        free(r->members[i].data);
    free(r->members);
    free(r->top);
    free(pkl);
    zip_discard(r->zip);
    if (st != FT_OK)
        ft_pth_free(out);
    return st;
}

/* Before 1.6, torch.save wrote pickles back to back, not a zip. */
static ft_status check_start(reader *r, const uint8_t *head, size_t size)
{
    if (size == 0) /* libzip would take it for an archive with no members */
        return fail(r, FT_ERR_FORMAT, "empty file, not a zip archive as torch.save writes");
    if (size >= 2 && head[0] == 0x80 && head[1] <= MAX_PROTOCOL)
        return fail(r, FT_ERR_UNSUPPORTED,
                    "the legacy torch.save format (before torch 1.6) is not read; re-save it "
                    "with a newer torch");
    return FT_OK;
}

static ft_status zip_failed(reader *r, zip_error_t *ze)
{
    return fail(r, FT_ERR_FORMAT, "not a zip archive as torch.save writes: %s",
                zip_error_strerror(ze));
}

ft_status ft_pth_load(const char *path, ft_pth_state *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    reader r = {.name = path ? path : "(pth)", .err = err, .err_size = err_size};
    if (!path)
        return fail(&r, FT_ERR_INVALID_ARG, "no file name given");
    FILE *f = fopen(path, "rb");
    if (!f)
        return fail(&r, errno == ENOENT ? FT_ERR_NOT_FOUND : FT_ERR_IO, "cannot open: %s",
                    strerror(errno));
    struct stat sb;
    uint8_t head[2];
    size_t got = 0;
    int regular = fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode);
    if (regular)
        got = fread(head, 1, sizeof head, f);
    fclose(f);
    if (!regular)
        return fail(&r, FT_ERR_IO, "not a regular file");
    ft_status st = check_start(&r, head, got);
    if (st != FT_OK)
        return st;
    r.archive_size = (uint64_t)sb.st_size;
    int zerr = 0;
    if (!(r.zip = zip_open(path, ZIP_RDONLY, &zerr))) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, zerr);
        st = zip_failed(&r, &ze);
        zip_error_fini(&ze);
        return st;
    }
    return read_archive(&r, out);
}

ft_status ft_pth_load_bytes(const uint8_t *data, size_t size, const char *name, ft_pth_state *out,
                            char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    reader r = {.name = name ? name : "(pth)", .err = err, .err_size = err_size};
    if (!data && size)
        return fail(&r, FT_ERR_INVALID_ARG, "no data given");
    ft_status st = check_start(&r, data, size);
    if (st != FT_OK)
        return st;
    r.archive_size = size;
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, size, 0, &ze);
    if (src && !(r.zip = zip_open_from_source(src, ZIP_RDONLY, &ze)))
        zip_source_free(src); /* the archive owns it only once open */
    if (!r.zip)
        st = zip_failed(&r, &ze);
    zip_error_fini(&ze);
    return st != FT_OK ? st : read_archive(&r, out);
}

const ft_nn_tensor *ft_pth_find(const ft_pth_state *state, const char *name)
{
    if (!state || !name)
        return NULL;
    for (int i = 0; i < state->count; i++)
        if (state->tensors[i].name && strcmp(state->tensors[i].name, name) == 0)
            return &state->tensors[i];
    return NULL;
}

void ft_pth_free(ft_pth_state *state)
{
    if (!state)
        return;
    for (int i = 0; i < state->count; i++) {
        free(state->tensors[i].name);
        free(state->tensors[i].data);
    }
    free(state->tensors);
    state->tensors = NULL;
    state->count = 0;
}
