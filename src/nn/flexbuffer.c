/* FlexBuffers layout (flatbuffers/flexbuffers.h): the last byte is the root
 * slot's width, the one before it the root's packed type (type << 2 | log2
 * of the child width). Offsets point backwards from the slot holding them.
 * A map's data is preceded by [keys offset][keys width][length]; a vector's
 * by [length]; untyped vectors and maps follow their slots with one packed
 * type byte per element. */
#include <string.h>

#include "nn/flexbuffer.h"

enum {
    FBT_INT = 1, FBT_UINT = 2, FBT_FLOAT = 3, FBT_INDIRECT_INT = 6, FBT_INDIRECT_UINT = 7,
    FBT_INDIRECT_FLOAT = 8, FBT_MAP = 9, FBT_VECTOR = 10, FBT_VECTOR_INT = 11,
    FBT_VECTOR_FLOAT = 13, FBT_VECTOR_INT2 = 16, FBT_VECTOR_FLOAT4 = 24, FBT_BOOL = 26,
    FBT_VECTOR_BOOL = 36
};

static int valid_width(uint64_t w)
{
    return w == 1 || w == 2 || w == 4 || w == 8;
}

static int read_uint(const uint8_t *buf, size_t size, size_t pos, int width, uint64_t *out)
{
    if (!valid_width((uint64_t)width) || pos > size || (size_t)width > size - pos)
        return 0;
    uint64_t v = 0;
    for (int i = width - 1; i >= 0; i--)
        v = v << 8 | buf[pos + (size_t)i];
    *out = v;
    return 1;
}

static int read_int(const uint8_t *buf, size_t size, size_t pos, int width, int64_t *out)
{
    uint64_t u;
    if (!read_uint(buf, size, pos, width, &u))
        return 0;
    if (width < 8 && (u >> (8 * width - 1) & 1))
        u |= ~(uint64_t)0 << (8 * width); /* sign-extend */
    *out = (int64_t)u;
    return 1;
}

/* Where the offset stored in the slot at POS (WIDTH bytes) points. */
static int deref(const uint8_t *buf, size_t size, size_t pos, int width, size_t *target)
{
    uint64_t off;
    if (!read_uint(buf, size, pos, width, &off) || off > pos)
        return 0;
    *target = pos - (size_t)off;
    return 1;
}

static int scalar(const uint8_t *buf, size_t size, size_t pos, int width, int type, double *out)
{
    int64_t i;
    uint64_t u;
    switch (type) {
    case FBT_INT:
        if (!read_int(buf, size, pos, width, &i))
            return 0;
        *out = (double)i;
        return 1;
    case FBT_UINT:
    case FBT_BOOL:
        if (!read_uint(buf, size, pos, width, &u))
            return 0;
        *out = (double)u;
        return 1;
    case FBT_FLOAT:
        if (!read_uint(buf, size, pos, width, &u) || (width != 4 && width != 8))
            return 0;
        if (width == 4) {
            uint32_t b = (uint32_t)u;
            float f;
            memcpy(&f, &b, sizeof f);
            *out = f;
        } else {
            double d;
            memcpy(&d, &u, sizeof d);
            *out = d;
        }
        return 1;
    default:
        return 0;
    }
}

static ft_flex_ref make_ref(const uint8_t *buf, size_t size, size_t pos, int parent_width, uint8_t packed)
{
    return (ft_flex_ref){buf, size, pos, parent_width, packed >> 2, 1 << (packed & 3)};
}

