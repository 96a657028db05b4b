/* facetrack detect: faces of still images (PNG, JPEG, any single frame
 * libavformat reads) as JSON, one object per image. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/atomic_file.h"
#include "base/json_writer.h"
#include "cli/cli.h"
#include "cli/face_json.h"
#include "engines/engine_class.h"
#include "facetrack.h"

static const char usage[] =
    "usage: facetrack detect [options] IMAGE...\n"
    "\n"
    "Finds faces in still images and prints one JSON object per image (one\n"
    "per line unless --pretty): path, width, height and faces, each with id,\n"
    "detection_score, presence, box [x, y, w, h] in pixels, yaw, pitch, roll\n"
    "(degrees), transformation_matrix (4x4 column-major, cm), the 52\n"
    "blendshapes by name, and landmarks (478 x [x, y, z] in pixels) and\n"
    "landmarks_normalized (MediaPipe's normalised coordinates).\n"
    "\n"
    "options:\n"
    "  --engine NAME        the face engine (default mediapipe_landmarker; see\n"
    "                       `facetrack engines`)\n"
    "  --output FILE        write the JSON there (whole or not at all)\n"
    "  --pretty             indented output\n"
    "  --num-faces N        at most N faces per image (default 5)\n"
    "  --min-detection X    detector score threshold (default 0.5)\n"
    "  --min-presence X     landmark presence threshold (default 0.5)\n"
    "  --no-landmarks       leave the landmark arrays out\n"
    "  --no-tiles           one detector pass over the letterboxed image\n"
    "                       (MediaPipe's way) instead of tiles that find\n"
    "                       small faces in large images\n"
    "  --no-whole-frame     no short-range pass on the whole image beside the\n"
    "                       tiles (with --no-tiles and a short-range --detector:\n"
    "                       MediaPipe's configuration)\n"
    "  --detector MODEL     --landmarks MODEL   --blendshapes MODEL\n"
    "  --geometry FILE      models to use instead of the defaults (see\n"
    "                       `facetrack models list`); \"\" disables the last two\n"
    "  --objects            also COCO objects (persons, chairs, ...): an\n"
    "                       \"objects\" array of {label, class_id, score, box}\n"
    "  --only-objects       objects alone, no face engine\n"
    "  --object-model NAME  centernet (default), nanodet, a TF.js model.json or an\n"
    "                       ONNX YOLOv8/YOLO11 or NanoDet-Plus export, a TFLite\n"
    "                       detector (EfficientDet-Lite, SSD), efficientdet_lite2, ...\n"
    "  --object-threshold X minimum object score (default 0.5)\n"
    "  --object-max N       at most N objects per image (default 5)\n"
    "\n"
    "Exit status: 0 when every image was read, 1 when one or more could not\n"
    "be (each failure is one line on stderr), 2 on a usage error.\n";

typedef struct detect_args {
    ft_face_options options;
    ft_object_options objects;
    int want_objects, want_faces;
    const char *output;
    int pretty, landmarks;
    int first_path;
} detect_args;

static int parse_float(const char *text, float *out)
{
    char *end;
    if (!text)
        return -1;
    *out = strtof(text, &end);
    return end != text && *end == '\0' ? 0 : -1;
}

static int parse_args(int argc, char **argv, detect_args *a)
{
    ft_face_options_init(&a->options);
    ft_object_options_init(&a->objects);
    a->want_faces = 1;
    a->options.video = 0;
    a->landmarks = 1;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        long long count;
        if (strcmp(o, "--pretty") == 0) {
            a->pretty = 1;
        } else if (strcmp(o, "--objects") == 0) {
            a->want_objects = 1;
        } else if (strcmp(o, "--only-objects") == 0) {
            a->want_objects = 1;
            a->want_faces = 0;
        } else if (strcmp(o, "--object-model") == 0) {
            if (!v)
                return ft_cli_usage_error("detect", "--object-model needs a model name or file");
            a->objects.model = v;
            i++;
        } else if (strcmp(o, "--object-threshold") == 0) {
            float x;
            if (parse_float(v, &x) != 0 || !(x >= 0 && x <= 1))
                return ft_cli_usage_error("detect", "--object-threshold needs a number from 0 to 1");
            a->objects.min_score = x;
            i++;
        } else if (strcmp(o, "--object-max") == 0) {
            if ((count = ft_cli_parse_count(v)) < 1 || count > 100)
                return ft_cli_usage_error("detect", "--object-max needs a number from 1 to 100");
            a->objects.max_results = (int)count;
            i++;
        } else if (strcmp(o, "--no-landmarks") == 0) {
            a->landmarks = 0;
        } else if (strcmp(o, "--no-tiles") == 0) {
            a->options.max_tile_px = 0;
        } else if (strcmp(o, "--no-whole-frame") == 0) {
            a->options.whole_frame_pass = 0;
        } else if (strcmp(o, "--engine") == 0) {
            if (!v)
                return ft_cli_usage_error("detect", "--engine needs an engine name");
            const ft_engine_info *engine = ft_engine_find(v);
            if (!engine)
                return ft_cli_usage_error("detect", "unknown engine '%s' (see `facetrack engines`)",
                                          v);
            a->options.engine = engine->name;
            i++;
        } else if (strcmp(o, "--output") == 0 || strcmp(o, "-o") == 0) {
            if (!v)
                return ft_cli_usage_error("detect", "%s needs a file name", o);
            a->output = v;
            i++;
        } else if (strcmp(o, "--num-faces") == 0) {
            if ((count = ft_cli_parse_count(v)) < 1 || count > 64)
                return ft_cli_usage_error("detect", "--num-faces needs a number from 1 to 64");
            a->options.num_faces = (int)count;
            i++;
        } else if (strcmp(o, "--min-detection") == 0 || strcmp(o, "--min-presence") == 0) {
            float x;
            if (parse_float(v, &x) != 0 || !(x >= 0 && x <= 1))
                return ft_cli_usage_error("detect", "%s needs a number from 0 to 1", o);
            if (o[6] == 'd')
                a->options.min_detection_confidence = x;
            else
                a->options.min_presence_confidence = x;
            i++;
        } else if (strcmp(o, "--detector") == 0 || strcmp(o, "--landmarks") == 0 ||
                   strcmp(o, "--blendshapes") == 0 || strcmp(o, "--geometry") == 0) {
            if (!v)
                return ft_cli_usage_error("detect", "%s needs a model file", o);
            const char **slot = o[2] == 'd'   ? &a->options.detector_model
                                : o[2] == 'l' ? &a->options.landmark_model
                                : o[2] == 'b' ? &a->options.blendshape_model
                                              : &a->options.geometry_model;
            *slot = v;
            i++;
        } else if (strcmp(o, "--") == 0) {
            a->first_path = i + 1;
            break;
        } else if (o[0] == '-' && o[1]) {
            return ft_cli_usage_error("detect", "unknown option '%s'", o);
        } else {
            a->first_path = i;
            break;
        }
    }
    if (!a->first_path || a->first_path >= argc)
        return ft_cli_usage_error("detect", "no image given");
    /* After every option: a --detector model makes a detection engine usable. */
    const ft_engine_info *engine = a->options.engine ? ft_engine_find(a->options.engine) : NULL;
    char why[512];
    const int model_given = engine && ft_engine_class_of(engine)->available_with_model &&
                            a->options.detector_model && *a->options.detector_model;
    if (a->want_faces && engine && !model_given && !ft_engine_available(engine, why, sizeof why))
        return ft_cli_usage_error("detect", "engine '%s' is not available: %s", engine->name, why);
    return FT_EXIT_OK;
}

