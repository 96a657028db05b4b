/* The geometry metadata reader: packed and unpacked encodings of the real
 * file load the same; truncated, mutated, random and hostile inputs fail
 * with FT_ERR_FORMAT and one line naming the file, and never crash (the
 * sanitizer build runs this too). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "face/geometry.h"
#include "face/geometry_metadata.h"

static char metadata_path[2048], tmp_dir[64];
static uint8_t *real;
static size_t real_size;

/* A growing byte buffer for hand-made protobuf. */
typedef struct buf {
    uint8_t data[65536];
    size_t n;
} buf;

static void put_varint(buf *b, uint64_t v)
{
    do {
        assert_true(b->n < sizeof b->data);
        b->data[b->n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
}

static void put_tag(buf *b, int field, int wire)
{
    put_varint(b, (uint64_t)field << 3 | (uint64_t)wire);
}

static void put_bytes(buf *b, const void *p, size_t n)
{
    assert_true(b->n + n <= sizeof b->data);
    memcpy(b->data + b->n, p, n);
    b->n += n;
}

static void put_float(buf *b, float f)
{
    uint8_t le[4];
    uint32_t u;
    memcpy(&u, &f, 4);
    for (int i = 0; i < 4; i++)
        le[i] = (uint8_t)(u >> (8 * i));
    put_bytes(b, le, 4);
}

static void put_message(buf *b, int field, const buf *m)
{
    put_tag(b, field, 2);
    put_varint(b, m->n);
    put_bytes(b, m->data, m->n);
}

/* M re-encoded with packed repeated fields and the fields in another
 * order (basis first), keeping VERTICES of its vertices. */
static void encode_packed(const ft_geometry_metadata *m, int vertices, buf *out)
{
    static buf mesh, floats, ints, ref;
    mesh.n = floats.n = ints.n = out->n = 0;
    for (int i = 0; i < m->basis_count; i++) {
        ref.n = 0;
        put_tag(&ref, 2, 5);
        put_float(&ref, m->basis_weights[i]);
        put_tag(&ref, 1, 0);
        put_varint(&ref, m->basis_ids[i]);
        put_message(out, 2, &ref);
    }
    for (int i = 0; i < vertices * 5; i++)
        put_float(&floats, m->vertices[i]);
    for (int i = 0; i < m->index_count; i++)
        put_varint(&ints, m->indices[i] < (uint32_t)vertices ? m->indices[i] : 0);
    put_tag(&mesh, 4, 2);
    put_varint(&mesh, ints.n);
    put_bytes(&mesh, ints.data, ints.n);
    put_tag(&mesh, 3, 2);
    put_varint(&mesh, floats.n);
    put_bytes(&mesh, floats.data, floats.n);
    put_tag(&mesh, 99, 0); /* an unknown field, skipped */
    put_varint(&mesh, 12345);
    put_message(out, 1, &mesh);
    put_tag(out, 3, 0);
    put_varint(out, 1);
}

static const char *write_file(const char *name, const void *data, size_t n)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", tmp_dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
    return path;
}

/* Loading DATA from a file: STATUS, and on failure one line naming it. */
static void expect_load(const void *data, size_t n, ft_status status)
{
    const char *path = write_file("meta.binarypb", data, n);
    ft_face_geometry *g = NULL;
    char err[512] = "";
    ft_status st = ft_face_geometry_load(path, &g, err, sizeof err);
    if (st != status)
        fail_msg("%zu bytes: status %d, expected %d (%s)", n, st, status, err);
    if (st == FT_OK) {
        ft_face_geometry_free(g);
        return;
    }
    assert_null(g);
    assert_true(strncmp(err, path, strlen(path)) == 0);
    assert_non_null(strstr(err, ": geometry metadata: "));
    assert_null(strchr(err, '\n'));
}

static void packed_and_unpacked_agree(void **state)
{
    (void)state;
    ft_geometry_metadata m, p;
    char reason[256];
    assert_int_equal(ft_geometry_metadata_parse(real, real_size, &m, reason, sizeof reason), FT_OK);
    assert_int_equal(m.vertex_count, 468);
    assert_int_equal(m.index_count, 2694);
    assert_int_equal(m.basis_count, 33);
    assert_int_equal(m.input_source, 1);
    static buf b;
    encode_packed(&m, 468, &b);
    printf("real file %zu bytes (unpacked), packed re-encoding %zu bytes\n", real_size, b.n);
    assert_int_equal(ft_geometry_metadata_parse(b.data, b.n, &p, reason, sizeof reason), FT_OK);
    assert_int_equal(p.vertex_count, 468);
    assert_int_equal(p.index_count, 2694);
    assert_memory_equal(p.vertices, m.vertices, sizeof(float) * 468 * 5);
    assert_memory_equal(p.indices, m.indices, sizeof(uint32_t) * 2694);
    assert_memory_equal(p.basis_weights, m.basis_weights, sizeof(float) * 33);
    ft_geometry_metadata_free(&p);
    expect_load(b.data, b.n, FT_OK);
    /* A mesh that is not the 468-point face. */
    encode_packed(&m, 467, &b);
    const char *path = write_file("meta467.binarypb", b.data, b.n);
    ft_face_geometry *g = NULL;
    char err[512];
    assert_int_equal(ft_face_geometry_load(path, &g, err, sizeof err), FT_ERR_FORMAT);
    printf("%s\n", err);
    assert_non_null(strstr(err, "467 vertices"));
    ft_geometry_metadata_free(&m);
}

/* Cut anywhere, the file fails to parse, except at a boundary between
 * top-level fields in the basis or before input_source (a shorter but
 * valid message); then it has fewer basis entries or the default source. */
static void truncated(void **state)
{
    (void)state;
    int ok = 0, bad = 0;
    for (size_t n = 0; n < real_size; n++) {
        ft_geometry_metadata m;
        char reason[256];
        const ft_status st = ft_geometry_metadata_parse(real, n, &m, reason, sizeof reason);
        if (st == FT_OK) {
            ok++;
            assert_true(m.basis_count < 33 || m.input_source == 0);
            ft_geometry_metadata_free(&m);
        } else {
            bad++;
            if (st != FT_ERR_FORMAT)
                fail_msg("cut at %zu: status %d (%s)", n, st, reason);
            assert_null(m.vertices);
        }
    }
    printf("every cut of the %zu bytes: %d fail, %d still valid (basis boundaries)\n", real_size, bad, ok);
    assert_true(ok <= 33);
    /* Through the file loader, with the message. */
    const size_t cuts[] = {0, 1, 2, 3, 5, 100, 9000, 18000, real_size - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++)
        expect_load(real, cuts[i], FT_ERR_FORMAT);
}

static uint32_t rng = 12345;
static uint32_t next_rand(void)
{
    rng = rng * 1664525u + 1013904223u;
    return rng >> 8;
}

static void random_and_mutated(void **state)
{
    (void)state;
    static uint8_t bytes[20000];
    int ok = 0;
    for (int t = 0; t < 300; t++) {
        const size_t n = next_rand() % (t < 150 ? 64 : sizeof bytes);
        for (size_t i = 0; i < n; i++)
            bytes[i] = (uint8_t)next_rand();
        ft_geometry_metadata m;
        char reason[256];
        const ft_status st = ft_geometry_metadata_parse(bytes, n, &m, reason, sizeof reason);
        assert_true(st == FT_ERR_FORMAT || st == FT_ERR_UNSUPPORTED);
    }
    /* The real file with a few bytes changed: any outcome but a crash; a
     * success must still be a consistent mesh. */
    for (int t = 0; t < 2000; t++) {
        memcpy(bytes, real, real_size);
        for (int k = 1 + (int)(next_rand() % 3); k > 0; k--)
            bytes[next_rand() % real_size] = (uint8_t)next_rand();
        ft_geometry_metadata m;
        char reason[256];
        if (ft_geometry_metadata_parse(bytes, real_size, &m, reason, sizeof reason) == FT_OK) {
            ok++;
            for (int i = 0; i < m.index_count; i++)
                assert_true(m.indices[i] < (uint32_t)m.vertex_count);
            ft_geometry_metadata_free(&m);
        }
    }
    printf("2000 mutated copies: %d still parse\n", ok);
    expect_load(bytes, 37, FT_ERR_FORMAT);
}

static void hostile(void **state)
{
    (void)state;
    const struct {
        const char *what;
        uint8_t data[16];
        size_t n;
    } cases[] = {
        {"huge length", {0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x1d}, 7},
        {"64-bit length", {0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 11},
        {"varint overflow", {0x18, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02}, 11},
        {"endless varint", {0x18, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80}, 12},
        {"field number 0", {0x02, 0x00}, 2},
        {"group (unknown field)", {0x4b, 0x4c}, 2},
        {"wire type 7", {0x4f}, 1},
        {"packed floats not /4", {0x0a, 0x04, 0x1a, 0x02, 0x00, 0x00}, 6},
        {"packed length past mesh", {0x0a, 0x04, 0x1a, 0x7f, 0x00, 0x00}, 6},
        {"mesh as varint", {0x08, 0x01}, 2},
        {"empty", {0}, 0},
        {"basis only", {0x12, 0x07, 0x08, 0x04, 0x15, 0x3b, 0x39, 0x91, 0x3d}, 9},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ft_geometry_metadata m;
        char reason[256] = "";
        const ft_status st = ft_geometry_metadata_parse(cases[i].data, cases[i].n, &m, reason, sizeof reason);
        printf("%-24s -> %s\n", cases[i].what, reason);
        if (st != FT_ERR_FORMAT)
            fail_msg("%s: status %d", cases[i].what, st);
        expect_load(cases[i].data, cases[i].n, FT_ERR_FORMAT);
    }
    /* Consistent protobuf, inconsistent content, appended to the real file
     * (a second mesh merges into the first, repeated fields append): a
     * triangle (packed) using vertex 468, basis landmark 468, a negative
     * weight, an unknown vertex type. */
    const uint8_t bad_index[] = {0x0a, 0x06, 0x22, 0x04, 0x00, 0x01, 0xd4, 0x03},
                  bad_basis[] = {0x12, 0x03, 0x08, 0xd4, 0x03},
                  neg[] = {0x12, 0x07, 0x08, 0x01, 0x15, 0x00, 0x00, 0x80, 0xbf},
                  vtype[] = {0x0a, 0x02, 0x08, 0x01};
    const struct {
        const uint8_t *tail;
        size_t n;
        const char *want;
        ft_status st;
    } tails[] = {{bad_index, sizeof bad_index, "mesh index 468", FT_ERR_FORMAT},
                 {bad_basis, sizeof bad_basis, "basis landmark 468", FT_ERR_FORMAT},
                 {neg, sizeof neg, "weight -1", FT_ERR_FORMAT},
                 {vtype, sizeof vtype, "vertex type 1", FT_ERR_UNSUPPORTED}};
    static buf b;
    for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++) {
        b.n = 0;
        put_bytes(&b, real, real_size);
        put_bytes(&b, tails[i].tail, tails[i].n);
        ft_geometry_metadata m;
        char reason[256];
        const ft_status st = ft_geometry_metadata_parse(b.data, b.n, &m, reason, sizeof reason);
        printf("appended %-18s -> %s\n", tails[i].want, reason);
        assert_int_equal(st, tails[i].st);
        assert_non_null(strstr(reason, tails[i].want));
    }
}

static void input_source_detection(void **state)
{
    (void)state;
    /* input_source appended again: the last value wins (2 = detection). */
    static buf b;
    b.n = 0;
    put_bytes(&b, real, real_size);
    put_tag(&b, 3, 0);
    put_varint(&b, 2);
    ft_geometry_metadata m;
    char reason[256];
    assert_int_equal(ft_geometry_metadata_parse(b.data, b.n, &m, reason, sizeof reason), FT_OK);
    assert_int_equal(m.input_source, 2);
    ft_geometry_metadata_free(&m);
    put_tag(&b, 3, 0);
    put_varint(&b, 7);
    assert_int_equal(ft_geometry_metadata_parse(b.data, b.n, &m, reason, sizeof reason), FT_ERR_FORMAT);
    assert_non_null(strstr(reason, "input source 7"));
}

static int setup(void **state)
{
    (void)state;
    FILE *f = fopen(metadata_path, "rb");
    if (!f)
        return -1;
    real = malloc(20000);
    real_size = real ? fread(real, 1, 20000, f) : 0;
    fclose(f);
    snprintf(tmp_dir, sizeof tmp_dir, "/tmp/ft_geometry_XXXXXX");
    return real_size > 0 && real_size < 20000 && mkdtemp(tmp_dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    const char *names[] = {"meta.binarypb", "meta467.binarypb"};
    for (size_t i = 0; i < 2; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", tmp_dir, names[i]);
        remove(path);
    }
    rmdir(tmp_dir);
    free(real);
    return 0;
}

int main(void)
{
    const char *dir = getenv("FT_NPM_MODELS_DIR");
    snprintf(metadata_path, sizeof metadata_path, "%s/geometry_pipeline_metadata_landmarks.binarypb",
             dir && *dir ? dir : "build/models");
    FILE *f = fopen(metadata_path, "rb");
    if (!f) {
        printf("SKIP: %s not found (run scripts/models.sh)\n", metadata_path);
        return 77;
    }
    fclose(f);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(packed_and_unpacked_agree), cmocka_unit_test(truncated),
        cmocka_unit_test(random_and_mutated),        cmocka_unit_test(hostile),
        cmocka_unit_test(input_source_detection),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
