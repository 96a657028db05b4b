/* What a TFLite file's metadata says about running it: the input
 * normalisation and the label file of its outputs. TensorFlow Lite
 * Support's metadata (tensorflow/lite/schema/metadata_schema.fbs) is a
 * flatbuffer ("M001") in the buffer named by the model's "TFLITE_METADATA"
 * entry; the files it names (labels) sit in a zip appended to the model,
 * which is how MediaPipe's and TFLite Model Maker's files carry them. */
#ifndef FT_NN_TFLITE_METADATA_H
#define FT_NN_TFLITE_METADATA_H

#include <stddef.h>
#include <stdint.h>

#include "facetrack.h"

#define FT_TFLITE_MAX_LABELS 4096

typedef struct ft_tflite_metadata {
    int has_metadata;       /* a TFLITE_METADATA buffer was found */
    int norm_count;         /* 0 (none), 1 (every channel) or one per channel */
    float mean[4], std[4];  /* the first input's NormalizationOptions */
    char label_file[256];   /* an output's TENSOR_VALUE_LABELS file; "" when none */
    char **labels;          /* its lines, read from the appended zip */
    int label_count;
} ft_tflite_metadata;

/* Reads the metadata of the TFLite file DATA (NAME names it in ERR, one
 * line). A file without metadata gives has_metadata 0 and FT_OK; metadata
 * that is malformed, or a label file it names that the appended zip does
 * not hold, is an error. */
ft_status ft_tflite_metadata_read(const uint8_t *data, size_t size, const char *name,
                                  ft_tflite_metadata *out, char *err, size_t err_size);
void ft_tflite_metadata_free(ft_tflite_metadata *m);

#endif
