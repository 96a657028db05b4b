/* Elapsed time for rates, intervals and timeouts: the monotonic clock, which
 * wall-clock changes do not move. Not for dates (those are time(2)). */
#ifndef FT_BASE_CLOCK_H
#define FT_BASE_CLOCK_H

#include <time.h>

/* Seconds since an arbitrary fixed point. */
static inline double ft_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The same in milliseconds. */
static inline double ft_now_ms(void)
{
    return ft_now_s() * 1e3;
}

/* Seconds of CPU the calling thread has used (diagnostics: against the
 * wall clock, how much of a wait was spent spinning or computing). */
static inline double ft_thread_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CLOCK_REALTIME + MS: the deadline pthread_cond_timedwait() takes. */
static inline struct timespec ft_deadline_after_ms(long ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    return until;
}

#endif
