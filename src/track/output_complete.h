/* Whether `facetrack track` may skip a video: its output is already whole. */
#ifndef FT_TRACK_OUTPUT_COMPLETE_H
#define FT_TRACK_OUTPUT_COMPLETE_H

/* 1 when PATH is a complete tracking output: it parses as one JSON object,
 * and its frame list ("frames" or "frames_analysis") ends with frame
 * total_frames (from "metadata" or the top level). Read in a streaming way:
 * files of hundreds of MB are fine. 0 when absent, truncated or short. */
int ft_tracking_output_complete(const char *path);

/* The extended attribute in which the tracking writer records the video an
 * output came from (its absolute path), where the file system keeps them. */
#define FT_OUTPUT_SOURCE_XATTR "user.facetrack.video"

/* As above, and the output came from VIDEO: another video of the same stem
 * (y.mkv beside y.mp4) does not make it complete. The source is the file
 * name of the raw output's metadata.video_path; the reduced output has no
 * such field, so its writer records the source in FT_OUTPUT_SOURCE_XATTR.
 * A different file name means another video; an output that records no
 * source (older outputs; a reduced one on a file system without user
 * extended attributes) is taken as VIDEO's. Only file names are compared,
 * so that a folder moved with its outputs is still complete. */
int ft_tracking_output_complete_for(const char *path, const char *video);

#endif
