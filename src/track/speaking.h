/* Who is speaking, per tracked object and frame, as the original's
 * enhanced speaking detection computed it (audio 0.6 + visual 0.4), and a
 * visual-only estimate from mouth motion over time when there is no audio. */
#ifndef FT_TRACK_SPEAKING_H
#define FT_TRACK_SPEAKING_H

#include <stdint.h>

#include "track/audio_track.h"
#include "track/scene_list.h"

/* A double: the original divides by Python's 0.08, and 0.08f differs from it
 * by 2e-8 relative, enough to change the confidences it produces. */
#define FT_SPEAKING_JAW_THRESHOLD 0.08

typedef struct ft_speaking_segment {
    int present;          /* a scene list holds this frame */
    long segment_id;      /* the scene's No (1-based index) */
    double frame_position;/* (frame - first) / duration, 0 when duration is 0 */
    int64_t duration;     /* last - first */
} ft_speaking_segment;

typedef struct ft_speaking {
    int is_speaking;
    double confidence;    /* speaking_confidence */
    const char *method;   /* "audio_primary", "visual_primary",
                             "object_detection_fallback", "no_detection",
                             "visual_motion" (no audio file) */
    /* speaking_sources */
    int has_audio;
    int audio_speech, audio_num_speakers;
    double audio_confidence;
    const ft_audio_frame *audio; /* labels for active_speakers; NULL without audio */
    int has_visual;
    double jaw_open, mouth_activity, visual_confidence;
    double mouth_motion;  /* visual_motion only: mean |d jawOpen| per frame */
    ft_speaking_segment segment;
} ft_speaking;

/* Per-face history for the visual estimate without audio; one per object ID,
 * zero-initialised. */
#define FT_SPEAKING_WINDOW 12
typedef struct ft_speaking_history {
    float jaw[FT_SPEAKING_WINDOW];
    int count, next;
} ft_speaking_history;

/* One object of 1-based FRAME. IS_FACE: a face with blendshapes (BLENDSHAPES
 * in MediaPipe's 52 order, or NULL). AUDIO and SCENES may be NULL. HISTORY
 * is the object's own (updated here), used when AUDIO is NULL. */
void ft_speaking_compute(int64_t frame, int is_face, const float *blendshapes,
                         const ft_audio_track *audio, const ft_scene_list *scenes,
                         ft_speaking_history *history, ft_speaking *out);

#endif
