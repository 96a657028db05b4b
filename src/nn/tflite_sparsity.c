/* Field numbers from tensorflow/lite/schema/schema.fbs: SparsityParameters
 * {traversal_order, block_map, dim_metadata}; DimensionMetadata {format,
 * dense_size, array_segments (union: type, value), array_indices (same)};
 * the union's tables hold one "values" vector of int32, uint16 or uint8. */
#include "nn/tflite_sparsity.h"

enum { SIV_INT32 = 1, SIV_UINT16 = 2, SIV_UINT8 = 3 };

static int read_index_vector(ft_fb *fb, size_t dm, int type_field, ft_sparse_vec *v)
{
    const int type = (int)ft_fb_int(fb, dm, type_field, 1, 0, 0);
    const int width = type == SIV_INT32 ? 4 : type == SIV_UINT16 ? 2 : type == SIV_UINT8 ? 1 : 0;
    size_t t = ft_fb_table(fb, dm, type_field + 1);
    if (!width || !t)
        return 0;
    ft_fb_vec values = ft_fb_vector(fb, t, 0, (size_t)width);
    if (fb->bad || (values.count && !values.pos))
        return 0;
    v->data = fb->buf + values.pos;
    v->count = values.count;
    v->width = width;
    /* int32 indices are read as unsigned: a negative one becomes huge and
     * fails the range checks. */
    return 1;
}

const char *ft_tflite_read_sparsity(ft_fb *fb, size_t s, int rank, ft_sparsity *sp)
{
    ft_fb_vec order = ft_fb_vector(fb, s, 0, 4);
    ft_fb_vec blocks = ft_fb_vector(fb, s, 1, 4);
    ft_fb_vec dims = ft_fb_vector(fb, s, 2, 4);
    if (fb->bad || order.count < (uint32_t)rank || order.count > FT_SPARSE_MAX_LEVELS ||
        dims.count != order.count || blocks.count != order.count - (uint32_t)rank)
        return "sparsity parameters do not fit the tensor's rank";
    sp->levels = (int)order.count;
    for (uint32_t i = 0; i < order.count; i++)
        sp->traversal_order[i] = ft_fb_vec_i32(fb, order, i);
    for (uint32_t i = 0; i < blocks.count; i++)
        sp->block_map[i] = ft_fb_vec_i32(fb, blocks, i);
    for (uint32_t i = 0; i < dims.count; i++) {
        size_t dm = ft_fb_vec_table(fb, dims, i);
        ft_sparse_level *lv = &sp->level[i];
        if (!dm)
            return "sparsity dimension metadata missing";
        lv->sparse = (int)ft_fb_int(fb, dm, 0, 1, 0, 0);
        lv->dense_size = ft_fb_int(fb, dm, 1, 4, 1, 0);
        if (lv->sparse != 0 && lv->sparse != 1)
            return "unknown sparse dimension format";
        if (lv->sparse && (!read_index_vector(fb, dm, 2, &lv->segments) ||
                           !read_index_vector(fb, dm, 4, &lv->indices)))
            return "sparse dimension without segments or indices";
    }
    return fb->bad ? "sparsity parameters out of bounds" : NULL;
}
