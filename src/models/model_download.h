/* Downloads a model file over HTTP(S) and installs it only when its SHA-256
 * is the pinned one. */
#ifndef FT_MODELS_MODEL_DOWNLOAD_H
#define FT_MODELS_MODEL_DOWNLOAD_H

#include <stddef.h>

#include "facetrack.h"

/* Fetches URL (redirects followed, connect and overall timeouts) into a
 * temporary file beside DEST_PATH, creating DEST_PATH's folder if needed, and
 * renames it to DEST_PATH only when its SHA-256 equals SHA256_HEX; otherwise
 * the temporary file is removed and DEST_PATH is left as it was. When
 * DEST_PATH already holds bytes with that SHA-256 nothing is fetched.
 * Statuses: FT_ERR_NOT_FOUND (HTTP 404/410), FT_ERR_TRUNCATED (the body ended
 * early), FT_ERR_FORMAT (SHA-256 mismatch), FT_ERR_IO (network, other HTTP
 * errors, local files), FT_ERR_INVALID_ARG (no URL, a malformed pin). ERR
 * gets one line naming the URL (or local file) and the reason; on a mismatch
 * both hashes. */
ft_status ft_model_download(const char *url, const char *sha256_hex, const char *dest_path,
                            char *err, size_t err_size);

#endif
