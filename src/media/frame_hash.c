#include <libavutil/md5.h>
#include <libavutil/mem.h>

#include "media/media_internal.h"

ft_status ft_frame_md5(const ft_frame *f, char hex[33])
{
    if (!f || !hex || (unsigned)f->format >= FT_PIXFMT_COUNT)
        return FT_ERR_INVALID_ARG;
    struct AVMD5 *md5 = av_md5_alloc();
    if (!md5)
        return FT_ERR_NOMEM;
    av_md5_init(md5);
    int elem[3], pw[3], ph[3];
    int n = ft_pixfmt_planes(f->format, f->width, f->height, elem, pw, ph);
    for (int p = 0; p < n; p++)
        for (int y = 0; y < ph[p]; y++)
            av_md5_update(md5, f->data[p] + (size_t)y * f->linesize[p], (size_t)pw[p] * elem[p]);
    uint8_t digest[16];
    av_md5_final(md5, digest);
    av_free(md5);
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 15];
    }
    hex[32] = '\0';
    return FT_OK;
}