/* The first frame of PATH as RGB; the reader owns the pixels. */
static ft_status read_image(const char *path, ft_video **video, ft_frame *frame, char *err,
                            size_t n)
{
    ft_video_options vo;
    ft_video_options_init(&vo);
    vo.pixfmt = FT_PIXFMT_RGB24;
    vo.decode_threads = 1;
    ft_status st = ft_video_open(path, &vo, video, err, n);
    if (st != FT_OK)
        return st;
    st = ft_video_read(*video, frame);
    if (st == FT_EOF) {
        snprintf(err, n, "%s: no picture in the file", path);
        return FT_ERR_FORMAT;
    }
    if (st != FT_OK)
        snprintf(err, n, "%s", ft_video_error(*video));
    return st;
}

static void write_objects(ft_json *w, const ft_object *objects, int count)
{
    ft_json_key(w, "objects");
    ft_json_array_begin(w);
    for (int i = 0; i < count; i++) {
        const ft_object *o = &objects[i];
        ft_json_object_begin(w);
        ft_json_kv_string(w, "label", o->label);
        ft_json_kv_int(w, "class_id", o->class_id);
        ft_json_key(w, "score");
        ft_json_double_places(w, o->score, 4);
        ft_json_key(w, "box");
        ft_json_array_begin(w);
        for (int k = 0; k < 4; k++)
            ft_json_double_places(w, o->box[k], 1);
        ft_json_array_end(w);
        ft_json_object_end(w);
    }
    ft_json_array_end(w);
}

