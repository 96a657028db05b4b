/* Speaking detection. With an audio analysis it is the original's formula,
 * to the last bit: the arithmetic is done in double, in the original's order,
 * on the float blendshapes widened as Python widens them. Without one, a
 * face speaks when its jaw keeps moving, which an open mouth alone does not. */
#include "track/speaking.h"

#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>

#include "facetrack.h"

/* The original's weights and thresholds. */
#define AUDIO_WEIGHT 0.6
#define VISUAL_WEIGHT 0.4
#define SPEAKING_THRESHOLD 0.3 /* is_speaking = confidence > this */

/* Visual-only estimate (no audio file). Mean |jawOpen[t] - jawOpen[t-1]|
 * over the window, divided by MOTION_SCALE, is the confidence. Talking
 * swings jawOpen between ~0.01 and ~0.3-0.8 several times a second: 0.025-0.14
 * per frame at 25-30 fps (the Goonies reference's speech frames, the shared
 * talking-head clips), while a silent face only jitters by 0.001-0.002. So
 * 0.04 gives steady speech full confidence, and the 0.5 cut (0.02 per frame)
 * sits ten times above the jitter. */
#define MOTION_SCALE 0.04
#define MOTION_SPEAKING 0.5
#define MOTION_MIN_FRAMES 4 /* fewer frames say nothing about motion */

static int jaw_open_index = -1, shrug_upper_index = -1, shrug_lower_index = -1;
static pthread_once_t indices_once = PTHREAD_ONCE_INIT;

static int blendshape_index(const char *name)
{
    for (int i = 0; i < FT_FACE_BLENDSHAPE_COUNT; i++) {
        const char *n = ft_face_blendshape_name(i);
        if (n && strcmp(n, name) == 0)
            return i;
    }
    return -1;
}

static void find_indices(void)
{
    jaw_open_index = blendshape_index("jawOpen");
    shrug_upper_index = blendshape_index("mouthShrugUpper");
    shrug_lower_index = blendshape_index("mouthShrugLower");
}

/* Blendshape I as a double; 0 when unknown or not finite, so that one bad
 * value cannot turn the output into NaN. */
static double blend(const float *b, int i)
{
    return i >= 0 && isfinite(b[i]) ? (double)b[i] : 0.0;
}

static double audio_confidence(const ft_audio_frame *f)
{
    if (!f->speech)
        return 0.0;
    const double c = 0.8 + 0.1 * f->num_speakers;
    return c < 1.0 ? c : 1.0;
}

/* The original averages "mouthOpen", mouthShrugUpper and mouthShrugLower;
 * mouthOpen is not a blendshape, so it counts as 0 and the mean is a third
 * of the two shrugs. Only an open jaw has mouth activity. */
static double mouth_activity(double jaw, const float *b)
{
    if (!(jaw > FT_SPEAKING_JAW_THRESHOLD))
        return 0.0;
    return (0.0 + blend(b, shrug_upper_index) + blend(b, shrug_lower_index)) / 3.0;
}

/* The original's visual confidence. The min() caps the sum, not the jaw term
 * alone: past jawOpen 0.08 / 0.7 the reference holds exactly 1.0, never
 * 1 + 0.2 * mouth_activity. */
static double visual_confidence(double jaw, double activity)
{
    if (!(jaw > FT_SPEAKING_JAW_THRESHOLD))
        return 0.0;
    const double c = jaw / FT_SPEAKING_JAW_THRESHOLD * 0.7 + 0.2 * activity;
    return c < 1.0 ? c : 1.0;
}

static void set_segment(int64_t frame, const ft_scene_list *scenes, ft_speaking_segment *seg)
{
    const long i = ft_scene_list_find(scenes, frame);
    if (i < 0)
        return;
    const ft_scene *s = &scenes->scenes[i];
    seg->present = 1;
    seg->segment_id = i + 1;
    seg->duration = s->last - s->first;
    seg->frame_position = seg->duration ? (double)(frame - s->first) / (double)seg->duration : 0.0;
}

