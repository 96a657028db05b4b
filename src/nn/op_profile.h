/* Where a CPU plan's time goes, op by op: with FACETRACK_NN_PROFILE=1 the
 * reference and xnnpack rows time every step they run and print, when the
 * plan is freed, the costliest steps and each op type's share to stderr. The
 * xnnpack row then compiles one runtime per op so that each is timed alone:
 * XNNPACK's own fusions across ops (a clamp into its convolution) are lost
 * and every activation gets a buffer of its own (more cache misses), so the
 * total is above a normal run's. FACETRACK_NN_PROFILE=steps keeps the plan
 * as it is and times its steps: XNNPACK segments and the ops between them;
 * FACETRACK_NN_PROFILE=all lists every op in graph order with its inputs. */
#ifndef FT_NN_OP_PROFILE_H
#define FT_NN_OP_PROFILE_H

#include <stdint.h>

#include "nn/graph.h"

typedef struct ft_nn_profile ft_nn_profile;

/* 1 when FACETRACK_NN_PROFILE is set to anything but "0" (read once). */
int ft_nn_profile_enabled(void);

/* 1 when profiled xnnpack plans give every op a runtime of its own. */
int ft_nn_profile_split_ops(void);

/* A profile of GRAPH's ops on BACKEND; NULL when profiling is off or memory
 * is short (profiling is then silently skipped). */
ft_nn_profile *ft_nn_profile_create(const ft_nn_graph *graph, const char *backend);

/* Monotonic nanoseconds. */
uint64_t ft_nn_profile_now(void);

/* NS spent on ops [FIRST, LAST) on KERNELS: 0 the reference kernels, 1 the
 * backend's kernel library, 2 our fast kernels (nn/fast_kernels.h). */
void ft_nn_profile_add(ft_nn_profile *profile, int first, int last, int kernels, uint64_t ns);

/* One whole run of the plan ended. */
void ft_nn_profile_run_done(ft_nn_profile *profile);

/* Prints the report (when any run was timed) and frees PROFILE. */
void ft_nn_profile_finish(ft_nn_profile *profile);

#endif
