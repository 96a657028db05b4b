/* The table of backends built into the library. */
#include <string.h>

#include "nn/backend.h"

static const ft_nn_backend_def *const rows[] = {
    &ft_nn_backend_reference,
    &ft_nn_backend_xnnpack,
#ifdef FT_HAVE_CUDA
    &ft_nn_backend_cuda,
#endif
};

#define ROW_COUNT ((int)(sizeof rows / sizeof *rows))

const ft_nn_backend_def *ft_nn_backend_find(const char *name)
{
    for (int i = 0; name && i < ROW_COUNT; i++)
        if (strcmp(rows[i]->name, name) == 0)
            return rows[i];
    return NULL;
}

int ft_nn_backend_count(void)
{
    return ROW_COUNT;
}

const ft_nn_backend_def *ft_nn_backend_at(int index)
{
    return index >= 0 && index < ROW_COUNT ? rows[index] : NULL;
}

int ft_nn_backend_supports(const ft_nn_backend_def *b, const ft_nn_graph *g, const ft_nn_op *op)
{
    for (int i = 0; i < b->op_table_count; i++)
        if (b->op_table[i].type == op->type)
            return !b->op_table[i].accepts || b->op_table[i].accepts(g, op);
    return 0;
}

const char *ft_nn_op_label(const ft_nn_op *op)
{
    return op->type == FT_OP_CUSTOM && op->attrs.custom_name ? op->attrs.custom_name
                                                             : ft_op_name(op->type);
}
