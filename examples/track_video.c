/* run: $FT_SHARED_DIR/media/faces/liveportrait_driving_d0.mp4 */
/* Tracks the faces of a video with libfacetrack's push/pull engine API and
 * prints one line per frame: its index, time and each face's id and box.
 *
 *   cc track_video.c $(pkg-config --cflags --libs facetrack) -o track_video
 *   ./track_video VIDEO [ENGINE]
 *
 * The engine (default mediapipe_landmarker) finds its models on the model
 * search path (FACETRACK_MODEL_PATH). */
#include <stdio.h>
#include <stdlib.h>

#include <facetrack.h>

/* Prints every frame the engine has finished; FT_EAGAIN when it wants more
 * input, FT_EOF when drained. */
static ft_status print_ready(ft_face_engine *engine, ft_face *faces, int capacity)
{
    for (;;) {
        int count = 0;
        int64_t ts = 0;
        ft_status st = ft_face_engine_receive(engine, faces, capacity, &count, &ts);
        if (st != FT_OK)
            return st;
        printf("t=%.3f s: %d face(s)", (double)ts / 1e6, count);
        for (int i = 0; i < count; i++)
            printf("  #%d [%.0f %.0f %.0f %.0f]", faces[i].id, faces[i].box[0], faces[i].box[1],
                   faces[i].box[2], faces[i].box[3]);
        printf("\n");
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s VIDEO [ENGINE]\n", argv[0]);
        return 2;
    }
    char err[1024];
    ft_video_options vopt;
    ft_video_options_init(&vopt); /* RGB24, upright */
    ft_video *video = NULL;
    if (ft_video_open(argv[1], &vopt, &video, err, sizeof err) != FT_OK) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    ft_face_options fopt;
    ft_face_options_init(&fopt);
    fopt.engine = argc > 2 ? argv[2] : NULL;
    ft_face_engine *engine = NULL;
    if (ft_face_engine_create(&fopt, &engine, err, sizeof err) != FT_OK) {
        fprintf(stderr, "%s\n", err);
        ft_video_close(video);
        return 1;
    }
    /* Results go into our own array: no allocation per frame. */
    ft_face *faces = calloc((size_t)fopt.num_faces, sizeof *faces);
    int rc = faces ? 0 : 1;
    ft_frame frame;
    ft_status st = FT_OK;
    while (rc == 0 && (st = ft_video_read(video, &frame)) == FT_OK) {
        const ft_image image = {frame.data[0], frame.width, frame.height, frame.linesize[0],
                                frame.format};
        const int64_t ts = (int64_t)(frame.time * 1e6);
        while ((st = ft_face_engine_send(engine, &image, ts)) == FT_EAGAIN)
            if (print_ready(engine, faces, fopt.num_faces) != FT_EAGAIN)
                break;
        if (st != FT_OK || print_ready(engine, faces, fopt.num_faces) != FT_EAGAIN)
            rc = 1;
    }
    if (rc == 0 && st != FT_EOF)
        rc = 1;
    /* End of the video: drain what the engine still holds. */
    if (rc == 0 && (ft_face_engine_send(engine, NULL, 0) != FT_OK ||
                    print_ready(engine, faces, fopt.num_faces) != FT_EOF))
        rc = 1;
    if (rc != 0)
        fprintf(stderr, "%s: %s\n", argv[1],
                st != FT_OK && st != FT_EOF ? ft_video_error(video) : ft_face_engine_error(engine));
    free(faces);
    ft_face_engine_free(engine);
    ft_video_close(video);
    return rc;
}
