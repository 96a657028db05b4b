/* Unit tests of the PyTorch state dict reader: the TransNetV2 fixture that
 * torch 2.11 wrote, checked against its raw storages; every storage type;
 * views (transposed, offset, shared, empty, scalar); protocol 4 opcodes and
 * _rebuild_parameter; and malformed files, each refused with one line. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nn/pth_file.h"
#include "pth_builder.h"
#include "transnet_weights.h"

#define NAME "t.pth"

static uint32_t bits_at(const ft_nn_tensor *t, size_t i)
{
    uint32_t bits;
    assert_true((i + 1) * 4 <= t->nbytes);
    memcpy(&bits, (const uint8_t *)t->data + 4 * i, 4);
    return bits;
}

static float float_at(const ft_nn_tensor *t, size_t i)
{
    uint32_t bits = bits_at(t, i);
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static const ft_nn_tensor *expect_tensor(const ft_pth_state *s, const char *name, ft_dtype dtype,
                                         int rank, const int64_t *shape)
{
    const ft_nn_tensor *t = ft_pth_find(s, name);
    if (!t)
        fail_msg("no tensor '%s'", name);
    assert_int_equal(t->dtype, dtype);
    assert_int_equal(t->rank, rank);
    size_t n = 1;
    for (int d = 0; d < rank; d++) {
        assert_int_equal(t->shape[d], shape[d]);
        n *= (size_t)shape[d];
    }
    assert_int_equal(t->nbytes, n * ft_dtype_size(dtype));
    assert_non_null(t->data);
    return t;
}

/* A .pth in memory: folder "t", the pickle PKL and storages KEYS. */
static ft_status load_pickle(const pth_buf *pkl, const char *const *keys,
                             const void *const *storages, const size_t *sizes, ft_pth_state *s,
                             char *err, size_t err_size)
{
    size_t size = 0;
    uint8_t *file = pth_file("t", pkl, keys, storages, sizes, &size);
    assert_non_null(file);
    ft_status st = ft_pth_load_bytes(file, size, NAME, s, err, err_size);
    free(file);
    return st;
}

/* A state dict of TENSORS over the storages KEYS, loaded into S; the test
 * fails on an error. */
