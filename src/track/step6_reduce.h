/* The rules of the original's STEP6 reducer (workflow_scripts/step6/
 * json_reducer.py), one frame at a time, on parsed JSON: what a reduced
 * tracking frame and a reduced audio frame keep, how fps and total_frames
 * are read, and the audio's speaker statistics. Values are copied as the
 * original copied them, whatever their type; a frame the original could
 * not reduce (raising, which failed the whole file) is an error here. */
#ifndef FT_TRACK_STEP6_REDUCE_H
#define FT_TRACK_STEP6_REDUCE_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "facetrack.h"
#include "base/json_writer.h"
#include "track/reduced_format.h"

/* The reduced form of a tracking frame (raw "frames" entry or reduced
 * "frames_analysis" entry): {"frame", "tracked_objects": [{"id",
 * "centroid_x", "source", "label", "confidence", "active_speakers"
 * [, "bbox_width", "bbox_height"]}]}, a new object in *OUT.
 * active_speakers: the object's own list if it has one, replaced by
 * speaking_sources.audio.active_speakers when that (non-empty) object
 * exists; bbox_* only when both are present and not null. FT_ERR_FORMAT
 * (ERR says why) for a frame that is no object, or objects that are none. */
ft_status ft_step6_reduce_tracking_frame(json_object *frame, json_object **out, char *err,
                                         size_t err_size);

/* The reduced form of an audio frame: {"frame", "audio_info":
 * {"is_speech_present" (default false), "active_speaker_labels" (default
 * []) [, "timecode_sec" when not null]}}; *OUT is NULL when the frame has
 * no audio_info (or null), which the original drops. FT_ERR_FORMAT for a
 * frame or audio_info that is no object. */
ft_status ft_step6_reduce_audio_frame(json_object *frame, json_object **out, char *err,
                                      size_t err_size);

/* The frame number of a reduced frame as the original's max() saw it: 1
 * and *OUT when its "frame" converts with int(). */
int ft_step6_frame_number(json_object *reduced_frame, int64_t *out);

/* fps and total_frames as the original read them: the top level's
 * (float(), int()), each else metadata's when the top level's is absent or
 * does not convert; total_frames else MAX_FRAME when above 0. Any argument
 * may be NULL. */
ft_reduced_timing ft_step6_timing(json_object *top_fps, json_object *top_total,
                                  json_object *metadata, int64_t max_frame);

/* Frames per diarisation label, in the order the labels first appear. */
typedef struct ft_speaker_counts {
    json_object *counts; /* label -> int, insertion ordered */
} ft_speaker_counts;

void ft_speaker_counts_init(ft_speaker_counts *c);
void ft_speaker_counts_free(ft_speaker_counts *c);
/* Counts the labels of a reduced audio frame: every non-empty string of
 * its active_speaker_labels, when that is a list. FT_ERR_NOMEM. */
ft_status ft_speaker_counts_add(ft_speaker_counts *c, json_object *reduced_frame);
/* "speaker_stats": {"unique_speakers": sorted, "speaker_frame_counts"},
 * only when some label was counted. */
void ft_speaker_counts_write(ft_json *j, const ft_speaker_counts *c);

#endif
