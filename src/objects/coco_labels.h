/* The 80 COCO object categories, in the order of the detectors' class
 * outputs, with the names MediaPipe's ObjectDetector gave them (the names
 * the original's outputs carry in `label`). */
#ifndef FT_OBJECTS_COCO_LABELS_H
#define FT_OBJECTS_COCO_LABELS_H

#define FT_COCO_CLASSES 80

/* "person" for 0 ... "toothbrush" for 79; NULL out of range. */
const char *ft_coco_label(int class_id);

#endif
