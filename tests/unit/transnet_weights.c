/* TransNetV2 test weights by formula (see transnet_weights.h); each number
 * is what make_reference.py's synthetic_weights() gives, bit for bit. */
#include "transnet_weights.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pth_builder.h"

#define MAX_TENSORS 96

typedef struct spec {
    char name[96];
    int rank;
    int64_t shape[5];
} spec;

static void add(spec *s, int *n, const char *name, int rank, const int64_t *shape)
{
    snprintf(s[*n].name, sizeof s[*n].name, "%s", name);
    s[*n].rank = rank;
    if (rank) /* a scalar has no shape */
        memcpy(s[*n].shape, shape, (size_t)rank * sizeof *shape);
    (*n)++;
}

static void add_linear(spec *s, int *n, const char *prefix, int64_t out, int64_t in)
{
    char name[96];
    snprintf(name, sizeof name, "%s.weight", prefix);
    add(s, n, name, 2, (int64_t[]){out, in});
    snprintf(name, sizeof name, "%s.bias", prefix);
    add(s, n, name, 1, (int64_t[]){out});
}

/* The state dict's tensors, in PyTorch's order. */
static int specs(int F, int D, spec *s)
{
    static const int dilations[4] = {1, 2, 4, 8};
    static const char *const bn[4] = {"weight", "bias", "running_mean", "running_var"};
    char name[96];
    int n = 0;
    int64_t in = 3;
    for (int b = 0; b < 3; b++) {
        const int64_t f = (int64_t)F << b;
        for (int c = 0; c < 2; c++, in = 4 * f) {
            for (int k = 0; k < 4; k++) {
                snprintf(name, sizeof name, "SDDCNN.%d.DDCNN.%d.Conv3D_%d.layers.0.weight", b, c,
                         dilations[k]);
                add(s, &n, name, 5, (int64_t[]){2 * f, in, 1, 3, 3});
                snprintf(name, sizeof name, "SDDCNN.%d.DDCNN.%d.Conv3D_%d.layers.1.weight", b, c,
                         dilations[k]);
                add(s, &n, name, 5, (int64_t[]){f, 2 * f, 3, 1, 1});
            }
            for (int k = 0; k < 4; k++) {
                snprintf(name, sizeof name, "SDDCNN.%d.DDCNN.%d.bn.%s", b, c, bn[k]);
                add(s, &n, name, 1, (int64_t[]){4 * f});
            }
            snprintf(name, sizeof name, "SDDCNN.%d.DDCNN.%d.bn.num_batches_tracked", b, c);
            add(s, &n, name, 0, NULL);
        }
    }
    add_linear(s, &n, "frame_sim_layer.projection", 128, 28 * (int64_t)F);
    add_linear(s, &n, "frame_sim_layer.fc", 128, 101);
    add_linear(s, &n, "color_hist_layer.fc", 128, 101);
    add_linear(s, &n, "fc1", D, 16 * (int64_t)F * 3 * 6 + 256);
    add_linear(s, &n, "cls_layer1", 1, D);
    add_linear(s, &n, "cls_layer2", 1, D);
    return n;
}

static uint32_t mix32(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    return x ^ (x >> 16);
}

static uint32_t fnv1a(const char *text)
{
    uint32_t h = 0x811c9dc5u;
    for (; *text; text++)
        h = (h ^ (uint8_t)*text) * 0x01000193u;
    return h;
}

static int ends_with(const char *s, const char *tail)
{
    const size_t n = strlen(s), m = strlen(tail);
    return n >= m && strcmp(s + n - m, tail) == 0;
}

static int64_t elements(const spec *s)
{
    int64_t n = 1;
    for (int d = 0; d < s->rank; d++)
        n *= s->shape[d];
    return n;
}

