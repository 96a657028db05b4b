/* The original STEP4 audio analysis (`<stem>_audio.json`), raw or reduced by
 * STEP6: per 1-based frame, whether speech is present and which diarisation
 * labels speak. */
#ifndef FT_TRACK_AUDIO_TRACK_H
#define FT_TRACK_AUDIO_TRACK_H

#include <stddef.h>
#include <stdint.h>

#include "facetrack.h"

typedef struct ft_audio_frame {
    int speech;           /* is_speech_present */
    int num_speakers;     /* num_distinct_speakers_audio, else num_speakers,
                             else the number of labels */
    int label_count;
    const char **labels;  /* active_speaker_labels, sorted; point into the set */
} ft_audio_frame;

typedef struct ft_audio_track {
    ft_audio_frame *frames; /* frames[k - 1] is frame k; absent frames are silent */
    int64_t frame_count;    /* the highest frame number in the file */
    int64_t total_frames;   /* top-level total_frames, else frame_count */
    double fps;             /* top-level fps, else 25 */
    /* storage of the labels */
    char **strings;
    size_t string_count;
    int has_fps;            /* the file gave fps (STEP6 compares rates only then) */
} ft_audio_track;

/* Reads PATH. FT_ERR_NOT_FOUND when absent; FT_ERR_FORMAT (ERR names the file
 * and the reason) when it is not such a file. */
ft_status ft_audio_track_load(const char *path, ft_audio_track *out, char *err, size_t err_size);
void ft_audio_track_free(ft_audio_track *track);
/* Frame K (1-based); NULL past the end. */
const ft_audio_frame *ft_audio_track_frame(const ft_audio_track *track, int64_t k);

#endif
