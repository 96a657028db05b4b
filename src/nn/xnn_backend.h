/* The fast CPU backend: runs of consecutive ops that XNNPACK supports become
 * one XNNPACK runtime each; the runner runs the other ops on the reference
 * kernels in between. */
#ifndef FT_NN_XNN_BACKEND_H
#define FT_NN_XNN_BACKEND_H

#include <pthreadpool.h>

#include "nn/backend.h"
#include "nn/graph.h"

typedef struct ft_xnn_segment ft_xnn_segment;

/* The ops XNNPACK runs and the conditions on them; the others fall back.
 * The backend row's support check and the differential test read it. */
#define FT_XNN_OP_TABLE_COUNT 29
extern const ft_nn_op_support ft_xnn_op_table[FT_XNN_OP_TABLE_COUNT];

/* Initialises XNNPACK once per process; FT_ERR_NO_DEVICE on a CPU it
 * cannot use. */
ft_status ft_xnn_init(void);

/* Compiles ops [FIRST, LAST) into one runtime bound to BUFFERS (one per
 * graph tensor; activation buffers need 16 readable bytes of slack).
 * CONSUMED_OUTSIDE[t] says tensor t is read after the segment. */
ft_status ft_xnn_segment_create(const ft_nn_graph *graph, int first, int last, void *const *buffers,
                                const char *consumed_outside, pthreadpool_t pool,
                                ft_xnn_segment **out, char *err, size_t err_size);
ft_status ft_xnn_segment_run(ft_xnn_segment *segment);
/* BUFFERS (one per graph tensor) replace those given at create; sets the
 * runtime up again only when one the segment reads or writes changed. */
ft_status ft_xnn_segment_rebind(ft_xnn_segment *segment, void *const *buffers);
void ft_xnn_segment_free(ft_xnn_segment *segment);

#endif