/* The original's scoring, with an audio analysis. */
static void with_audio(int64_t frame, int is_face, const float *blendshapes,
                       const ft_audio_track *audio, ft_speaking *out)
{
    /* Frames past the analysis' end are silent, as its missing frames are. */
    static const ft_audio_frame silent = {0, 0, 0, NULL};
    const ft_audio_frame *af = ft_audio_track_frame(audio, frame);
    if (!af)
        af = &silent;
    out->has_audio = 1;
    out->audio = af;
    out->audio_speech = af->speech;
    out->audio_num_speakers = af->num_speakers;
    out->audio_confidence = audio_confidence(af);

    double visual = 0.0;
    if (is_face && blendshapes) {
        const double jaw = blend(blendshapes, jaw_open_index);
        out->has_visual = 1;
        out->jaw_open = jaw;
        out->mouth_activity = mouth_activity(jaw, blendshapes);
        out->visual_confidence = visual = visual_confidence(jaw, out->mouth_activity);
    }
    out->confidence = AUDIO_WEIGHT * out->audio_confidence + VISUAL_WEIGHT * visual;
    out->is_speaking = out->confidence > SPEAKING_THRESHOLD;
    if (!is_face)
        out->method = "object_detection_fallback";
    else if (visual > out->audio_confidence)
        out->method = "visual_primary";
    else if (out->audio_confidence > 0.0)
        out->method = "audio_primary";
    else
        out->method = "no_detection";
}

/* Mean |jaw[t] - jaw[t-1]| over the history, oldest to newest. */
static double mean_motion(const ft_speaking_history *h)
{
    if (h->count < 2)
        return 0.0;
    double sum = 0.0;
    int at = (h->next - h->count + FT_SPEAKING_WINDOW) % FT_SPEAKING_WINDOW;
    for (int k = 1; k < h->count; k++) {
        const int prev = at;
        at = (at + 1) % FT_SPEAKING_WINDOW;
        sum += fabs((double)h->jaw[at] - (double)h->jaw[prev]);
    }
    return sum / (h->count - 1);
}

/* The visual-only estimate, without an audio analysis. */
static void from_motion(const float *blendshapes, ft_speaking_history *history, ft_speaking *out)
{
    ft_speaking_history own = {{0}, 0, 0}; /* a caller without history gets one frame */
    ft_speaking_history *h = history ? history : &own;
    const double jaw = blend(blendshapes, jaw_open_index);
    h->jaw[h->next] = (float)jaw;
    h->next = (h->next + 1) % FT_SPEAKING_WINDOW;
    if (h->count < FT_SPEAKING_WINDOW)
        h->count++;

    const double motion = mean_motion(h);
    const double c = motion / MOTION_SCALE;
    out->confidence = c < 0.0 ? 0.0 : c > 1.0 ? 1.0 : c;
    out->is_speaking = out->confidence > MOTION_SPEAKING && h->count >= MOTION_MIN_FRAMES;
    out->method = "visual_motion";
    out->has_visual = 1;
    out->jaw_open = jaw;
    out->mouth_activity = mouth_activity(jaw, blendshapes);
    out->visual_confidence = out->confidence;
    out->mouth_motion = motion;
}

void ft_speaking_compute(int64_t frame, int is_face, const float *blendshapes,
                         const ft_audio_track *audio, const ft_scene_list *scenes,
                         ft_speaking_history *history, ft_speaking *out)
{
    pthread_once(&indices_once, find_indices);
    memset(out, 0, sizeof *out);
    if (scenes)
        set_segment(frame, scenes, &out->segment);
    if (audio) {
        with_audio(frame, is_face, blendshapes, audio, out);
    } else if (is_face && blendshapes) {
        from_motion(blendshapes, history, out);
    } else {
        /* Nothing to judge by: not speaking. */
        out->method = is_face ? "no_detection" : "object_detection_fallback";
    }
}