int ft_flex_map_find(const uint8_t *buf, size_t size, const char *key, ft_flex_ref *out)
{
    if (!buf || size < 3)
        return -1;
    int root_width = buf[size - 1];
    if (!valid_width((uint64_t)root_width) || size < 2 + (size_t)root_width)
        return -1;
    ft_flex_ref root = make_ref(buf, size, size - 2 - (size_t)root_width, root_width, buf[size - 2]);
    size_t map, keys;
    uint64_t len, keys_width;
    const size_t bw = (size_t)root.width;
    if (root.type != FBT_MAP || !deref(buf, size, root.pos, root.parent_width, &map) ||
        map < 3 * bw || !read_uint(buf, size, map - bw, root.width, &len) ||
        !read_uint(buf, size, map - 2 * bw, root.width, &keys_width) || !valid_width(keys_width) ||
        !deref(buf, size, map - 3 * bw, root.width, &keys) || len > size ||
        map + len * (bw + 1) > size || keys + len * keys_width > size)
        return -1;
    const size_t key_len = strlen(key);
    for (size_t i = 0; i < len; i++) {
        size_t k;
        if (!deref(buf, size, keys + i * keys_width, (int)keys_width, &k))
            return -1;
        if (size - k > key_len && memcmp(buf + k, key, key_len) == 0 && buf[k + key_len] == 0) {
            *out = make_ref(buf, size, map + i * bw, root.width, buf[map + len * bw + i]);
            return 1;
        }
    }
    return 0;
}

int ft_flex_number(const ft_flex_ref *r, double *out)
{
    size_t target;
    switch (r->type) {
    case FBT_INT:
    case FBT_UINT:
    case FBT_BOOL:
    case FBT_FLOAT:
        return scalar(r->buf, r->size, r->pos, r->parent_width, r->type, out);
    case FBT_INDIRECT_INT:
    case FBT_INDIRECT_UINT:
    case FBT_INDIRECT_FLOAT:
        return deref(r->buf, r->size, r->pos, r->parent_width, &target) &&
               scalar(r->buf, r->size, target, r->width, r->type - FBT_INDIRECT_INT + FBT_INT, out);
    default:
        return 0;
    }
}

static int is_vector(int type)
{
    return type == FBT_VECTOR || (type >= FBT_VECTOR_INT && type <= FBT_VECTOR_FLOAT) ||
           (type >= FBT_VECTOR_INT2 && type <= FBT_VECTOR_FLOAT4) || type == FBT_VECTOR_BOOL;
}

int64_t ft_flex_vector_length(const ft_flex_ref *r)
{
    size_t target;
    uint64_t len;
    if (!is_vector(r->type) || !deref(r->buf, r->size, r->pos, r->parent_width, &target))
        return -1;
    if (r->type >= FBT_VECTOR_INT2 && r->type <= FBT_VECTOR_FLOAT4)
        len = (uint64_t)(r->type - FBT_VECTOR_INT2) / 3 + 2;
    else if (target < (size_t)r->width || !read_uint(r->buf, r->size, target - (size_t)r->width, r->width, &len))
        return -1;
    /* Every element (and an untyped vector's type bytes) inside the buffer. */
    const uint64_t per = (uint64_t)r->width + (r->type == FBT_VECTOR ? 1 : 0);
    if (len > r->size || target + len * per > r->size)
        return -1;
    return (int64_t)len;
}

int ft_flex_vector_number(const ft_flex_ref *r, int64_t i, double *out)
{
    int64_t len = ft_flex_vector_length(r);
    size_t target;
    if (len < 0 || i < 0 || i >= len || !deref(r->buf, r->size, r->pos, r->parent_width, &target))
        return 0;
    const size_t slot = target + (size_t)i * (size_t)r->width;
    int type;
    if (r->type == FBT_VECTOR) {
        ft_flex_ref e = make_ref(r->buf, r->size, slot, r->width,
                                 r->buf[target + (size_t)len * (size_t)r->width + (size_t)i]);
        return ft_flex_number(&e, out);
    }
    if (r->type == FBT_VECTOR_BOOL)
        type = FBT_BOOL;
    else if (r->type >= FBT_VECTOR_INT2)
        type = FBT_INT + (r->type - FBT_VECTOR_INT2) % 3;
    else
        type = FBT_INT + (r->type - FBT_VECTOR_INT);
    return scalar(r->buf, r->size, slot, r->width, type, out);
}
