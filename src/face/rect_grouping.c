/* groupRectangles as OpenCV 4.6 (see rect_grouping.h). cv::partition
 * compares every pair; the classes are the connected components of the
 * relation whatever the order, so here only pairs that can be similar are
 * compared (sorted by x: |x1 - x2| <= delta <= eps * (w1 + h1) / 2), and the
 * classes are numbered as partition numbers them, by first member. */
#include "face/rect_grouping.h"

#include <math.h>
#include <stdlib.h>

static int similar(const ft_rect *a, const ft_rect *b, double eps)
{
    const int mw = a->width < b->width ? a->width : b->width;
    const int mh = a->height < b->height ? a->height : b->height;
    const double delta = eps * (mw + mh) * 0.5;
    return abs(a->x - b->x) <= delta && abs(a->y - b->y) <= delta &&
           abs(a->x + a->width - b->x - b->width) <= delta &&
           abs(a->y + a->height - b->y - b->height) <= delta;
}

static int find(int *parent, int i)
{
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    return i;
}

static int sort_by_x(const ft_rect *rects, int *order, int n)
{
    /* a counting sort: x spans the image's width */
    int lo = rects[0].x, hi = rects[0].x;
    for (int i = 1; i < n; i++) {
        if (rects[i].x < lo)
            lo = rects[i].x;
        if (rects[i].x > hi)
            hi = rects[i].x;
    }
    const long span = (long)hi - lo + 1; /* the image width, about */
    int *count = calloc((size_t)span + 1, sizeof *count);
    if (!count)
        return -1;
    for (int i = 0; i < n; i++)
        count[rects[i].x - lo + 1]++;
    for (long k = 1; k <= span; k++)
        count[k] += count[k - 1];
    for (int i = 0; i < n; i++)
        order[count[rects[i].x - lo]++] = i;
    free(count);
    return 0;
}

int ft_group_rectangles(ft_rect *rects, int n, int group_threshold, double eps)
{
    if (group_threshold <= 0 || n <= 0)
        return n;
    int *parent = malloc((size_t)n * 3 * sizeof *parent);
    int *sums = malloc((size_t)n * 5 * sizeof *sums);
    if (!parent || !sums) {
        free(parent);
        free(sums);
        return -1;
    }
    int *order = parent + n, *label = parent + 2 * n;
    for (int i = 0; i < n; i++)
        parent[i] = i;
    if (sort_by_x(rects, order, n) != 0) {
        free(parent);
        free(sums);
        return -1;
    }
    for (int a = 0; a < n; a++) {
        const ft_rect *ri = &rects[order[a]];
        const double reach = eps * (ri->width + ri->height) * 0.5;
        for (int b = a + 1; b < n && rects[order[b]].x - ri->x <= reach; b++) {
            if (!similar(ri, &rects[order[b]], eps))
                continue;
            int r1 = find(parent, order[a]), r2 = find(parent, order[b]);
            if (r1 != r2)
                parent[r1 < r2 ? r2 : r1] = r1 < r2 ? r1 : r2;
        }
    }
    /* classes by first member; label[] first maps roots to classes */
    int classes = 0;
    for (int i = 0; i < n; i++)
        label[i] = -1;
    for (int i = 0; i < n; i++) {
        const int r = find(parent, i);
        if (label[r] < 0)
            label[r] = classes++;
        order[i] = label[r]; /* order[] now holds each rect's class */
    }
    int *sx = sums, *sy = sums + n, *sw = sums + 2 * n, *sh = sums + 3 * n, *cnt = sums + 4 * n;
    for (int c = 0; c < classes; c++)
        sx[c] = sy[c] = sw[c] = sh[c] = cnt[c] = 0;
    for (int i = 0; i < n; i++) {
        const int c = order[i];
        sx[c] += rects[i].x;
        sy[c] += rects[i].y;
        sw[c] += rects[i].width;
        sh[c] += rects[i].height;
        cnt[c]++;
    }
    /* the averages, in the class slots of sx..sh */
    for (int c = 0; c < classes; c++) {
        const float s = 1.f / (float)cnt[c];
        sx[c] = (int)lrintf((float)sx[c] * s);
        sy[c] = (int)lrintf((float)sy[c] * s);
        sw[c] = (int)lrintf((float)sw[c] * s);
        sh[c] = (int)lrintf((float)sh[c] * s);
    }
    int out = 0;
    for (int i = 0; i < classes; i++) {
        const int n1 = cnt[i];
        if (n1 <= group_threshold)
            continue;
        int j;
        for (j = 0; j < classes; j++) {
            const int n2 = cnt[j];
            if (j == i || n2 <= group_threshold)
                continue;
            const int dx = (int)lrint(sw[j] * eps), dy = (int)lrint(sh[j] * eps);
            if (sx[i] >= sx[j] - dx && sy[i] >= sy[j] - dy &&
                sx[i] + sw[i] <= sx[j] + sw[j] + dx && sy[i] + sh[i] <= sy[j] + sh[j] + dy &&
                (n2 > (n1 > 3 ? n1 : 3) || n1 < 3))
                break;
        }
        if (j == classes)
            rects[out++] = (ft_rect){sx[i], sy[i], sw[i], sh[i]};
    }
    free(parent);
    free(sums);
    return out;
}