static void load_state_dict(const pth_tensor *tensors, size_t n, const char *const *keys,
                            const void *const *data, const size_t *sizes, ft_pth_state *s)
{
    pth_buf pkl = {0};
    pth_state_dict(&pkl, tensors, n);
    char err[512];
    if (load_pickle(&pkl, keys, data, sizes, s, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    free(pkl.data);
}

/* A failure: the status, nothing left in S, and one line naming the file. */
static void expect_error(ft_status st, ft_status want, const ft_pth_state *s, const char *err,
                         const char *needle)
{
    if (st != want)
        fail_msg("status %d, wanted %d: %s", st, want, err);
    assert_null(s->tensors);
    assert_int_equal(s->count, 0);
    assert_null(strchr(err, '\n'));
    assert_int_equal(strncmp(err, NAME ": ", strlen(NAME) + 2), 0);
    if (needle && !strstr(err, needle))
        fail_msg("'%s' does not say '%s'", err, needle);
}

/* ------------------------------------------------- a whole state dict */

/* TransNetV2's test weights (transnet_weights.c) as torch.save lays them
 * out: 90 tensors, float32 storages and int64 counters. The same weights
 * saved by PyTorch itself read back bit for bit when this was written. */
static void test_fixture(void **state)
{
    (void)state;
    char path[] = "/tmp/ft_pth_XXXXXX";
    const int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(transnet_weights_write(2, 32, path), 0);
    ft_pth_state s, want;
    char err[512];
    if (ft_pth_load(path, &s, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    assert_int_equal(transnet_weights_state(2, 32, &want), FT_OK);
    assert_int_equal(s.count, 90); /* the keys of data.pkl's OrderedDict */
    assert_string_equal(s.tensors[0].name, "SDDCNN.0.DDCNN.0.Conv3D_1.layers.0.weight");
    assert_string_equal(s.tensors[89].name, "cls_layer2.bias");

    const ft_nn_tensor *conv = expect_tensor(&s, "SDDCNN.0.DDCNN.0.Conv3D_1.layers.0.weight",
                                             FT_DTYPE_F32, 5, (const int64_t[]){4, 3, 1, 3, 3});
    /* values as the formula made them, in PyTorch too */
    assert_int_equal(bits_at(conv, 0), bits_at(&want.tensors[0], 0));
    assert_int_equal(bits_at(conv, 107), bits_at(&want.tensors[0], 107));
    const ft_nn_tensor *fc1 =
        expect_tensor(&s, "fc1.weight", FT_DTYPE_F32, 2, (const int64_t[]){32, 832});
    assert_int_equal(bits_at(fc1, 31 * 832 + 831),
                     bits_at(ft_pth_find(&want, "fc1.weight"), 31 * 832 + 831));
    const ft_nn_tensor *fc = expect_tensor(&s, "frame_sim_layer.fc.weight", FT_DTYPE_F32, 2,
                                           (const int64_t[]){128, 101});
    assert_int_equal(bits_at(fc, 5 * 101 + 7),
                     bits_at(ft_pth_find(&want, "frame_sim_layer.fc.weight"), 5 * 101 + 7));
    const ft_nn_tensor *var =
        expect_tensor(&s, "SDDCNN.0.DDCNN.0.bn.running_var", FT_DTYPE_F32, 1, (const int64_t[]){8});
    assert_int_equal(bits_at(var, 3),
                     bits_at(ft_pth_find(&want, "SDDCNN.0.DDCNN.0.bn.running_var"), 3));
    const ft_nn_tensor *nbt =
        expect_tensor(&s, "SDDCNN.0.DDCNN.0.bn.num_batches_tracked", FT_DTYPE_I64, 0, NULL);
    int64_t tracked;
    memcpy(&tracked, nbt->data, 8);
    assert_int_equal(tracked, 0);
    expect_tensor(&s, "SDDCNN.2.DDCNN.1.Conv3D_8.layers.0.weight", FT_DTYPE_F32, 5,
                  (const int64_t[]){16, 32, 1, 3, 3});
    expect_tensor(&s, "cls_layer1.weight", FT_DTYPE_F32, 2, (const int64_t[]){1, 32});
    assert_null(ft_pth_find(&s, "fc1.weight.missing"));
    assert_null(ft_pth_find(&s, NULL));
    assert_null(ft_pth_find(NULL, "fc1.weight"));
    for (int i = 0; i < s.count; i++) { /* every number */
        assert_string_equal(s.tensors[i].name, want.tensors[i].name);
        assert_int_equal(s.tensors[i].nbytes, want.tensors[i].nbytes);
        assert_memory_equal(s.tensors[i].data, want.tensors[i].data, want.tensors[i].nbytes);
    }
    ft_pth_free(&want);

    /* the same file from memory */
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *bytes = malloc((size_t)size);
    assert_non_null(bytes);
    assert_int_equal(fread(bytes, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    ft_pth_state m;
    unlink(path);
    if (ft_pth_load_bytes(bytes, (size_t)size, "tiny.pth", &m, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    assert_int_equal(m.count, s.count);
    for (int i = 0; i < s.count; i++) {
        assert_string_equal(m.tensors[i].name, s.tensors[i].name);
        assert_int_equal(m.tensors[i].rank, s.tensors[i].rank);
        assert_memory_equal(m.tensors[i].shape, s.tensors[i].shape, sizeof s.tensors[i].shape);
        assert_int_equal(m.tensors[i].nbytes, s.tensors[i].nbytes);
        assert_memory_equal(m.tensors[i].data, s.tensors[i].data, s.tensors[i].nbytes);
    }
    /* a cut file is refused */
    ft_pth_state cut;
    ft_status st = ft_pth_load_bytes(bytes, (size_t)size / 2, NAME, &cut, err, sizeof err);
    expect_error(st, FT_ERR_FORMAT, &cut, err, "not a zip archive");
    free(bytes);
    ft_pth_free(&m);
    ft_pth_free(&s);
    assert_null(s.tensors);
    assert_int_equal(s.count, 0);
    ft_pth_free(&s); /* twice is harmless */
}

static void test_missing_file(void **state)
{
    (void)state;
    ft_pth_state s;
    char err[512];
    assert_int_equal(ft_pth_load("/nonexistent/x.pth", &s, err, sizeof err), FT_ERR_NOT_FOUND);
    assert_int_equal(strncmp(err, "/nonexistent/x.pth: ", 20), 0);
    assert_int_equal(ft_pth_load("/", &s, err, sizeof err), FT_ERR_IO);
    assert_int_equal(s.count, 0);
}

/* --------------------------------------------------- made in the test */

static void test_storage_types(void **state)
{
    (void)state;
    const uint16_t half[4] = {0x3c00, 0xc000, 0x3555, 0x0001};
    const uint16_t bf16[2] = {0x3f80, 0xc049};
    const double f64[2] = {0.5, -3.25};
    const int64_t i64[1] = {-7};
    const int32_t i32[3] = {1, -2, 3};
    const uint8_t flags[3] = {1, 0, 1}, u8[2] = {200, 7};
    const int8_t i8[2] = {-5, 9};
    const char *keys[] = {"0", "1", "2", "3", "4", "5", "6", "7", NULL};
    const void *data[] = {half, bf16, f64, i64, i32, flags, u8, i8};
    const size_t sizes[] = {8, 4, 16, 8, 12, 3, 2, 2};
    const pth_tensor tensors[] = {
        {"half", "HalfStorage", "0", 4, 0, 1, {4}, {1}},
        {"bf16", "BFloat16Storage", "1", 2, 0, 1, {2}, {1}},
        {"f64", "DoubleStorage", "2", 2, 0, 1, {2}, {1}},
        {"i64", "LongStorage", "3", 1, 0, 0, {0}, {0}},
        {"i32", "IntStorage", "4", 3, 0, 1, {3}, {1}},
        {"bool", "BoolStorage", "5", 3, 0, 1, {3}, {1}},
        {"u8", "ByteStorage", "6", 2, 0, 1, {2}, {1}},
        {"i8", "CharStorage", "7", 2, 0, 1, {2}, {1}},
    };
    ft_pth_state s;
    load_state_dict(tensors, sizeof tensors / sizeof tensors[0], keys, data, sizes, &s);
    assert_int_equal(s.count, 8);
    const ft_nn_tensor *t = expect_tensor(&s, "half", FT_DTYPE_F32, 1, (const int64_t[]){4});
    assert_int_equal(bits_at(t, 0), 0x3f800000u); /* 1 */
    assert_int_equal(bits_at(t, 1), 0xc0000000u); /* -2 */
    assert_int_equal(bits_at(t, 2), 0x3eaaa000u); /* 0.333251953125 */
    assert_int_equal(bits_at(t, 3), 0x33800000u); /* 2^-24, a subnormal half */
    t = expect_tensor(&s, "bf16", FT_DTYPE_F32, 1, (const int64_t[]){2});
    assert_int_equal(bits_at(t, 0), 0x3f800000u);
    assert_int_equal(bits_at(t, 1), 0xc0490000u);
    t = expect_tensor(&s, "f64", FT_DTYPE_F32, 1, (const int64_t[]){2});
    assert_true(float_at(t, 0) == 0.5f && float_at(t, 1) == -3.25f);
    t = expect_tensor(&s, "i64", FT_DTYPE_I64, 0, NULL);
    assert_memory_equal(t->data, i64, 8);
    t = expect_tensor(&s, "i32", FT_DTYPE_I32, 1, (const int64_t[]){3});
    assert_memory_equal(t->data, i32, 12);
    t = expect_tensor(&s, "bool", FT_DTYPE_BOOL, 1, (const int64_t[]){3});
    assert_memory_equal(t->data, flags, 3);
    t = expect_tensor(&s, "u8", FT_DTYPE_U8, 1, (const int64_t[]){2});
    assert_memory_equal(t->data, u8, 2);
    t = expect_tensor(&s, "i8", FT_DTYPE_I8, 1, (const int64_t[]){2});
    assert_memory_equal(t->data, i8, 2);
    ft_pth_free(&s);
}

static void test_views(void **state)
{
    (void)state;
    float six[6], ten[10];
    for (int i = 0; i < 6; i++)
        six[i] = (float)i;
    for (int i = 0; i < 10; i++)
        ten[i] = (float)(10 + i);
    const char *keys[] = {"0", "1", NULL};
    const void *data[] = {six, ten};
    const size_t sizes[] = {sizeof six, sizeof ten};
    const pth_tensor tensors[] = {
        {"transposed", "FloatStorage", "0", 6, 0, 2, {3, 2}, {1, 3}},
        {"a", "FloatStorage", "1", 10, 2, 1, {3}, {1}},
        {"b", "FloatStorage", "1", 10, 5, 2, {2, 2}, {2, 1}},
        {"c", "FloatStorage", "1", 10, 1, 2, {2, 3}, {1, 2}},
        {"empty", "FloatStorage", "1", 10, 0, 2, {0, 4}, {4, 1}},
        {"scalar", "FloatStorage", "1", 10, 9, 0, {0}, {0}},
        {"broadcast", "FloatStorage", "1", 10, 3, 2, {2, 3}, {0, 1}},
    };
    ft_pth_state s;
    load_state_dict(tensors, sizeof tensors / sizeof tensors[0], keys, data, sizes, &s);
    assert_int_equal(s.count, 7);
    for (int i = 0; i < 7; i++) /* file order */
        assert_string_equal(s.tensors[i].name, tensors[i].name);
    const struct {
        const char *name;
        int n;
        float want[6];
    } expect[] = {
        {"transposed", 6, {0, 3, 1, 4, 2, 5}},
        {"a", 3, {12, 13, 14}},
        {"b", 4, {15, 16, 17, 18}},
        {"c", 6, {11, 13, 15, 12, 14, 16}},
        {"scalar", 1, {19}},
        {"broadcast", 6, {13, 14, 15, 13, 14, 15}},
    };
    for (size_t k = 0; k < sizeof expect / sizeof expect[0]; k++) {
        const ft_nn_tensor *t = ft_pth_find(&s, expect[k].name);
        assert_non_null(t);
        assert_int_equal(t->nbytes, 4 * (size_t)expect[k].n);
        for (int i = 0; i < expect[k].n; i++)
            if (float_at(t, (size_t)i) != expect[k].want[i])
                fail_msg("%s[%d] = %g, not %g", expect[k].name, i, float_at(t, (size_t)i),
                         expect[k].want[i]);
    }
    expect_tensor(&s, "transposed", FT_DTYPE_F32, 2, (const int64_t[]){3, 2});
    expect_tensor(&s, "scalar", FT_DTYPE_F32, 0, NULL);
    const ft_nn_tensor *empty =
        expect_tensor(&s, "empty", FT_DTYPE_F32, 2, (const int64_t[]){0, 4});
    assert_int_equal(empty->nbytes, 0);
    ft_pth_free(&s);
}

/* Opcodes of later protocols and of other writers: FRAME, SHORT_BINUNICODE,
 * MEMOIZE, STACK_GLOBAL, _rebuild_parameter, LONG_BINPUT/GET, lists. */
static void test_protocol4(void **state)
{
    (void)state;
    const float w[2] = {1.5f, -2.5f};
    const char *keys[] = {"0", NULL};
    const void *data[] = {w};
    const size_t sizes[] = {sizeof w};
    pth_buf p = {0};
    pth_op_arg(&p, 0x80, 4, 1);  /* PROTO 4 */
    pth_op_arg(&p, 0x95, 0, 8);  /* FRAME */
    pth_op_arg(&p, 0x8c, 11, 1); /* SHORT_BINUNICODE */
    pth_put(&p, "collections", 11);
    pth_op(&p, 0x94);            /* MEMOIZE: 0 */
    pth_op_arg(&p, 0x8c, 11, 1);
    pth_put(&p, "OrderedDict", 11);
    pth_op(&p, 0x94);            /* 1 */
    pth_op(&p, 0x93);            /* STACK_GLOBAL */
    pth_op_arg(&p, 'r', 100, 4); /* LONG_BINPUT 100 */
    pth_op(&p, ')');
    pth_op(&p, 'R');
    pth_op_arg(&p, 0x8c, 1, 1);
    pth_put(&p, "w", 1);
    pth_op_arg(&p, 0x8c, 12, 1);
    pth_put(&p, "torch._utils", 12);
    pth_op_arg(&p, 0x8c, 18, 1);
    pth_put(&p, "_rebuild_parameter", 18);
    pth_op(&p, 0x93);
    const pth_tensor t = {"w", "FloatStorage", "0", 2, 0, 2, {2, 1}, {1, 1}};
    pth_tensor_value(&p, &t);
    pth_op(&p, 0x88);              /* NEWTRUE */
    pth_op_arg(&p, 'j', 100, 4);   /* LONG_BINGET 100: OrderedDict */
    pth_op(&p, ')');
    pth_op(&p, 'R');
    pth_op(&p, 0x87);              /* TUPLE3 */
    pth_op(&p, 'R');
    pth_op(&p, 's');               /* SETITEM */
    /* a BUILD state of assorted values, all ignored */
    pth_op(&p, '}');
    pth_op_arg(&p, 0x8d, 1, 8);    /* BINUNICODE8 */
    pth_put(&p, "x", 1);
    pth_op(&p, ']');               /* EMPTY_LIST */
    pth_op(&p, 'G');               /* BINFLOAT 1.5, big-endian */
    pth_put(&p, "\x3f\xf8\x00\x00\x00\x00\x00\x00", 8);
    pth_op(&p, 'a');               /* APPEND */
    pth_op(&p, '(');
    pth_op(&p, 'N');
    pth_op_arg(&p, 'J', (uint32_t)-3, 4); /* BININT -3 */
    pth_op_arg(&p, 0x8a, 2, 1);    /* LONG1 -2 */
    pth_put(&p, "\xfe\xff", 2);
    pth_op_arg(&p, 'K', 1, 1);
    pth_op(&p, 0x85);              /* TUPLE1 */
    pth_op_arg(&p, 'M', 300, 2);   /* BININT2 */
    pth_op(&p, 0x89);
    pth_op(&p, 0x86);              /* TUPLE2 */
    pth_op(&p, 'e');               /* APPENDS */
    pth_op(&p, 's');
    pth_op(&p, 'b');
    pth_op(&p, '.');
    ft_pth_state s;
    char err[512];
    if (load_pickle(&p, keys, data, sizes, &s, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    assert_int_equal(s.count, 1);
    const ft_nn_tensor *wt = expect_tensor(&s, "w", FT_DTYPE_F32, 2, (const int64_t[]){2, 1});
    assert_true(float_at(wt, 0) == 1.5f && float_at(wt, 1) == -2.5f);
    ft_pth_free(&s);
    free(p.data);
}

/* ------------------------------------------------------------ refusals */

/* A pickle of raw opcodes (PROTO 2 first) against one 6-float storage "0". */
static ft_status load_ops(const char *ops, size_t n, ft_pth_state *s, char *err, size_t err_size)
{
    static const float six[6] = {0, 1, 2, 3, 4, 5};
    const char *keys[] = {"0", NULL};
    const void *data[] = {six};
    const size_t sizes[] = {sizeof six};
    pth_buf p = {0};
    pth_op_arg(&p, 0x80, 2, 1);
    pth_put(&p, ops, n);
    ft_status st = load_pickle(&p, keys, data, sizes, s, err, err_size);
    free(p.data);
    return st;
}

#define OPS(s) s, sizeof s - 1

static void test_bad_pickles(void **state)
{
    (void)state;
    ft_pth_state s;
    char err[512];
    const struct {
        const char *ops;
        size_t n;
        ft_status want;
        const char *needle;
    } cases[] = {
        {OPS("cos\nsystem\nX\x04\x00\x00\x00" "echo\x85R."), FT_ERR_UNSUPPORTED,
         "refuses the global 'os system' (only a state dict of tensors is read)"},
        {OPS("c__main__\nNet\n)R."), FT_ERR_UNSUPPORTED, "refuses the global '__main__ Net'"},
        {OPS("cbuiltins\neval\n."), FT_ERR_UNSUPPORTED, "'builtins eval'"},
        {OPS("ctorch\nShortStorage\n."), FT_ERR_UNSUPPORTED, "storage type it does not read"},
        {OPS("ctorch\nFloatStorage\n)R."), FT_ERR_UNSUPPORTED, "a storage type is called"},
        {OPS("\xff"), FT_ERR_UNSUPPORTED, "opcode 0xff"},
        {OPS("R."), FT_ERR_FORMAT, "stack underflow"},
        {OPS("N(\x85."), FT_ERR_FORMAT, "stack underflow"}, /* nothing above the MARK */
        {OPS("t."), FT_ERR_FORMAT, "no MARK"},
        {OPS("h\x03."), FT_ERR_FORMAT, "memo index 3 is not set"},
        {OPS("Nr\xff\xff\xff\xff."), FT_ERR_FORMAT, "memo index 4294967295 out of range"},
        {OPS("q\x00."), FT_ERR_FORMAT, "stack underflow"},
        {OPS("X\xff\xff\xff\xff"), FT_ERR_TRUNCATED, "runs past"},
        {OPS("\x8d\xff\xff\xff\xff\xff\xff\xff\x7f"), FT_ERR_TRUNCATED, "runs past"},
        {OPS("\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x01."), FT_ERR_UNSUPPORTED, "too large"},
        {OPS("cos"), FT_ERR_FORMAT, "GLOBAL"},
        {OPS("}"), FT_ERR_TRUNCATED, "ends before STOP"},
        {OPS("J\x01\x00"), FT_ERR_TRUNCATED, "ends inside"},
        {OPS("]."), FT_ERR_UNSUPPORTED, "holds type list"},
        {OPS("}X\x05\x00\x00\x00" "epochK\x03s."), FT_ERR_UNSUPPORTED,
         "'epoch' is of type int, not a tensor"},
        {OPS("}K\x01K\x03s."), FT_ERR_UNSUPPORTED, "key of type int"},
        {OPS("]K\x01K\x02s."), FT_ERR_FORMAT, "SETITEM into type list"},
        {OPS("}(K\x01u."), FT_ERR_FORMAT, "a key and no value"},
        {OPS("NNN\x86R."), FT_ERR_FORMAT, "REDUCE calls type None with type tuple"},
        {OPS("NNb."), FT_ERR_UNSUPPORTED, "BUILD on type None"},
        {OPS("\x80\x06."), FT_ERR_UNSUPPORTED, "protocol 6"},
        {OPS("(X\x07\x00\x00\x00storageK\x01t."), FT_ERR_UNSUPPORTED, "holds type tuple"},
        {OPS("NQ."), FT_ERR_FORMAT, "persistent id"},
        {OPS("ctorch._utils\n_rebuild_parameter\n(NNNtR."), FT_ERR_FORMAT, "without a tensor"},
        {OPS("ctorch._utils\n_rebuild_tensor_v2\n)R."), FT_ERR_FORMAT, "with 0 arguments"},
        {OPS("ccollections\nOrderedDict\nN\x85R."), FT_ERR_UNSUPPORTED, "with arguments"},
        {OPS("N\x8c\x02osN\x93."), FT_ERR_FORMAT, "STACK_GLOBAL of types str and None"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ft_status st = load_ops(cases[i].ops, cases[i].n, &s, err, sizeof err);
        expect_error(st, cases[i].want, &s, err, cases[i].needle);
    }
}

/* One tensor T over a 6-float storage of SIZE bytes (key "0"). */
static ft_status load_one(const pth_tensor *t, size_t size, ft_pth_state *s, char *err,
                          size_t err_size)
{
    static const float six[6] = {0, 1, 2, 3, 4, 5};
    const char *keys[] = {"0", NULL};
    const void *data[] = {six};
    const size_t sizes[] = {size};
    pth_buf p = {0};
    pth_dict_begin(&p);
    pth_tensor_entry(&p, t);
    pth_dict_end(&p);
    ft_status st = load_pickle(&p, keys, data, sizes, s, err, err_size);
    free(p.data);
    return st;
}

static void test_bad_tensors(void **state)
{
    (void)state;
    ft_pth_state s;
    char err[512];
    const int64_t big = (int64_t)1 << 40;
    const struct {
        pth_tensor t;
        size_t size;
        ft_status want;
        const char *needle;
    } cases[] = {
        {{"short", "FloatStorage", "0", 6, 0, 1, {6}, {1}}, 20, FT_ERR_TRUNCATED,
         "holds 20 bytes, fewer than its 6 elements need"},
        {{"outside", "FloatStorage", "0", 6, 0, 2, {3, 2}, {2, 3}}, 24, FT_ERR_FORMAT,
         "reaches element 7 of a storage of 6"},
        {{"offset", "FloatStorage", "0", 6, 6, 1, {1}, {1}}, 24, FT_ERR_FORMAT,
         "reaches element 6"},
        {{"negative", "FloatStorage", "0", 6, 0, 1, {2}, {-1}}, 24, FT_ERR_FORMAT, "stride -1"},
        {{"missing", "FloatStorage", "9", 6, 0, 1, {6}, {1}}, 24, FT_ERR_FORMAT,
         "no storage member data/9 for 'missing'"},
        {{"rank7", "FloatStorage", "0", 6, 0, 7, {1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1}}, 24,
         FT_ERR_FORMAT, "rank 6 at most"},
        {{"huge", "FloatStorage", "0", 6, 0, 2, {1 << 20, 1 << 20}, {0, 0}}, 24, FT_ERR_FORMAT,
         "past 16 times"},
        {{"overflow", "FloatStorage", "0", 6, 0, 2, {big * 8, big * 8}, {1, 1}}, 24, FT_ERR_FORMAT,
         "too many elements"},
        {{"strides", "FloatStorage", "0", 6, 0, 2, {big, 2}, {big * 8, 1}}, 24, FT_ERR_FORMAT,
         "strides overflow"},
        {{"numel", "DoubleStorage", "0", INT64_MAX / 4, 0, 1, {1}, {1}}, 24, FT_ERR_FORMAT,
         "a storage of"},
        {{"untyped", "UntypedStorage", "0", 6, 0, 1, {6}, {1}}, 24, FT_ERR_UNSUPPORTED,
         "'torch UntypedStorage' (a storage type it does not read)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const pth_tensor *t = &cases[i].t;
        pth_buf p = {0};
        pth_dict_begin(&p);
        if (t->rank == 7) { /* one dimension more than the builder's struct holds */
            pth_str(&p, t->name);
            pth_global(&p, "torch._utils", "_rebuild_tensor_v2");
            pth_op(&p, '(');
            pth_op(&p, '(');
            pth_str(&p, "storage");
            pth_global(&p, "torch", "FloatStorage");
            pth_str(&p, "0");
            pth_str(&p, "cpu");
            pth_int(&p, 6);
            pth_op(&p, 't');
            pth_op(&p, 'Q');
            pth_int(&p, 0);
            const int64_t ones[7] = {1, 1, 1, 1, 1, 1, 1};
            pth_int_tuple(&p, ones, 7);
            pth_int_tuple(&p, ones, 7);
            pth_op(&p, 0x89);
            pth_op(&p, '}');
            pth_op(&p, 't');
            pth_op(&p, 'R');
        } else {
            pth_tensor_entry(&p, t);
        }
        pth_dict_end(&p);
        static const float six[6] = {0, 1, 2, 3, 4, 5};
        const char *keys[] = {"0", NULL};
        const void *data[] = {six};
        const size_t sizes[] = {cases[i].size};
        ft_status st = load_pickle(&p, keys, data, sizes, &s, err, sizeof err);
        expect_error(st, cases[i].want, &s, err, cases[i].needle);
        free(p.data);
    }

    /* two entries with one name */
    const pth_tensor a = {"w", "FloatStorage", "0", 6, 0, 1, {6}, {1}};
    pth_buf p = {0};
    pth_dict_begin(&p);
    pth_tensor_entry(&p, &a);
    pth_tensor_entry(&p, &a);
    pth_dict_end(&p);
    static const float six[6] = {0};
    ft_status st = load_pickle(&p, (const char *const[]){"0", NULL}, (const void *const[]){six},
                               (const size_t[]){24}, &s, err, sizeof err);
    expect_error(st, FT_ERR_FORMAT, &s, err, "two tensors are named 'w'");
    free(p.data);
    /* a larger member than the storage needs is fine */
    assert_int_equal(load_one(&a, 24, &s, err, sizeof err), FT_OK);
    ft_pth_free(&s);
}

static void test_bad_archives(void **state)
{
    (void)state;
    ft_pth_state s;
    char err[512];
    /* torch.save before 1.6: a pickled magic number, then more pickles */
    static const uint8_t legacy[] = {0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20};
    expect_error(ft_pth_load_bytes(legacy, sizeof legacy, NAME, &s, err, sizeof err),
                 FT_ERR_UNSUPPORTED, &s, err, "legacy torch.save format");
    expect_error(ft_pth_load_bytes((const uint8_t *)"hello", 5, NAME, &s, err, sizeof err),
                 FT_ERR_FORMAT, &s, err, "not a zip archive");
    expect_error(ft_pth_load_bytes(NULL, 0, NAME, &s, err, sizeof err), FT_ERR_FORMAT, &s, err,
                 "not a zip archive");
    expect_error(ft_pth_load_bytes(NULL, 4, NAME, &s, err, sizeof err), FT_ERR_INVALID_ARG, &s,
                 err, NULL);

    size_t size = 0;
    pth_member only_order[] = {{"t/byteorder", "little", 6}, {"t/data/0", "abcd", 4}};
    uint8_t *zip = pth_zip(only_order, 2, &size);
    assert_non_null(zip);
    expect_error(ft_pth_load_bytes(zip, size, NAME, &s, err, sizeof err), FT_ERR_FORMAT, &s, err,
                 "no <folder>/data.pkl");
    free(zip);

    pth_buf empty = {0};
    pth_dict_begin(&empty);
    pth_dict_end(&empty);
    pth_member big_endian[] = {{"t/data.pkl", empty.data, empty.size}, {"t/byteorder", "big", 3}};
    zip = pth_zip(big_endian, 2, &size);
    expect_error(ft_pth_load_bytes(zip, size, NAME, &s, err, sizeof err), FT_ERR_UNSUPPORTED, &s,
                 err, "big-endian");
    free(zip);
    pth_member odd_order[] = {{"t/data.pkl", empty.data, empty.size}, {"t/byteorder", "pdp", 3}};
    zip = pth_zip(odd_order, 2, &size);
    expect_error(ft_pth_load_bytes(zip, size, NAME, &s, err, sizeof err), FT_ERR_FORMAT, &s, err,
                 "unknown byte order");
    free(zip);
    /* no byteorder member (files before torch 1.13): little-endian */
    pth_member old[] = {{"archive/data.pkl", empty.data, empty.size}};
    zip = pth_zip(old, 1, &size);
    assert_int_equal(ft_pth_load_bytes(zip, size, NAME, &s, err, sizeof err), FT_OK);
    assert_int_equal(s.count, 0);
    ft_pth_free(&s);
    free(zip);
    free(empty.data);
}

/* Every prefix of a good file, and every byte of its pickle changed, ends
 * in a state dict or one line: never a crash or a leak (ASan). */
static void test_mutations(void **state)
{
    (void)state;
    const float w[6] = {1, 2, 3, 4, 5, 6};
    const uint16_t h[2] = {0x3c00, 0x4000};
    const char *keys[] = {"0", "1", NULL};
    const void *data[] = {w, h};
    const size_t sizes[] = {sizeof w, sizeof h};
    const pth_tensor tensors[] = {
        {"w", "FloatStorage", "0", 6, 0, 2, {2, 3}, {3, 1}},
        {"wt", "FloatStorage", "0", 6, 1, 2, {2, 2}, {1, 3}},
        {"h", "HalfStorage", "1", 2, 0, 1, {2}, {1}},
    };
    pth_buf pkl = {0};
    pth_state_dict(&pkl, tensors, 3);
    ft_pth_state s;
    char err[512];
    size_t size = 0;
    uint8_t *file = pth_file("t", &pkl, keys, data, sizes, &size);
    assert_non_null(file);
    for (size_t n = 0; n < size; n++) {
        ft_status st = ft_pth_load_bytes(file, n, NAME, &s, err, sizeof err);
        expect_error(st, st, &s, err, NULL);
        assert_int_not_equal(st, FT_OK);
    }
    free(file);
    static const uint8_t values[] = {0x00, 0x01, 0x7f, 0x80, 0xff, '(',
                                     ')',  'R',  't',  's',  'h',  'Q'};
    pth_buf bad = {0};
    pth_put(&bad, pkl.data, pkl.size);
    int loaded = 0;
    for (size_t i = 0; i < pkl.size; i++) {
        for (size_t v = 0; v < sizeof values; v++) {
            bad.data[i] = values[v];
            ft_status st = load_pickle(&bad, keys, data, sizes, &s, err, sizeof err);
            if (st == FT_OK) {
                loaded++;
                ft_pth_free(&s);
            } else {
                expect_error(st, st, &s, err, NULL);
            }
        }
        bad.data[i] = pkl.data[i];
    }
    for (size_t n = 0; n < pkl.size; n++) { /* the pickle cut short */
        bad.size = n;
        ft_status st = load_pickle(&bad, keys, data, sizes, &s, err, sizeof err);
        assert_int_not_equal(st, FT_OK);
        expect_error(st, st, &s, err, NULL);
    }
    assert_true(loaded > 0); /* some changes are harmless (a value, a name) */
    free(bad.data);
    free(pkl.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_storage_types),
        cmocka_unit_test(test_views),
        cmocka_unit_test(test_protocol4),
        cmocka_unit_test(test_bad_pickles),
        cmocka_unit_test(test_bad_tensors),
        cmocka_unit_test(test_bad_archives),
        cmocka_unit_test(test_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
