/* Members of an Emscripten packed-assets file, the way MediaPipe's npm
 * packages ship their models: NAME.data holds the members back to back and
 * NAME_loader.js, beside it, names them with byte ranges:
 * loadPackage({"files": [{"filename": "/dir/member", "start": S, "end": E},
 * ...], ...}). */
#ifndef FT_NN_PACKED_ASSETS_H
#define FT_NN_PACKED_ASSETS_H

#include <stddef.h>

#include "nn/model_file.h"

/* 1 when PATH names a packed-assets data file (ends in ".data"). */
int ft_packed_assets_is_data(const char *path);

/* Reads MEMBER (its file name, with or without the directory the loader
 * gives) from DATA_PATH. One line in ERR on failure. */
ft_status ft_packed_assets_read(const char *data_path, const char *member, ft_model_bytes *out,
                                char *err, size_t err_size);

#endif
