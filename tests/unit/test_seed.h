/* The seed of a randomised test. Fixed by default, so that a run of the
 * suite is repeatable; FT_TEST_SEED=N replays seed N and FT_TEST_SEED=random
 * draws a new one from the clock, for exploring inputs beyond the fixed
 * ones. The seed is printed so that any failure can be replayed. */
#ifndef FT_TEST_SEED_H
#define FT_TEST_SEED_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FT_TEST_DEFAULT_SEED 20261207u

static inline unsigned ft_test_seed(void)
{
    const char *s = getenv("FT_TEST_SEED");
    unsigned chosen = FT_TEST_DEFAULT_SEED;
    if (s && strcmp(s, "random") == 0)
        chosen = (unsigned)time(NULL);
    else if (s && *s)
        chosen = (unsigned)strtoul(s, NULL, 10);
    printf("seed %u (FT_TEST_SEED=%u replays it)\n", chosen, chosen);
    return chosen;
}

#endif
