/* The original STEP3's settings (run_transnet.py): its internal defaults,
 * then its JSON file (`--config FILE`, else config/step3_transnet.json),
 * then its command line, each over the one before.
 *
 * What facetrack does with them: threshold is TransNetV2's probability
 * threshold; ffmpeg_threads the decoder's threads (0: automatic);
 * num_workers the videos done at a time. window, stride and padding must be
 * the network's own (100, 50, 25: the windows its weights were trained and
 * run on). device auto and cpu run on the CPU; cuda too, with a warning
 * (facetrack runs TransNetV2 on the CPU only). mixed_precision, amp_dtype,
 * batch_size, torchscript, warmup, warmup_batches and
 * torchscript_auto_fallback tuned PyTorch: accepted, and without effect. */
#ifndef FT_SCENES_STEP3_CONFIG_H
#define FT_SCENES_STEP3_CONFIG_H

#include <stddef.h>

#include "facetrack.h"

/* Which settings were given (by the file or the command line). */
enum {
    FT_STEP3_GIVEN_THRESHOLD = 1u << 0,
    FT_STEP3_GIVEN_FFMPEG_THREADS = 1u << 1,
    FT_STEP3_GIVEN_NUM_WORKERS = 1u << 2,
};

typedef struct ft_step3_config {
    double threshold;          /* 0.5 */
    int window, stride, padding; /* 100, 50, 25 */
    char device[8];            /* "auto", "cpu" or "cuda" */
    int ffmpeg_threads;        /* 0 */
    int mixed_precision;       /* 0 */
    char amp_dtype[16];        /* "float16" or "bfloat16" */
    int num_workers;           /* 1 */
    int batch_size;            /* 16 */
    int torchscript;           /* 0 */
    int warmup;                /* 1 */
    int warmup_batches;        /* 1 */
    int torchscript_auto_fallback; /* 1 */
    unsigned given;            /* FT_STEP3_GIVEN_* */
} ft_step3_config;

/* The original's internal defaults. */
void ft_step3_config_init(ft_step3_config *c);

/* Is NAME one of the original's settings (its JSON key, or its option with
 * '_' or '-': "num_workers", "num-workers")? Its JSON key into KEY. */
int ft_step3_config_key(const char *name, char *key, size_t key_size);

/* Does the original's option NAME take no value (store_true)? */
int ft_step3_config_is_flag(const char *key);

/* One setting from the command line: TEXT (NULL for a flag) must be a valid
 * value, else FT_ERR_INVALID_ARG and ERR says why ("--window: ..."). */
ft_status ft_step3_config_set(ft_step3_config *c, const char *key, const char *text, char *err,
                              size_t err_size);

/* The JSON file's settings over C, read as the original's Python read them
 * (float("0.4"), int(2.0), bool(1)). A value that is wrong or that facetrack
 * cannot honour, and a key the original did not know, is a warning (one line
 * naming the file, the key and the reason) and leaves that setting as it
 * was; null leaves it too, as in the original. FT_ERR_FORMAT when the file
 * is not a JSON object (ERR names it and says why); C is then unchanged. */
ft_status ft_step3_config_read_json(ft_step3_config *c, const char *path, const char *data,
                                    size_t size, char *err, size_t err_size);

/* The original's CONFIG_EFFECTIVE line, after "CONFIG_EFFECTIVE: ":
 * "threshold=0.5, window=100, ..., torchscript_auto_fallback=True". */
void ft_step3_config_describe(const ft_step3_config *c, char *out, size_t size);

/* The settings that have no effect here, with their values, for one note:
 * "mixed_precision=False, amp_dtype=float16, batch_size=16, ...". */
void ft_step3_config_describe_noops(const ft_step3_config *c, char *out, size_t size);

#endif
