/* Monotonic time for measuring durations. */
#ifndef FT_BASE_CLOCK_H
#define FT_BASE_CLOCK_H

#include <time.h>

static inline double ft_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline double ft_now_ms(void)
{
    return ft_now_s() * 1e3;
}

#endif
