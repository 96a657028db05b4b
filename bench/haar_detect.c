/* The opencv_haar detector alone on one core: for each image, the median
 * CPU time of RUNS detections (the gray conversion and detectMultiScale,
 * decoding left out), and the boxes. bench/haar.sh times OpenCV the same
 * way in the same run.
 * Usage: haar_detect CASCADE RUNS IMAGE...
 * Prints per image: PATH WIDTH HEIGHT MEDIAN_MS BOXES x,y,w,h ... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "face/haar_cascade.h"
#include "face/haar_detector.h"
#include "facetrack.h"

static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: haar_detect CASCADE RUNS IMAGE...\n");
        return 2;
    }
    char err[768];
    ft_cascade cascade;
    if (ft_cascade_load(argv[1], &cascade, err, sizeof err) != FT_OK) {
        fprintf(stderr, "haar_detect: %s\n", err);
        return 1;
    }
    ft_haar_detector *d;
    if (ft_haar_detector_create(&cascade, NULL, &d, err, sizeof err) != FT_OK) {
        fprintf(stderr, "haar_detect: %s\n", err);
        return 1;
    }
    const int runs = atoi(argv[2]) > 0 ? atoi(argv[2]) : 1;
    const ft_haar_params params = {.scale_factor = 1.1, .min_neighbors = 5, .min_width = 30,
                                   .min_height = 30};
    double *ms = malloc((size_t)runs * sizeof *ms);
    ft_rect boxes[256];
    int status = 0;
    for (int i = 3; i < argc && ms; i++) {
        ft_video_options vo;
        ft_video_options_init(&vo);
        vo.pixfmt = FT_PIXFMT_RGB24;
        ft_video *video = NULL;
        ft_frame frame;
        if (ft_video_open(argv[i], &vo, &video, err, sizeof err) != FT_OK ||
            ft_video_read(video, &frame) != FT_OK) {
            fprintf(stderr, "haar_detect: %s: cannot be read\n", argv[i]);
            ft_video_close(video);
            status = 1;
            continue;
        }
        uint8_t *gray = malloc((size_t)frame.width * frame.height);
        int n = 0;
        for (int r = 0; r < runs && gray; r++) {
            const double t0 = cpu_ms();
            ft_haar_gray(frame.data[0], frame.width, frame.height, frame.linesize[0], 3, gray);
            ft_haar_detect(d, gray, frame.width, frame.height, frame.width, &params, boxes, 256, &n);
            ms[r] = cpu_ms() - t0;
        }
        qsort(ms, (size_t)runs, sizeof *ms, by_value);
        printf("%s %d %d %.2f", argv[i], frame.width, frame.height, ms[runs / 2]);
        for (int k = 0; k < n && k < 256; k++)
            printf(" %d,%d,%d,%d", boxes[k].x, boxes[k].y, boxes[k].width, boxes[k].height);
        printf("\n");
        free(gray);
        ft_video_close(video);
    }
    free(ms);
    ft_haar_detector_free(d);
    return status;
}
