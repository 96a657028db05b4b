/* A bounds-checked reader of FlexBuffers, the schemaless format of TFLite
 * custom-op options. Just what op options need: look a key up in the root
 * map, read it as a number or as a vector of numbers. Every offset is checked
 * against the buffer; a malformed buffer reads as "absent or bad", never out
 * of bounds. */
#ifndef FT_NN_FLEXBUFFER_H
#define FT_NN_FLEXBUFFER_H

#include <stddef.h>
#include <stdint.h>

/* A value: where its slot is, the slot's width and the value's packed type. */
typedef struct ft_flex_ref {
    const uint8_t *buf;
    size_t size;
    size_t pos;
    int parent_width; /* bytes of the slot at pos */
    int type;         /* FlexBuffers type code */
    int width;        /* bytes of the child, for offset types */
} ft_flex_ref;

/* The value of KEY in the root map of BUF. 1 found, 0 absent, -1 malformed
 * (not a map, or an offset out of bounds). */
int ft_flex_map_find(const uint8_t *buf, size_t size, const char *key, ft_flex_ref *out);

/* A scalar (int, uint, bool, float, or an indirect one) as a number; 0 when
 * the value is not a number or is malformed. */
int ft_flex_number(const ft_flex_ref *ref, double *out);

/* Length of a vector value (typed, fixed-length or untyped); -1 when the
 * value is not a vector or is malformed. */
int64_t ft_flex_vector_length(const ft_flex_ref *ref);
/* Element I of a vector as a number; 0 when out of range or malformed. */
int ft_flex_vector_number(const ft_flex_ref *ref, int64_t i, double *out);

#endif