/* synthetic_weights(): in double, rounded to float. */
static void fill(const spec *s, float *out)
{
    const uint32_t seed = fnv1a(s->name);
    const int64_t n = elements(s);
    const double bound = s->rank > 1 ? sqrt(6.0 / (double)(n / s->shape[0])) : 0;
    for (int64_t i = 0; i < n; i++) {
        const double u = (double)(mix32(seed ^ mix32((uint32_t)i)) >> 8) / 16777216.0;
        double v;
        if (ends_with(s->name, "bn.weight"))
            v = 0.5 + u;
        else if (ends_with(s->name, "running_var"))
            v = 0.5 + 1.5 * u;
        else if (s->rank > 1)
            v = (2 * u - 1) * bound;
        else
            v = (2 * u - 1) * 0.1;
        out[i] = (float)v;
    }
}

static int is_counter(const spec *s)
{
    return ends_with(s->name, "num_batches_tracked");
}

/* The tensor's bytes (malloc'd): its numbers, or a 0 counter. */
static void *contents(const spec *s, size_t *nbytes)
{
    *nbytes = is_counter(s) ? sizeof(int64_t) : (size_t)elements(s) * sizeof(float);
    void *data = calloc(1, *nbytes);
    if (data && !is_counter(s))
        fill(s, data);
    return data;
}

ft_status transnet_weights_state(int F, int D, ft_pth_state *out)
{
    spec s[MAX_TENSORS];
    const int n = specs(F, D, s);
    memset(out, 0, sizeof *out);
    if (!(out->tensors = calloc((size_t)n, sizeof *out->tensors)))
        return FT_ERR_NOMEM;
    for (int i = 0; i < n; i++, out->count++) {
        ft_nn_tensor *t = &out->tensors[i];
        t->dtype = is_counter(&s[i]) ? FT_DTYPE_I64 : FT_DTYPE_F32;
        t->rank = s[i].rank;
        memcpy(t->shape, s[i].shape, sizeof s[i].shape);
        if (!(t->name = strdup(s[i].name)) || !(t->data = contents(&s[i], &t->nbytes))) {
            out->count++;
            ft_pth_free(out);
            return FT_ERR_NOMEM;
        }
    }
    return FT_OK;
}

uint8_t *transnet_weights_pth(int F, int D, size_t *size)
{
    spec s[MAX_TENSORS];
    const int n = specs(F, D, s);
    pth_member members[MAX_TENSORS + 2];
    char names[MAX_TENSORS + 2][48], keys[MAX_TENSORS][12];
    void *data[MAX_TENSORS] = {0};
    pth_buf pkl = {0};
    pth_dict_begin(&pkl);
    int ok = 1;
    for (int i = 0; i < n; i++) {
        size_t nbytes;
        snprintf(keys[i], sizeof keys[i], "%d", i);
        ok = ok && (data[i] = contents(&s[i], &nbytes)) != NULL;
        pth_tensor t = {s[i].name, is_counter(&s[i]) ? "LongStorage" : "FloatStorage", keys[i],
                        is_counter(&s[i]) ? 1 : elements(&s[i]), 0, s[i].rank, {0}, {0}};
        int64_t stride = 1;
        for (int d = s[i].rank - 1; d >= 0; d--) {
            t.shape[d] = s[i].shape[d];
            t.stride[d] = stride;
            stride *= s[i].shape[d];
        }
        pth_tensor_entry(&pkl, &t);
        snprintf(names[i + 2], sizeof names[i + 2], "archive/data/%d", i);
        members[i + 2] = (pth_member){names[i + 2], data[i], nbytes};
    }
    pth_dict_end(&pkl);
    members[0] = (pth_member){"archive/data.pkl", pkl.data, pkl.size};
    members[1] = (pth_member){"archive/byteorder", "little", 6};
    uint8_t *file = ok ? pth_zip(members, n + 2, size) : NULL;
    for (int i = 0; i < n; i++)
        free(data[i]);
    free(pkl.data);
    return file;
}

int transnet_weights_write(int F, int D, const char *path)
{
    size_t size = 0;
    uint8_t *bytes = transnet_weights_pth(F, D, &size);
    FILE *f = bytes ? fopen(path, "wb") : NULL;
    int ok = 0;
    if (f) {
        ok = fwrite(bytes, 1, size, f) == size;
        ok = fclose(f) == 0 && ok;
    }
    free(bytes);
    return ok ? 0 : -1;
}
