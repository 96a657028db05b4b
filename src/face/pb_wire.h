/* A bounds-checked reader of the protobuf binary wire format, for the few
 * small protobuf files MediaPipe ships (no generated code, no library).
 * Every length is checked against the bytes left; on the first problem the
 * reader keeps a one-phrase reason in ERROR and every later call fails. */
#ifndef FT_FACE_PB_WIRE_H
#define FT_FACE_PB_WIRE_H

#include <stddef.h>
#include <stdint.h>

enum { FT_PB_VARINT = 0, FT_PB_I64 = 1, FT_PB_LEN = 2, FT_PB_I32 = 5 };

typedef struct ft_pb {
    const uint8_t *p, *end;
    const char *error; /* NULL while all is well */
} ft_pb;

void ft_pb_init(ft_pb *r, const void *data, size_t size);

/* The next field's number and wire type: 1; 0 at the end; -1 on error. */
int ft_pb_next(ft_pb *r, uint32_t *field, int *wire);

/* Values of the field just announced by ft_pb_next; 0 on success, -1 on
 * error (a wrong wire type is an error too). */
int ft_pb_varint(ft_pb *r, int wire, uint64_t *v);
int ft_pb_float(ft_pb *r, int wire, float *v);
/* A length-delimited field as a reader of its own bytes. */
int ft_pb_sub(ft_pb *r, int wire, ft_pb *sub);
/* Skips a field of any wire type but the deprecated groups. */
int ft_pb_skip(ft_pb *r, int wire);

/* A repeated scalar field, packed or not: calls ADD for each value of this
 * occurrence (one value unpacked, a run of them packed). ADD returns 0 to
 * go on, -1 to stop with an error already set on R. */
int ft_pb_repeated_float(ft_pb *r, int wire, int (*add)(void *ctx, ft_pb *r, float v), void *ctx);
int ft_pb_repeated_varint(ft_pb *r, int wire, int (*add)(void *ctx, ft_pb *r, uint64_t v),
                          void *ctx);

/* Sets R's error (the first one stays) and returns -1. */
int ft_pb_fail(ft_pb *r, const char *reason);

#endif
