/* Protobuf wire format: a tag is a varint (field << 3 | wire type); varints
 * are 7 bits a byte, low first, at most 10 bytes; fixed32/fixed64 are
 * little-endian; LEN fields are a varint length and that many bytes. */
#include "face/pb_wire.h"

#include <string.h>

void ft_pb_init(ft_pb *r, const void *data, size_t size)
{
    r->p = data;
    r->end = r->p + (data ? size : 0);
    r->error = NULL;
}

int ft_pb_fail(ft_pb *r, const char *reason)
{
    if (!r->error)
        r->error = reason;
    return -1;
}

static int read_varint(ft_pb *r, uint64_t *v)
{
    uint64_t x = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (r->p >= r->end)
            return ft_pb_fail(r, "truncated varint");
        const uint8_t b = *r->p++;
        /* The tenth byte may carry only the top bit of a 64-bit value. */
        if (shift == 63 && b > 1)
            return ft_pb_fail(r, "varint longer than 64 bits");
        x |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = x;
            return 0;
        }
    }
    return ft_pb_fail(r, "varint longer than 10 bytes");
}

static int need(ft_pb *r, uint64_t n)
{
    if (n > (uint64_t)(r->end - r->p))
        return ft_pb_fail(r, "field runs past the end of its message");
    return 0;
}

int ft_pb_next(ft_pb *r, uint32_t *field, int *wire)
{
    if (r->error)
        return -1;
    if (r->p == r->end)
        return 0;
    uint64_t tag;
    if (read_varint(r, &tag) != 0)
        return -1;
    if (tag >> 3 == 0 || tag >> 3 > 0x1fffffff)
        return ft_pb_fail(r, "invalid field number");
    *field = (uint32_t)(tag >> 3);
    *wire = (int)(tag & 7);
    return 1;
}

int ft_pb_varint(ft_pb *r, int wire, uint64_t *v)
{
    if (r->error)
        return -1;
    if (wire != FT_PB_VARINT)
        return ft_pb_fail(r, "integer field with a non-varint wire type");
    return read_varint(r, v);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int ft_pb_float(ft_pb *r, int wire, float *v)
{
    if (r->error)
        return -1;
    if (wire != FT_PB_I32)
        return ft_pb_fail(r, "float field with a non-fixed32 wire type");
    if (need(r, 4) != 0)
        return -1;
    const uint32_t bits = le32(r->p);
    memcpy(v, &bits, 4);
    r->p += 4;
    return 0;
}

int ft_pb_sub(ft_pb *r, int wire, ft_pb *sub)
{
    uint64_t n;
    if (r->error)
        return -1;
    if (wire != FT_PB_LEN)
        return ft_pb_fail(r, "message field with a non-length-delimited wire type");
    if (read_varint(r, &n) != 0 || need(r, n) != 0)
        return -1;
    ft_pb_init(sub, r->p, (size_t)n);
    r->p += n;
    return 0;
}

int ft_pb_skip(ft_pb *r, int wire)
{
    uint64_t n;
    ft_pb sub;
    switch (wire) {
    case FT_PB_VARINT:
        return ft_pb_varint(r, wire, &n);
    case FT_PB_I64:
        if (need(r, 8) != 0)
            return -1;
        r->p += 8;
        return 0;
    case FT_PB_LEN:
        return ft_pb_sub(r, wire, &sub);
    case FT_PB_I32:
        if (need(r, 4) != 0)
            return -1;
        r->p += 4;
        return 0;
    default:
        return ft_pb_fail(r, "unsupported wire type (groups or invalid)");
    }
}

int ft_pb_repeated_float(ft_pb *r, int wire, int (*add)(void *ctx, ft_pb *r, float v), void *ctx)
{
    float v;
    if (wire != FT_PB_LEN)
        return ft_pb_float(r, wire, &v) != 0 ? -1 : add(ctx, r, v);
    ft_pb packed;
    if (ft_pb_sub(r, wire, &packed) != 0)
        return -1;
    if ((packed.end - packed.p) % 4 != 0)
        return ft_pb_fail(r, "packed floats are not a multiple of 4 bytes");
    while (packed.p < packed.end) {
        if (ft_pb_float(&packed, FT_PB_I32, &v) != 0 || add(ctx, r, v) != 0)
            return ft_pb_fail(r, packed.error ? packed.error : "bad value");
    }
    return 0;
}

int ft_pb_repeated_varint(ft_pb *r, int wire, int (*add)(void *ctx, ft_pb *r, uint64_t v),
                          void *ctx)
{
    uint64_t v;
    if (wire != FT_PB_LEN)
        return ft_pb_varint(r, wire, &v) != 0 ? -1 : add(ctx, r, v);
    ft_pb packed;
    if (ft_pb_sub(r, wire, &packed) != 0)
        return -1;
    while (packed.p < packed.end) {
        if (ft_pb_varint(&packed, FT_PB_VARINT, &v) != 0 || add(ctx, r, v) != 0)
            return ft_pb_fail(r, packed.error ? packed.error : "bad value");
    }
    return 0;
}
