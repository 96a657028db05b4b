/* Runs of one model on one GPU, asked for by many threads at once (a
 * worker per video, each with a few faces), merged into runs of a fixed
 * batch: a GPU gives several times the faces per second at batch 32 that it
 * gives at batch 3, and a worker alone loses nothing but the padding.
 *
 * Every merged run has the same batch size, whatever the number of items
 * waiting, so an item's numbers do not depend on which other items shared
 * its run or where in the run it sat: outputs are the same however many
 * videos run at once. A thread that finds the GPU free runs at once; while
 * runs are under way, the requests that arrive queue and the first of them
 * leads the next run with as many as fit (first come, first served). */
#ifndef FT_NN_MERGED_RUNS_H
#define FT_NN_MERGED_RUNS_H

#include <stddef.h>

#include "nn/backend.h"
#include "nn/graph.h"

typedef struct ft_nn_merger ft_nn_merger;

/* The process's merger of GRAPH on BACKEND's DEVICE (fp16 storage when
 * HALF) with runs of BATCH items, made by the first caller (its sessions
 * planned then: FT_ERR_NOMEM and friends when BATCH does not fit, with ERR
 * naming the model). Shared; each acquire is matched by a release. */
ft_status ft_nn_merger_acquire(const ft_nn_graph *graph, const ft_nn_backend_def *backend,
                               int device, int half, int batch, ft_nn_merger **out, char *err,
                               size_t err_size);
void ft_nn_merger_release(ft_nn_merger *merger);

/* Runs N items: INPUTS[i] holds N items of the graph's input i one after
 * the other, OUTPUTS[i] receives N items of output i. Blocks until they
 * have run; more than the batch run in several turns. ERR gets the line of
 * a failed run. */
ft_status ft_nn_merger_run(ft_nn_merger *merger, int n, const void *const *inputs,
                           void *const *outputs, char *err, size_t err_size);

#endif