static int detect_one(ft_face_engine *engine, ft_object_detector *detector, const char *path,
                      const detect_args *a, FILE *out)
{
    char err[768];
    ft_video *video = NULL;
    ft_frame frame;
    ft_status st = read_image(path, &video, &frame, err, sizeof err);
    const ft_face *faces = NULL;
    const ft_object *objects = NULL;
    int count = 0, object_count = 0;
    if (st == FT_OK) {
        const ft_image image = {frame.data[0], frame.width, frame.height, frame.linesize[0],
                                FT_PIXFMT_RGB24};
        if (engine && (st = ft_face_engine_process(engine, &image, 0, &faces, &count)) != FT_OK)
            snprintf(err, sizeof err, "%s: %s", path, ft_face_engine_error(engine));
        if (st == FT_OK && detector &&
            (st = ft_object_detector_detect(detector, &image, &objects, &object_count)) != FT_OK)
            snprintf(err, sizeof err, "%s: %s", path, ft_object_detector_error(detector));
    }
    if (st != FT_OK) {
        ft_video_close(video);
        ft_log(FT_LOG_ERROR, "%s", err);
        return 1;
    }
    ft_json w;
    ft_json_init(&w, out, a->pretty);
    ft_json_object_begin(&w);
    ft_json_kv_string(&w, "path", path);
    ft_json_kv_int(&w, "width", frame.width);
    ft_json_kv_int(&w, "height", frame.height);
    if (engine) {
        ft_json_key(&w, "faces");
        ft_json_array_begin(&w);
        for (int i = 0; i < count; i++)
            ft_write_face_json(&w, &faces[i], a->landmarks);
        ft_json_array_end(&w);
    }
    if (detector)
        write_objects(&w, objects, object_count);
    ft_json_object_end(&w);
    ft_video_close(video);
    if (ft_json_finish(&w) != FT_OK) {
        ft_log(FT_LOG_ERROR, "%s: cannot write the result", path);
        return 1;
    }
    return 0;
}

static int run_detect(int argc, char **argv)
{
    detect_args a = {0};
    int rc = parse_args(argc, argv, &a);
    if (rc != FT_EXIT_OK)
        return rc;
    char err[768];
    ft_face_engine *engine = NULL;
    ft_object_detector *detector = NULL;
    if (a.want_faces && ft_face_engine_create(&a.options, &engine, err, sizeof err) != FT_OK) {
        ft_log(FT_LOG_ERROR, "detect: %s", err);
        return FT_EXIT_FAILED;
    }
    if (a.want_objects && ft_object_detector_create(&a.objects, &detector, err, sizeof err) != FT_OK) {
        ft_log(FT_LOG_ERROR, "detect: %s", err);
        ft_face_engine_free(engine);
        return FT_EXIT_FAILED;
    }
    ft_atomic_file file = {0};
    FILE *out = stdout;
    if (a.output) {
        if (ft_atomic_file_open(&file, a.output, err, sizeof err) != FT_OK) {
            ft_log(FT_LOG_ERROR, "%s", err);
            ft_face_engine_free(engine);
            ft_object_detector_free(detector);
            return FT_EXIT_FAILED;
        }
        out = file.fp;
    }
    int failures = 0;
    for (int i = a.first_path; i < argc; i++)
        failures += detect_one(engine, detector, argv[i], &a, out);
    ft_face_engine_free(engine);
    ft_object_detector_free(detector);
    if (a.output) {
        /* A batch with failures still writes what it found. */
        if (ft_atomic_file_commit(&file, err, sizeof err) != FT_OK) {
            ft_log(FT_LOG_ERROR, "%s", err);
            return FT_EXIT_FAILED;
        }
    }
    return failures ? FT_EXIT_FAILED : FT_EXIT_OK;
}

const ft_command ft_cmd_detect = {"detect", "faces, landmarks, blendshapes and head pose of images",
                                  usage, run_detect};
