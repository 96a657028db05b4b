#include "facetrack.h"

const char *ft_status_str(ft_status status)
{
    switch (status) {
    case FT_OK: return "success";
    case FT_EOF: return "end of stream";
    case FT_ERR_INVALID_ARG: return "invalid argument";
    case FT_ERR_NOMEM: return "out of memory";
    case FT_ERR_NOT_FOUND: return "not found";
    case FT_ERR_IO: return "input/output error";
    case FT_ERR_FORMAT: return "invalid or unsupported data";
    case FT_ERR_TRUNCATED: return "truncated data";
    case FT_ERR_UNSUPPORTED: return "unsupported feature";
    case FT_ERR_INTERNAL: return "internal error";
    case FT_ERR_NO_DEVICE: return "no usable device";
    case FT_EAGAIN: return "try again";
    }
    return "unknown status";
}
