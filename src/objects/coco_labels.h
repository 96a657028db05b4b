/* The 80 COCO object categories, in the order of the detectors' class
 * outputs, with the names MediaPipe's ObjectDetector gave them (the names
 * the original's outputs carry in `label`). */
#ifndef FT_OBJECTS_COCO_LABELS_H
#define FT_OBJECTS_COCO_LABELS_H

#define FT_COCO_CLASSES 80

/* "person" for 0 ... "toothbrush" for 79; NULL out of range. */
const char *ft_coco_label(int class_id);

#define FT_COCO90_IDS 90

/* The class (0..79) of a TFLite detector's class output ID (0..89: COCO's
 * category id less one); -1 for the ids COCO left unused or out of range. */
int ft_coco90_class(int id);
/* The class of category NAME ("person"...); -1 when it is none of the 80. */
int ft_coco_class_of(const char *name);

#endif
