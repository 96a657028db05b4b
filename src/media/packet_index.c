/* A demux-only pass over one stream: decode order, timestamps and key flags
 * of every packet. Seeking uses it to turn a frame index into a timestamp and
 * to pick the key frame that decoding must start from. */
#include <stdlib.h>
#include <string.h>

#include <libavformat/avformat.h>

#include "media/media_internal.h"

static int compare_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static ft_status append(ft_packet_index *index, int64_t *capacity, const AVPacket *pkt)
{
    if (index->packet_count == *capacity) {
        int64_t grown = *capacity ? *capacity * 2 : 1024;
        ft_packet_entry *p = realloc(index->packets, (size_t)grown * sizeof *p);
        if (!p)
            return FT_ERR_NOMEM;
        index->packets = p;
        *capacity = grown;
    }
    index->packets[index->packet_count++] = (ft_packet_entry){
        .pts = pkt->pts, .dts = pkt->dts, .key = !!(pkt->flags & AV_PKT_FLAG_KEY)};
    return FT_OK;
}

/* Presentation order = sorted PTS. Usable for seeking only when every packet
 * has a distinct PTS and decoding starts on a key frame; otherwise a seek
 * decodes from the start, which is slow but always exact. */
static ft_status build_frame_table(ft_packet_index *index)
{
    int64_t n = index->packet_count;
    index->frame_pts = malloc((size_t)(n ? n : 1) * sizeof *index->frame_pts);
    if (!index->frame_pts)
        return FT_ERR_NOMEM;
    int usable = n > 0 && index->packets[0].key;
    for (int64_t i = 0; i < n; i++) {
        index->frame_pts[i] = index->packets[i].pts;
        if (index->packets[i].pts == AV_NOPTS_VALUE)
            usable = 0;
    }
    qsort(index->frame_pts, (size_t)n, sizeof *index->frame_pts, compare_i64);
    for (int64_t i = 1; i < n && usable; i++)
        if (index->frame_pts[i] == index->frame_pts[i - 1])
            usable = 0;
    index->frame_count = n;
    index->pts_usable = usable;
    return FT_OK;
}

ft_status ft_packet_index_build(const char *path, int stream_index, ft_packet_index *index,
                                char *err, size_t err_size)
{
    memset(index, 0, sizeof *index);
    AVFormatContext *fmt = NULL;
    AVPacket *pkt = av_packet_alloc();
    int64_t capacity = 0;
    ft_status st = FT_OK;
    int ret;
    if (!pkt)
        return FT_ERR_NOMEM;
    if ((ret = avformat_open_input(&fmt, path, NULL, NULL)) < 0 ||
        (ret = avformat_find_stream_info(fmt, NULL)) < 0) {
        char reason[256];
        ft_av_reason(ret, reason, sizeof reason);
        snprintf(err, err_size, "%s: cannot index: %s", path, reason);
        st = FT_ERR_FORMAT;
        goto done;
    }
    if (stream_index < 0 || (unsigned)stream_index >= fmt->nb_streams) {
        st = FT_ERR_INVALID_ARG;
        goto done;
    }
    for (unsigned i = 0; i < fmt->nb_streams; i++)
        fmt->streams[i]->discard = (int)i == stream_index ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
    while ((ret = av_read_frame(fmt, pkt)) >= 0) {
        if (pkt->stream_index == stream_index && !(pkt->flags & AV_PKT_FLAG_DISCARD))
            st = append(index, &capacity, pkt);
        av_packet_unref(pkt);
        if (st != FT_OK)
            goto done;
    }
    if (ret != AVERROR_EOF) {
        char reason[256];
        ft_av_reason(ret, reason, sizeof reason);
        snprintf(err, err_size, "%s: read error while indexing: %s", path, reason);
        st = FT_ERR_TRUNCATED;
        goto done;
    }
    st = build_frame_table(index);
done:
    av_packet_free(&pkt);
    avformat_close_input(&fmt);
    if (st != FT_OK)
        ft_packet_index_free(index);
    return st;
}

void ft_packet_index_free(ft_packet_index *index)
{
    free(index->packets);
    free(index->frame_pts);
    memset(index, 0, sizeof *index);
}

int64_t ft_packet_index_find_pts(const ft_packet_index *index, int64_t pts)
{
    const int64_t *hit = bsearch(&pts, index->frame_pts, (size_t)index->frame_count,
                                 sizeof pts, compare_i64);
    return hit ? hit - index->frame_pts : -1;
}

int64_t ft_packet_index_key_before(const ft_packet_index *index, int64_t pts)
{
    int64_t best = -1;
    for (int64_t i = 0; i < index->packet_count; i++)
        if (index->packets[i].key && index->packets[i].pts <= pts)
            best = i;
    return best;
}

ft_status ft_packet_index_key_frames(const ft_packet_index *index, int64_t **out, int64_t *count)
{
    *out = NULL;
    *count = 0;
    if (!index->pts_usable)
        return FT_OK; /* no seekable key frames: decoding always starts at 0 */
    int64_t *keys = malloc((size_t)(index->packet_count + 1) * sizeof *keys);
    if (!keys)
        return FT_ERR_NOMEM;
    int64_t n = 0;
    for (int64_t i = 0; i < index->packet_count; i++) {
        if (!index->packets[i].key)
            continue;
        const int64_t frame = ft_packet_index_find_pts(index, index->packets[i].pts);
        if (frame >= 0)
            keys[n++] = frame;
    }
    qsort(keys, (size_t)n, sizeof *keys, compare_i64);
    *out = keys;
    *count = n;
    return FT_OK;
}
