#include <string.h>

#include "nn/flatbuffer.h"

/* Little-endian loads at a checked position. */
static int in_bounds(ft_fb *fb, size_t pos, size_t len)
{
    if (pos > fb->size || len > fb->size - pos) {
        fb->bad = 1;
        return 0;
    }
    return 1;
}

static uint32_t load_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t load_u(const uint8_t *p, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

size_t ft_fb_root(ft_fb *fb)
{
    if (!in_bounds(fb, 0, 8))
        return 0;
    size_t root = load_u32(fb->buf);
    if (!in_bounds(fb, root, 4))
        return 0;
    return root;
}

size_t ft_fb_field(ft_fb *fb, size_t t, int field)
{
    if (t == 0 || field < 0 || !in_bounds(fb, t, 4))
        return 0;
    /* soffset: the vtable lives at t - soffset */
    int64_t vt = (int64_t)t - (int32_t)load_u32(fb->buf + t);
    if (vt < 0 || !in_bounds(fb, (size_t)vt, 4))
        return 0;
    uint16_t vt_size = (uint16_t)load_u(fb->buf + vt, 2);
    uint16_t table_size = (uint16_t)load_u(fb->buf + vt + 2, 2);
    size_t entry = 4 + 2 * (size_t)field;
    if (vt_size < 4 || (vt_size & 1) || !in_bounds(fb, (size_t)vt, vt_size) ||
        !in_bounds(fb, t, table_size)) {
        fb->bad = 1;
        return 0;
    }
    if (entry + 2 > vt_size)
        return 0; /* field newer than this file's schema: absent */
    uint16_t off = (uint16_t)load_u(fb->buf + vt + entry, 2);
    if (off == 0)
        return 0;
    if (off >= table_size) {
        fb->bad = 1;
        return 0;
    }
    return t + off;
}

int64_t ft_fb_int(ft_fb *fb, size_t t, int field, int bytes, int is_signed, int64_t def)
{
    size_t p = ft_fb_field(fb, t, field);
    if (!p || !in_bounds(fb, p, (size_t)bytes))
        return def;
    uint64_t v = load_u(fb->buf + p, bytes);
    if (is_signed && bytes < 8 && (v >> (bytes * 8 - 1)) & 1)
        v |= ~0ull << (bytes * 8); /* sign-extend */
    return (int64_t)v;
}

float ft_fb_float(ft_fb *fb, size_t t, int field, float def)
{
    size_t p = ft_fb_field(fb, t, field);
    if (!p || !in_bounds(fb, p, 4))
        return def;
    uint32_t bits = load_u32(fb->buf + p);
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* Follows the uoffset stored at P. */
static size_t follow(ft_fb *fb, size_t p)
{
    if (!p || !in_bounds(fb, p, 4))
        return 0;
    size_t target = p + load_u32(fb->buf + p);
    if (target < p || !in_bounds(fb, target, 4))
        return 0;
    return target;
}

size_t ft_fb_table(ft_fb *fb, size_t t, int field)
{
    return follow(fb, ft_fb_field(fb, t, field));
}

ft_fb_vec ft_fb_vector(ft_fb *fb, size_t t, int field, size_t elem_size)
{
    ft_fb_vec v = {0, 0};
    size_t p = follow(fb, ft_fb_field(fb, t, field));
    if (!p)
        return v;
    uint32_t count = load_u32(fb->buf + p);
    if (elem_size && count > (fb->size - p - 4) / elem_size) {
        fb->bad = 1;
        return v;
    }
    v.pos = p + 4;
    v.count = count;
    return v;
}

const char *ft_fb_string(ft_fb *fb, size_t t, int field, uint32_t *len)
{
    ft_fb_vec v = ft_fb_vector(fb, t, field, 1);
    if (!v.pos)
        return NULL;
    /* FlatBuffers strings are followed by a NUL inside the buffer. */
    if (!in_bounds(fb, v.pos, (size_t)v.count + 1) || fb->buf[v.pos + v.count] != 0) {
        fb->bad = 1;
        return NULL;
    }
    if (len)
        *len = v.count;
    return (const char *)fb->buf + v.pos;
}

size_t ft_fb_vec_table(ft_fb *fb, ft_fb_vec v, uint32_t i)
{
    if (i >= v.count) {
        fb->bad = 1;
        return 0;
    }
    return follow(fb, v.pos + 4 * (size_t)i);
}

int32_t ft_fb_vec_i32(ft_fb *fb, ft_fb_vec v, uint32_t i)
{
    if (i >= v.count || !in_bounds(fb, v.pos + 4 * (size_t)i, 4)) {
        fb->bad = 1;
        return 0;
    }
    return (int32_t)load_u32(fb->buf + v.pos + 4 * (size_t)i);
}
