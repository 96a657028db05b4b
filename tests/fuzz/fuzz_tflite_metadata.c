/* libFuzzer target: any bytes given to the TFLite metadata reader (the
 * metadata flatbuffer, the zip appended to the model, its label file) end
 * in metadata or a one-line error, never a crash, a leak or undefined
 * behaviour. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "nn/tflite_metadata.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ft_tflite_metadata meta;
    char err[512];
    if (ft_tflite_metadata_read(data, size, "fuzz.tflite", &meta, err, sizeof err) == FT_OK) {
        for (int i = 0; i < meta.label_count; i++)
            if (!meta.labels[i])
                __builtin_trap();
        ft_tflite_metadata_free(&meta);
    } else if (strchr(err, '\n') || err[0] == '\0') {
        __builtin_trap(); /* an error is one line */
    }
    return 0;
}
