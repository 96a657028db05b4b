/* A video's frame count from its container's header (see frame_estimate.h). */
#include "media/frame_estimate.h"

#include <libavformat/avformat.h>

int64_t ft_media_frame_estimate(const char *path)
{
    AVFormatContext *fmt = NULL;
    if (avformat_open_input(&fmt, path, NULL, NULL) < 0)
        return 0;
    int64_t frames = 0;
    const AVStream *best = NULL;
    for (unsigned i = 0; i < fmt->nb_streams && !best; i++)
        if (fmt->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
            !(fmt->streams[i]->disposition & AV_DISPOSITION_ATTACHED_PIC))
            best = fmt->streams[i];
    if (best) {
        AVRational rate = best->avg_frame_rate.num > 0 ? best->avg_frame_rate : best->r_frame_rate;
        double seconds = best->duration > 0 ? (double)best->duration * av_q2d(best->time_base)
                         : fmt->duration > 0 ? (double)fmt->duration / AV_TIME_BASE
                                             : 0;
        if (best->nb_frames > 0)
            frames = best->nb_frames;
        else if (seconds > 0 && rate.num > 0 && rate.den > 0)
            frames = (int64_t)(seconds * av_q2d(rate) + 0.5);
    }
    avformat_close_input(&fmt);
    return frames;
}
