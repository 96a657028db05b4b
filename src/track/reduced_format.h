/* What every writer of STEP6's reduced files shares (`track --format
 * reduced` and `reduce`): the document's layout and the members after the
 * frame list, written as the original's json.dump(indent=2) wrote them, so
 * that with --pretty the bytes are the original's. */
#ifndef FT_TRACK_REDUCED_FORMAT_H
#define FT_TRACK_REDUCED_FORMAT_H

#include <stdint.h>
#include <stdio.h>

#include "base/json_writer.h"

/* A file's frame count and rate, each possibly unknown (None in the
 * original, which then leaves the member out or writes null). */
typedef struct ft_reduced_timing {
    int has_total_frames;
    int64_t total_frames;
    int has_fps;
    double fps;
} ft_reduced_timing;

/* A writer for a reduced file: indented when PRETTY, and no newline after
 * the document (json.dump writes none). */
void ft_reduced_json_init(ft_json *j, FILE *out, int pretty);

/* "fps" (a float: 25.0) and "total_frames", each only when known. */
void ft_reduced_write_timing(ft_json *j, const ft_reduced_timing *t);

/* STEP6's "temporal_alignment" of a tracking file (VIDEO) against its audio
 * analysis (AUDIO): both counts and rates (null when unknown), and the
 * warnings "frame_count_mismatch video=V audio=A" when they differ by more
 * than 5 % of the audio's count and "fps_mismatch video=V audio=A" when the
 * rates differ by more than 0.5. Nothing when AUDIO is NULL (no audio file)
 * or none of the four values is known. */
void ft_reduced_write_alignment(ft_json *j, const ft_reduced_timing *video,
                                const ft_reduced_timing *audio);

#endif
