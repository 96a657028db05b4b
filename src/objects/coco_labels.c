#include "objects/coco_labels.h"

#include <stddef.h>
#include <string.h>

static const char *const labels[FT_COCO_CLASSES] = {
    "person",        "bicycle",      "car",           "motorcycle",    "airplane",
    "bus",           "train",        "truck",         "boat",          "traffic light",
    "fire hydrant",  "stop sign",    "parking meter", "bench",         "bird",
    "cat",           "dog",          "horse",         "sheep",         "cow",
    "elephant",      "bear",         "zebra",         "giraffe",       "backpack",
    "umbrella",      "handbag",      "tie",           "suitcase",      "frisbee",
    "skis",          "snowboard",    "sports ball",   "kite",          "baseball bat",
    "baseball glove", "skateboard",  "surfboard",     "tennis racket", "bottle",
    "wine glass",    "cup",          "fork",          "knife",         "spoon",
    "bowl",          "banana",       "apple",         "sandwich",      "orange",
    "broccoli",      "carrot",       "hot dog",       "pizza",         "donut",
    "cake",          "chair",        "couch",         "potted plant",  "bed",
    "dining table",  "toilet",       "tv",            "laptop",        "mouse",
    "remote",        "keyboard",     "cell phone",    "microwave",     "oven",
    "toaster",       "sink",         "refrigerator",  "book",          "clock",
    "vase",          "scissors",     "teddy bear",    "hair drier",    "toothbrush",
};

const char *ft_coco_label(int class_id)
{
    return class_id >= 0 && class_id < FT_COCO_CLASSES ? labels[class_id] : NULL;
}

/* COCO's 90 category ids (1..90) less one, as the TFLite detectors'
 * class outputs count them (EfficientDet-Lite, SSD: the labelmap.txt of
 * their metadata has "???" at the 10 ids COCO never used): each id's place
 * in the 80 categories above, or -1 for a gap. */
static const signed char coco90[FT_COCO90_IDS] = {
    0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, -1, 11, 12, 13, 14, 15, 16,
    17, 18, 19, 20, 21, 22, 23, -1, 24, 25, -1, -1, 26, 27, 28, 29, 30, 31,
    32, 33, 34, 35, 36, 37, 38, 39, -1, 40, 41, 42, 43, 44, 45, 46, 47, 48,
    49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, -1, 60, -1, -1, 61, -1, 62,
    63, 64, 65, 66, 67, 68, 69, 70, 71, 72, -1, 73, 74, 75, 76, 77, 78, 79,
};

int ft_coco90_class(int id)
{
    return id >= 0 && id < FT_COCO90_IDS ? coco90[id] : -1;
}

int ft_coco_class_of(const char *name)
{
    for (int i = 0; name && i < FT_COCO_CLASSES; i++)
        if (!strcmp(labels[i], name))
            return i;
    return -1;
}
