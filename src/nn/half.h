/* IEEE 754 binary16 to binary32, exact for every input (subnormals, inf,
 * NaN), and back, rounded to nearest even. */
#ifndef FT_NN_HALF_H
#define FT_NN_HALF_H

#include <stdint.h>
#include <string.h>

static inline float ft_half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1f, mant = h & 0x3ff, bits;
    if (exp == 0x1f) {
        bits = sign | 0x7f800000u | mant << 13; /* inf, NaN */
    } else if (exp != 0) {
        bits = sign | (exp + 112) << 23 | mant << 13;
    } else if (mant == 0) {
        bits = sign; /* zero */
    } else {
        /* subnormal: normalise the mantissa */
        int e = -1;
        do {
            e++;
            mant <<= 1;
        } while (!(mant & 0x400));
        bits = sign | (uint32_t)(112 - e) << 23 | (mant & 0x3ff) << 13;
    }
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* The binary16 nearest F (ties to even), what a device's __float2half
 * gives: weights converted once for fp16 storage. */
static inline uint16_t ft_float_to_half(float f)
{
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    const uint32_t sign = (x >> 16) & 0x8000u;
    uint32_t mantissa = x & 0x7fffffu;
    const int exponent = (int)((x >> 23) & 0xffu);
    if (exponent == 0xff) /* infinity, NaN */
        return (uint16_t)(sign | 0x7c00u | (mantissa ? 0x200u : 0u));
    const int e = exponent - 127 + 15;
    if (e >= 31)
        return (uint16_t)(sign | 0x7c00u); /* too large: infinity */
    if (e <= 0) {                          /* a subnormal half, or zero */
        if (e < -10)
            return (uint16_t)sign;
        mantissa |= 0x800000u;
        const int shift = 14 - e;
        uint32_t h = mantissa >> shift;
        const uint32_t rest = mantissa & ((1u << shift) - 1), halfway = 1u << (shift - 1);
        h += rest > halfway || (rest == halfway && (h & 1u));
        return (uint16_t)(sign | h);
    }
    uint32_t h = ((uint32_t)e << 10) | (mantissa >> 13);
    const uint32_t rest = mantissa & 0x1fffu;
    h += rest > 0x1000u || (rest == 0x1000u && (h & 1u)); /* a carry rounds up the exponent */
    return (uint16_t)(sign | h);
}

#endif
