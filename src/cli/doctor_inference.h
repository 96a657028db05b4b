/* facetrack doctor's inference check: one small model run on the CPU rows
 * and on each GPU from the same fixed input, every output compared with
 * the reference row's (the plain C kernels, the truth the tests use). */
#ifndef FT_CLI_DOCTOR_INFERENCE_H
#define FT_CLI_DOCTOR_INFERENCE_H

#include <stddef.h>

#include "nn/backend.h"

/* The cuda tests' bound: each output within 1e-4 of its largest magnitude. */
#define FT_DOCTOR_REL_TOL 1e-4

typedef struct ft_doctor_run {
    const char *backend; /* the row's name */
    int device;          /* the GPU for cuda, else -1 */
    int ran;             /* 0: see error */
    int within;          /* max_rel_diff <= FT_DOCTOR_REL_TOL */
    double median_ms;    /* one run, inputs and outputs copied included */
    double max_rel_diff; /* against the reference; 0 for the reference */
    int native_ops, op_count;
    char error[512];
} ft_doctor_run;

typedef struct ft_doctor_inference ft_doctor_inference;

/* Loads model SPEC and runs it on the reference row (its timing in REF).
 * NULL on failure, with one line in ERR. */
ft_doctor_inference *ft_doctor_inference_open(const char *spec, ft_doctor_run *ref, char *err,
                                              size_t err_size);
/* Runs the model on ROW (for cuda, on GPU DEVICE, made current for this
 * thread) and compares it with the reference. */
void ft_doctor_inference_run(ft_doctor_inference *inf, const ft_nn_backend_def *row, int device,
                             ft_doctor_run *out);
void ft_doctor_inference_free(ft_doctor_inference *inf);

#endif
