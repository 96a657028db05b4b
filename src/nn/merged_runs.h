/* Runs of one model on one GPU, asked for by many threads at once (a
 * worker per video, each with a few faces), gathered into one run: a GPU
 * gives several times the faces per second at batch 48 that it gives at
 * batch 3, and the kernels of sixteen small runs queue behind each other.
 *
 * One run is under way at a time. The requests that arrive meanwhile
 * gather into the next, which starts as soon as the one before it ends
 * (at once when the device is idle) with as many items as gathered,
 * rounded up to the next power of two (a plan per size; the places past the
 * last item hold finite leftovers and are not read). Each requester copies
 * its own items in and its results out, so those copies run on the
 * requesters' threads at once, and the gathering's copies overlap the run.
 *
 * An item's numbers do not depend on the other items of its run, but may
 * in the last bits on the run's size (the device's matrix products choose
 * their method by shape): merged runs agree with runs alone within the
 * kernels' tolerance, not to the bit. */
#ifndef FT_NN_MERGED_RUNS_H
#define FT_NN_MERGED_RUNS_H

#include <stddef.h>

#include "nn/backend.h"
#include "nn/graph.h"

typedef struct ft_nn_merger ft_nn_merger;

/* The process's merger of GRAPH on BACKEND's DEVICE (fp16 storage when
 * HALF; CODES as nn/session.h's options take them, NULL: floats) with runs
 * of at most MAX_ITEMS items (fewer where their inputs would take more
 * than 256 MB of host memory a runner), made by the first caller
 * (ERR names the model when that fails). Its plans are made as run sizes
 * first occur; a size that does not fit in the device's memory cap lowers
 * the most a run takes. Shared; each acquire is matched by a release. */
ft_status ft_nn_merger_acquire(const ft_nn_graph *graph, const ft_nn_backend_def *backend,
                               int device, int half, const ft_nn_input_codes *codes,
                               int max_items, ft_nn_merger **out, char *err, size_t err_size);
void ft_nn_merger_release(ft_nn_merger *merger);

/* Runs N items: INPUTS[i] holds N items of the graph's input i one after
 * the other, OUTPUTS[i] receives N items of output i. Blocks until they
 * have run; more than a run takes go in several turns. ERR gets the line of
 * a failed run. */
ft_status ft_nn_merger_run(ft_nn_merger *merger, int n, const void *const *inputs,
                           void *const *outputs, char *err, size_t err_size);

#endif
