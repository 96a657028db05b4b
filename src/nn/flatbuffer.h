/* A bounds-checked reader of FlatBuffers (the TFLite file format). Every
 * offset is checked against the buffer before it is followed; a bad one
 * makes the accessor return "absent" and sets fb->bad, so a loader can read
 * a whole table and check once. Tables are addressed by their byte position. */
#ifndef FT_NN_FLATBUFFER_H
#define FT_NN_FLATBUFFER_H

#include <stddef.h>
#include <stdint.h>

typedef struct ft_fb {
    const uint8_t *buf;
    size_t size;
    int bad; /* an offset pointed outside the buffer, or a value was malformed */
} ft_fb;

/* A vector: COUNT elements starting at byte POS (0 when absent). */
typedef struct ft_fb_vec {
    size_t pos;
    uint32_t count;
} ft_fb_vec;

/* The root table's position; 0 (and bad) when the buffer is too small. */
size_t ft_fb_root(ft_fb *fb);

/* Byte position of field FIELD's value in table T; 0 when absent. */
size_t ft_fb_field(ft_fb *fb, size_t t, int field);
/* Fields of table T by field id; DEF when absent. */
int64_t ft_fb_int(ft_fb *fb, size_t t, int field, int bytes, int is_signed, int64_t def);
float ft_fb_float(ft_fb *fb, size_t t, int field, float def);
/* A sub-table; 0 when absent. */
size_t ft_fb_table(ft_fb *fb, size_t t, int field);
/* A vector of ELEM_SIZE-byte elements; {0,0} when absent. */
ft_fb_vec ft_fb_vector(ft_fb *fb, size_t t, int field, size_t elem_size);
/* A string: pointer into the buffer and its length; NULL when absent. */
const char *ft_fb_string(ft_fb *fb, size_t t, int field, uint32_t *len);

/* Element I of a vector of tables; 0 when out of range. */
size_t ft_fb_vec_table(ft_fb *fb, ft_fb_vec v, uint32_t i);
/* Element I of a vector of 32-bit integers. */
int32_t ft_fb_vec_i32(ft_fb *fb, ft_fb_vec v, uint32_t i);

#endif
