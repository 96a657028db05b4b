/* libFuzzer target: any bytes given to the eos model readers end in a model
 * or a one-line error, never a crash, a leak or undefined behaviour. The
 * first byte picks the reader: the shape model, blendshapes (after a small
 * valid shape model of 4 vertices), the landmark mapper, the model contour
 * or the edge topology; the rest is the file. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "face/eos_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one_line(ft_status st, const char *err)
{
    if (st != FT_OK && (err[0] == '\0' || strchr(err, '\n')))
        __builtin_trap(); /* an error is one line */
}

/* A shape model of 4 vertices, 2 components, 2 triangles (class version 1,
 * empty colour model, no texture coordinates). */
static size_t tiny_model(char *b)
{
    size_t n = 0;
#define PUT(v) (memcpy(b + n, &(v), sizeof(v)), n += sizeof(v))
    const int32_t version = 1, rows = 12, one = 1, k = 2, zero = 0;
    const uint64_t tris = 2, none = 0;
    PUT(version);
    PUT(rows), PUT(one);
    for (int i = 0; i < 12; i++) {
        const float v = (float)(i % 5) - 2.0f;
        PUT(v);
    }
    PUT(rows), PUT(k);
    for (int i = 0; i < 24; i++) {
        const float v = i % 7 == 0 ? 1.0f : 0.0f;
        PUT(v);
    }
    PUT(k), PUT(one);
    const float e0 = 4.0f, e1 = 1.0f;
    PUT(e0), PUT(e1);
    PUT(tris);
    const int32_t t[6] = {0, 1, 2, 1, 2, 3};
    PUT(t);
    PUT(zero), PUT(one), PUT(zero), PUT(zero), PUT(zero), PUT(one), PUT(none); /* colour */
    PUT(none); /* texture coordinates */
#undef PUT
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char *text = malloc(size); /* the file, NUL-terminated as the readers get it */
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    const size_t n = size - 1;
    char err[512] = "";
    ft_status st;
    switch (data[0] % 5) {
    case 0: {
        ft_eos_model m;
        st = ft_eos_shape_model_read("fuzz.bin", text, n, &m, err, sizeof err);
        if (st == FT_OK) {
            for (int t = 0; t < m.triangle_count; t++)
                for (int c = 0; c < 3; c++)
                    if (m.triangles[t][c] < 0 || m.triangles[t][c] >= m.vertex_count)
                        __builtin_trap(); /* every triangle inside the model */
            ft_eos_model_free(&m);
        }
        break;
    }
    case 1: {
        char model[512];
        ft_eos_model m;
        const size_t len = tiny_model(model);
        if (ft_eos_shape_model_read("tiny.bin", model, len, &m, err, sizeof err) != FT_OK)
            __builtin_trap(); /* the seed model is valid */
        st = ft_eos_blendshapes_read("fuzz_bs.bin", text, n, &m, err, sizeof err);
        if (st == FT_OK && (m.expression_count < 1 || !m.expressions))
            __builtin_trap();
        ft_eos_model_free(&m);
        break;
    }
    case 2: {
        ft_eos_mapper mp;
        st = ft_eos_mapper_read("fuzz.txt", text, n, 3448, &mp, err, sizeof err);
        for (int i = 1; st == FT_OK && i <= FT_EOS_IBUG_POINTS; i++)
            if (mp.vertex_of[i] >= 3448)
                __builtin_trap();
        break;
    }
    case 3: {
        ft_eos_contour c;
        st = ft_eos_contour_read("fuzz.json", text, n, 3448, &c, err, sizeof err);
        break;
    }
    default: {
        ft_eos_edges e;
        st = ft_eos_edges_read("fuzz_edges.json", text, n, 3448, 6736, &e, err, sizeof err);
        ft_eos_edges_free(&e);
        break;
    }
    }
    one_line(st, err);
    free(text);
    return 0;
}
