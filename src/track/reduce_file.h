/* `facetrack reduce`, one file at a time: what a JSON file is (a raw STEP5
 * tracking file, an already reduced tracking file, a STEP4 audio analysis,
 * or something else), where its STEP6 output goes, whether that output is
 * already there and whole, and the reduction itself: streamed, one frame in
 * memory at a time, into a temporary file renamed into place. */
#ifndef FT_TRACK_REDUCE_FILE_H
#define FT_TRACK_REDUCE_FILE_H

#include <stdatomic.h>
#include <stddef.h>

#include "facetrack.h"

typedef enum ft_reduce_kind {
    FT_REDUCE_OTHER,        /* JSON, but none of the kinds below */
    FT_REDUCE_RAW_TRACKING, /* STEP5 <stem>.json: a "frames" list */
    FT_REDUCE_TRACKING,     /* STEP6 <stem>_tracking.json: "frames_analysis" of tracked_objects */
    FT_REDUCE_AUDIO         /* STEP4 <stem>_audio.json, raw or reduced: "frames_analysis" of audio_info */
} ft_reduce_kind;

/* What PATH holds, by its content: a "frames" list makes a tracking file
 * (as for the original, which prefers it); else a "frames_analysis" list,
 * whose first entry with "audio_info" or "tracked_objects" tells which;
 * a list with neither (or empty) is audio when the name ends in
 * "_audio.json", else tracking. Reads only as far as it must.
 * FT_ERR_FORMAT when PATH is not JSON or its top level is no object, other
 * errors when it cannot be read; ERR is one line naming PATH. */
ft_status ft_reduce_classify(const char *path, ft_reduce_kind *kind, char *err, size_t err_size);

/* The output of INPUT of KIND: tracking files give "<stem>_tracking.json"
 * (a name already ending so is kept: it is reduced in place), audio files
 * keep their name (reduced in place, as the original did); in OUTPUT_DIR,
 * else beside INPUT. FT_ERR_INVALID_ARG for FT_REDUCE_OTHER or too long. */
ft_status ft_reduce_output_path(const char *input, ft_reduce_kind kind, const char *output_dir,
                                char *out, size_t out_size);

/* 1 when OUTPUT exists, is whole and already in the reduced form of its
 * kind (reducing it again would change nothing), and, unless it is INPUT
 * itself, is not older than INPUT. */
int ft_reduce_output_complete(const char *input, ft_reduce_kind kind, const char *output);

typedef struct ft_reduce_options {
    int pretty;              /* indented, as the original wrote it */
    const atomic_int *stop;  /* when non-zero, stop at the next frame; may be NULL */
} ft_reduce_options;

/* Reduces INPUT (of KIND) into OUTPUT as the original's STEP6 did. A
 * tracking file's "temporal_alignment" compares it with the audio analysis
 * "<stem>_audio.json" beside INPUT, when there is one. On failure OUTPUT is
 * untouched and ERR is one line naming the file and the reason. */
ft_status ft_reduce_file(const char *input, ft_reduce_kind kind, const char *output,
                         const ft_reduce_options *options, char *err, size_t err_size);

#endif
