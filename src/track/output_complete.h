/* Whether `facetrack track` may skip a video: its output is already whole. */
#ifndef FT_TRACK_OUTPUT_COMPLETE_H
#define FT_TRACK_OUTPUT_COMPLETE_H

/* 1 when PATH is a complete tracking output: it parses as one JSON object,
 * and its frame list ("frames" or "frames_analysis") ends with frame
 * total_frames (from "metadata" or the top level). Read in a streaming way:
 * files of hundreds of MB are fine. 0 when absent, truncated or short. */
int ft_tracking_output_complete(const char *path);

#endif
