/* What the xnnpack row's own kernels share (nn/fast_kernels.c,
 * nn/fast_rows.c): one vector of sixteen floats, its loads and its clamped
 * stores, and the clones that compile a kernel for AVX-512, AVX2 + FMA and
 * the baseline (GCC picks one by CPU at load). */
#ifndef FT_NN_FAST_VECTOR_H
#define FT_NN_FAST_VECTOR_H

#include <string.h>

/* Sixteen channels: one AVX-512 register, two AVX2 ones (GCC splits the
 * vector in each clone). Values pass between functions by pointer only:
 * a 64-byte vector argument has no fixed ABI without AVX-512. */
typedef float v16 __attribute__((vector_size(64)));
#define LANES 16

#define LOAD(v, p) memcpy(&(v), (p), sizeof(v16))

/* Each "acc += in * w" one fused multiply-add where the CPU has them, as in
 * XNNPACK's kernels for that CPU. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define FMA_CLONES                                                                             \
    __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"),              \
                   optimize("fp-contract=fast")))
#else
#define FMA_CLONES
#endif

static inline __attribute__((always_inline)) void clamp_store(float *p, const v16 *v, float lo,
                                                              float hi)
{
    /* XNNPACK's clamp: a maximum, then a minimum (one instruction each) */
    v16 r = *v;
    for (int j = 0; j < LANES; j++)
        r[j] = r[j] > lo ? r[j] : lo;
    for (int j = 0; j < LANES; j++)
        r[j] = r[j] < hi ? r[j] : hi;
    memcpy(p, &r, sizeof r);
}

#endif
