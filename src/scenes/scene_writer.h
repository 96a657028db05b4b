/* The original STEP3 shot list, `<stem>.csv`:
 *   No,Timecode In,Timecode Out,Frame In,Frame Out
 *   1,00:00:00.000,00:00:01.640,1,42
 * Frames 1-based and inclusive; timecodes (HH:MM:SS.mmm) are the first and
 * the last frame's own timestamps, so 29.97 fps and variable frame rates
 * are right (the original assumed 25 fps). Also the same as JSON, with each
 * cut's type ("cut", "dissolve", "fade"), score, and a gradual one's first
 * and last frame ("from", "to"). Both are written whole or not at all. */
#ifndef FT_SCENES_SCENE_WRITER_H
#define FT_SCENES_SCENE_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "facetrack.h"
#include "scenes/content_detector.h"

typedef struct ft_shot_list {
    const char *video;     /* path, for the JSON */
    int64_t frame_count;
    const double *times;   /* seconds since the first frame, per frame */
    const int64_t *cuts;   /* 0-based first frames of new shots, ascending */
    const ft_cut_info *info; /* per cut */
    size_t cut_count;
    const char *detector;  /* "content" */
} ft_shot_list;

/* "HH:MM:SS.mmm" of SECONDS (rounded to the millisecond) into OUT[16]. */
void ft_timecode(double seconds, char out[16]);

ft_status ft_shot_list_write_csv(const ft_shot_list *list, const char *path, char *err,
                                 size_t err_size);
ft_status ft_shot_list_write_json(const ft_shot_list *list, const char *path, char *err,
                                  size_t err_size);

#endif
