/* libcurl into an atomic file, hashing as the bytes arrive so the file is
 * read once. Only http and https are allowed, also on redirects, so a
 * mirror cannot send us to file:// or elsewhere. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <curl/curl.h>

#include "base/atomic_file.h"
#include "base/sha256.h"
#include "models/model_download.h"

#define CONNECT_TIMEOUT_S 20L
#define TOTAL_TIMEOUT_S 900L       /* the largest model is tens of MB */
#define STALL_BYTES_PER_S 1024L    /* slower than this ... */
#define STALL_TIME_S 60L           /* ... for this long aborts */
#define MAX_MODEL_BYTES ((curl_off_t)1 << 30)

typedef struct sink {
    FILE *fp;
    ft_sha256 *hash;
    const char *dest; /* for messages */
    curl_off_t size;
    int too_large;
    int write_errno; /* a local write failed */
} sink;

static size_t on_data(char *data, size_t one, size_t n, void *user)
{
    sink *s = user;
    size_t bytes = one * n;
    if (s->size + (curl_off_t)bytes > MAX_MODEL_BYTES) {
        s->too_large = 1;
        return 0; /* anything short of BYTES aborts the transfer */
    }
    if (fwrite(data, 1, bytes, s->fp) != bytes) {
        s->write_errno = errno ? errno : EIO;
        return 0;
    }
    ft_sha256_update(s->hash, data, bytes);
    s->size += (curl_off_t)bytes;
    return bytes;
}

/* mkdir -p of the folder holding PATH. */
static int make_parent_dirs(const char *path)
{
    char *dir = strdup(path);
    if (!dir)
        return ENOMEM;
    char *slash = strrchr(dir, '/');
    int e = 0;
    if (slash && slash != dir) {
        *slash = '\0';
        for (char *p = dir + 1; !e; p++) {
            if (*p != '/' && *p != '\0')
                continue;
            const char c = *p;
            *p = '\0';
            if (mkdir(dir, 0755) != 0 && errno != EEXIST)
                e = errno;
            *p = c;
            if (!c)
                break;
        }
    }
    free(dir);
    return e;
}

/* The status and message of a failed transfer. */
static ft_status transfer_error(CURL *curl, CURLcode rc, const sink *s, const char *url,
                                const char *curl_err, char *err, size_t err_size)
{
    long http = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &http);
    if (rc == CURLE_HTTP_RETURNED_ERROR) {
        snprintf(err, err_size, "%s: HTTP %ld", url, http);
        return http == 404 || http == 410 ? FT_ERR_NOT_FOUND : FT_ERR_IO;
    }
    if (rc == CURLE_WRITE_ERROR && s->too_large) {
        snprintf(err, err_size, "%s: larger than any model (over %lld bytes)", url,
                 (long long)MAX_MODEL_BYTES);
        return FT_ERR_FORMAT;
    }
    if (rc == CURLE_WRITE_ERROR && s->write_errno) {
        snprintf(err, err_size, "%s: write failed: %s", s->dest, strerror(s->write_errno));
        return FT_ERR_IO;
    }
    const char *why = curl_err[0] ? curl_err : curl_easy_strerror(rc);
    if (rc == CURLE_PARTIAL_FILE) {
        snprintf(err, err_size, "%s: download ended early after %lld bytes: %s", url,
                 (long long)s->size, why);
        return FT_ERR_TRUNCATED;
    }
    snprintf(err, err_size, "%s: download failed: %s", url, why);
    return rc == CURLE_OUT_OF_MEMORY ? FT_ERR_NOMEM : FT_ERR_IO;
}

/* Runs the transfer into S; FT_OK with S complete. */
static ft_status fetch(const char *url, sink *s, char *err, size_t err_size)
{
    CURL *curl = curl_easy_init();
    if (!curl) {
        snprintf(err, err_size, "%s: cannot start a download (libcurl)", url);
        return FT_ERR_INTERNAL;
    }
    char curl_err[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, TOTAL_TIMEOUT_S);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, STALL_BYTES_PER_S);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, STALL_TIME_S);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L); /* no SIGALRM in a threaded program */
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "facetrack/" FT_VERSION_STRING);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_err);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, s);
    CURLcode rc = curl_easy_perform(curl);
    ft_status st = rc == CURLE_OK ? FT_OK
                                  : transfer_error(curl, rc, s, url, curl_err, err, err_size);
    curl_easy_cleanup(curl);
    return st;
}

ft_status ft_model_download(const char *url, const char *sha256_hex, const char *dest_path,
                            char *err, size_t err_size)
{
    if (!url || !*url || !dest_path || !*dest_path) {
        snprintf(err, err_size, "(download): no URL or destination given");
        return FT_ERR_INVALID_ARG;
    }
    if (!ft_sha256_valid_hex(sha256_hex)) {
        snprintf(err, err_size, "%s: the pinned SHA-256 is not 64 hex digits", url);
        return FT_ERR_INVALID_ARG;
    }
    char have[FT_SHA256_HEX_SIZE], ignored[256];
    if (ft_sha256_file(dest_path, have, ignored, sizeof ignored) == FT_OK &&
        ft_sha256_equal(have, sha256_hex))
        return FT_OK;

    int e = make_parent_dirs(dest_path);
    if (e) {
        snprintf(err, err_size, "%s: cannot create its folder: %s", dest_path, strerror(e));
        return FT_ERR_IO;
    }
    ft_atomic_file out;
    ft_status st = ft_atomic_file_open(&out, dest_path, err, err_size);
    if (st != FT_OK)
        return st;
    sink s = {.fp = out.fp, .hash = ft_sha256_new(), .dest = dest_path};
    if (!s.hash) {
        ft_atomic_file_abort(&out);
        snprintf(err, err_size, "%s: out of memory", url);
        return FT_ERR_NOMEM;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(err, err_size, "%s: cannot start a download (libcurl)", url);
        st = FT_ERR_INTERNAL;
    } else {
        st = fetch(url, &s, err, err_size);
        curl_global_cleanup();
    }
    char got[FT_SHA256_HEX_SIZE];
    ft_sha256_final(s.hash, got);
    ft_sha256_free(s.hash);
    if (st == FT_OK && !ft_sha256_equal(got, sha256_hex)) {
        snprintf(err, err_size, "%s: SHA-256 %s differs from the pinned %s; not installed", url,
                 got, sha256_hex);
        st = FT_ERR_FORMAT;
    }
    if (st != FT_OK) {
        ft_atomic_file_abort(&out);
        return st;
    }
    return ft_atomic_file_commit(&out, err, err_size);
}
