/*
 * facetrack.h — the whole public contract of libfacetrack.
 *
 * Conventions
 *  - Every function that can fail returns an ft_status; FT_OK is 0.
 *  - Objects are opaque handles with create/destroy pairs. A handle keeps the
 *    message of its last failure (ft_video_error()); it is one line naming the
 *    file and the reason.
 *  - Thread-safety is stated per object. Nothing here uses hidden mutable
 *    global state except the logger configuration, which is atomic.
 */
#ifndef FACETRACK_H
#define FACETRACK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Every symbol of the library's contract carries FT_API; everything else is
 * hidden from the shared library. */
#if defined(_WIN32)
#define FT_API
#elif defined(__GNUC__)
#define FT_API __attribute__((visibility("default")))
#else
#define FT_API
#endif

/* ---------------------------------------------------------------- version */

#define FT_VERSION_MAJOR 0
#define FT_VERSION_MINOR 1
#define FT_VERSION_PATCH 0

/* "MAJOR.MINOR.PATCH" of the linked library. */
FT_API const char *ft_version(void);
/* One line naming the library versions facetrack was built against. */
FT_API const char *ft_build_info(void);

/* ----------------------------------------------------------- capabilities */

#define FT_CAPS_MAX_BACKENDS 8

/* What this build of the library can do on this machine. */
typedef struct ft_caps {
    int backend_count;
    const char *backends[FT_CAPS_MAX_BACKENDS]; /* inference backends built:
                                                   "reference", "xnnpack", ... */
    int backend_usable[FT_CAPS_MAX_BACKENDS];   /* each one works here */
    int engine_count;      /* face engines in the registry */
    int engines_available; /* of which this build can create */
    int cuda_built;        /* built with the CUDA part */
    int cuda_devices;      /* usable CUDA devices now; 0 without a driver */
} ft_caps;

/* Fills CAPS; safe from any thread. */
FT_API void ft_caps_get(ft_caps *caps);

/* ----------------------------------------------------------------- status */

typedef enum ft_status {
    FT_OK = 0,
    FT_EOF = 1,              /* end of stream: not an error */
    FT_ERR_INVALID_ARG = -1, /* a caller mistake (NULL, out of range) */
    FT_ERR_NOMEM = -2,
    FT_ERR_NOT_FOUND = -3,   /* file or resource does not exist */
    FT_ERR_IO = -4,          /* exists but cannot be read or written */
    FT_ERR_FORMAT = -5,      /* not a format we can read, or corrupt */
    FT_ERR_TRUNCATED = -6,   /* the data ends before the container says */
    FT_ERR_UNSUPPORTED = -7, /* valid, but a feature we do not handle */
    FT_ERR_INTERNAL = -8,    /* a bug or a library failure we cannot name */
    FT_ERR_NO_DEVICE = -9,   /* the hardware it needs is absent or unusable */
    FT_EAGAIN = 2            /* not now: send more input, or receive first */
} ft_status;

/* A short English description of a status ("truncated file"). */
FT_API const char *ft_status_str(ft_status status);

/* ----------------------------------------------------------------- memory */

/* Frees what a function of the library allocated for the caller (its
 * comment says so); NULL is ignored. The library's allocator may not be the
 * caller's: use this, not free(). */
FT_API void ft_free(void *memory);

/* ---------------------------------------------------------------- logging */

typedef enum ft_log_level {
    FT_LOG_QUIET = 0,
    FT_LOG_ERROR = 1,
    FT_LOG_WARN = 2,
    FT_LOG_INFO = 3,
    FT_LOG_DEBUG = 4,
    FT_LOG_TRACE = 5
} ft_log_level;

typedef void (*ft_log_fn)(ft_log_level level, const char *message, void *user);

/* Process-wide; safe to call from any thread. Default level: FT_LOG_WARN, or
 * FACETRACK_LOG_LEVEL (quiet|error|warn|info|debug|trace or 0..5). */
FT_API void ft_log_set_level(ft_log_level level);
FT_API ft_log_level ft_log_get_level(void);
/* Parses a level name or digit; returns FT_ERR_INVALID_ARG when unknown. */
FT_API ft_status ft_log_parse_level(const char *text, ft_log_level *out);
/* Replaces the sink (default: one line per message on stderr). NULL restores
 * the default. Set it before starting threads that log. */
FT_API void ft_log_set_sink(ft_log_fn sink, void *user);
FT_API void ft_log(ft_log_level level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* ------------------------------------------------------------------ video */

typedef enum ft_pixfmt {
    FT_PIXFMT_RGB24 = 0, /* packed R,G,B */
    FT_PIXFMT_BGR24,     /* packed B,G,R (OpenCV order) */
    FT_PIXFMT_RGBA,      /* packed R,G,B,A with A = 255 */
    FT_PIXFMT_GRAY8,     /* luma only */
    FT_PIXFMT_YUV420P,   /* planar I420; passed through without conversion
                            when the decoder already produces 8-bit 4:2:0 */
    FT_PIXFMT_COUNT,
    /* Only in frames the reader hands out: an NV12 picture left on the GPU
     * that decoded it (ft_video_options.device_frames) */
    FT_PIXFMT_CUDA_NV12 = 64
} ft_pixfmt;

/* "rgb24", "bgr24", "rgba", "gray", "yuv420p"; NULL when out of range. */
FT_API const char *ft_pixfmt_name(ft_pixfmt format);
FT_API ft_status ft_pixfmt_parse(const char *name, ft_pixfmt *out);

typedef struct ft_video_options {
    ft_pixfmt pixfmt;   /* default FT_PIXFMT_RGB24 */
    int decode_threads; /* 0 = as many as the machine has */
    int apply_rotation; /* 1 (default): frames come out upright */
    /* 1: decode on the GPU NVDEC_DEVICE (CUDA numbering) where it can take
     * the stream, else on the CPU with an info line; frames, numbering and
     * pixels are the CPU decoder's either way. 0 (default): the CPU. */
    int nvdec;
    int nvdec_device;
    /* 1 (with nvdec): frames NVDEC decodes stay on the GPU, as
     * FT_PIXFMT_CUDA_NV12 frames, where the stream allows it (8-bit 4:2:0,
     * neither rotated nor mirrored); the others come as PIXFMT. For engines
     * that read them there (ft_face_engine_takes_device_frames). 0
     * (default): every frame comes to the host. */
    int device_frames;
} ft_video_options;

/* Defaults as documented above. */
FT_API void ft_video_options_init(ft_video_options *options);

typedef struct ft_video_info {
    char container[32];       /* libavformat short name, e.g. "mov,mp4,..." */
    char codec[32];           /* e.g. "h264" */
    char source_pixfmt[32];   /* the decoder's pixel format, e.g. "yuv420p" */
    int width, height;        /* of delivered frames: after rotation */
    int coded_width, coded_height; /* as stored */
    int rotation;             /* clockwise degrees applied: 0, 90, 180, 270 */
    int mirrored;             /* the display matrix also flips horizontally */
    double fps_nominal;       /* the stream's base rate (r_frame_rate) */
    double fps_average;       /* container's average rate (avg_frame_rate) */
    int64_t frame_count_hint; /* container's frame count; -1 when unknown */
    double duration_hint;     /* container's duration in seconds; -1 unknown */
    int64_t bit_rate;         /* bits per second; 0 when unknown */
    int time_base_num, time_base_den; /* of frame PTS values */
    int64_t start_pts;        /* stream start PTS (time-base units) */
    double start_time;        /* the same in seconds */
    int stream_index;         /* the chosen video stream in the container */
    int stream_count;         /* all streams in the container */
    int nvdec;                /* 1 while the frames are decoded on a GPU */
} ft_video_info;

typedef struct ft_frame {
    int64_t index;   /* 0-based, in presentation order, over decoded frames */
    int64_t pts;     /* presentation timestamp in the stream's time base */
    double time;     /* seconds since the stream's start PTS */
    int64_t duration; /* in the time base; 0 when unknown */
    int width, height;
    ft_pixfmt format;
    uint8_t *data[3];    /* planes; packed formats use data[0] only */
    int linesize[3];     /* bytes per row of each plane */
    int key_frame;       /* decoded from an intra picture */
    /* FT_PIXFMT_CUDA_NV12 only: data[0] (luma) and data[1] (interleaved Cb
     * Cr) are addresses on GPU DEVICE, and COLORSPACE (libav's
     * AVColorSpace number) and FULL_RANGE say how they convert to RGB. */
    int device;
    int colorspace;
    int full_range;
} ft_frame;

/* A decoder of one video file.
 * Thread-safety: one ft_video per thread. Open several to read in parallel. */
typedef struct ft_video ft_video;

/* Opens PATH (a regular file any libavformat demuxer reads) and picks its
 * best video stream. On failure *out is NULL and, when err is not NULL, a one
 * line message naming the file and the reason is copied into err. */
FT_API ft_status ft_video_open(const char *path, const ft_video_options *options,
                               ft_video **out, char *err, size_t err_size);
FT_API void ft_video_close(ft_video *video);

FT_API const ft_video_info *ft_video_get_info(const ft_video *video);
FT_API const char *ft_video_path(const ft_video *video);
/* The last failure of this handle, one line; "" when none. */
FT_API const char *ft_video_error(const ft_video *video);

/* Decodes the next frame. Returns FT_OK with *frame filled, FT_EOF after the
 * last frame, or an error. The pixels belong to the reader and stay valid until
 * the next call on this handle. */
FT_API ft_status ft_video_read(ft_video *video, ft_frame *frame);

/* Positions the reader so that the next ft_video_read() returns frame INDEX,
 * pixel-identical to the same frame reached by reading sequentially. The first
 * call scans the packet index of the file (demux only). FT_EOF when INDEX is
 * past the last frame. */
FT_API ft_status ft_video_seek(ft_video *video, int64_t index);

/* What a caller planning seeks needs, from the same packet index: the frames
 * ft_video_seek() starts decoding at (key frames), as ascending frame
 * indices, and the number of frames, *FRAME_COUNT (may be NULL). *POSITIONS
 * is allocated by the library, one array of *COUNT entries: free it with
 * ft_free(). It is NULL with *COUNT 0 when the file's timestamps cannot be
 * trusted for seeking; every seek then decodes from frame 0. */
FT_API ft_status ft_video_key_frames(ft_video *video, int64_t **positions, int64_t *count,
                                     int64_t *frame_count);

/* Counts the frames by decoding the whole file from the start; leaves the
 * reader at the end. This is the exact count (ffprobe -count_frames). */
FT_API ft_status ft_video_count_frames(ft_video *video, int64_t *count,
                                       double *duration);

/* ------------------------------------------------------------ frame utils */

/* Bytes per pixel of packed formats (3 or 4), 1 for gray/yuv420p luma. */
FT_API int ft_pixfmt_bytes_per_pixel(ft_pixfmt format);

/* MD5 of the frame's visible pixels, rows packed without padding and planes
 * in order: equal to `ffmpeg -f framemd5` of the same raw format. HEX gets
 * 32 lowercase digits and a NUL. */
FT_API ft_status ft_frame_md5(const ft_frame *frame, char hex[33]);


/* ----------------------------------------------------------- face engines */

/* Face engines are classes in one registry, named as the original workflow
 * names them ("mediapipe_landmarker", "opencv_yunet", ...). Each says what
 * its faces carry and whether this build can run it; track, detect and serve
 * take their engine lists from here. */

#define FT_FACE_MAX_LANDMARKS 478
#define FT_FACE_BLENDSHAPE_COUNT 52
/* eos: at most this many fitted shape and expression coefficients a face */
#define FT_FACE_MAX_SHAPE_COEFFS 200
#define FT_FACE_MAX_EXPRESSION_COEFFS 64

/* Which points a face's landmarks are; the value is their count. */
typedef enum ft_landmark_scheme {
    FT_LANDMARKS_NONE = 0,
    FT_LANDMARKS_5 = 5,     /* eyes, nose tip, mouth corners (YuNet, SCRFD) */
    FT_LANDMARKS_66 = 66,   /* OpenSeeFace */
    FT_LANDMARKS_68 = 68,   /* iBUG 300-W (dlib, EOS) */
    FT_LANDMARKS_106 = 106, /* InsightFace 2d106det */
    FT_LANDMARKS_468 = 468, /* MediaPipe face mesh */
    FT_LANDMARKS_478 = 478  /* face mesh with irises (face_landmarker) */
} ft_landmark_scheme;

/* The name of point INDEX of SCHEME ("right_eye", "left_eye", "nose_tip",
 * "right_mouth_corner", "left_mouth_corner" for FT_LANDMARKS_5: the
 * subject's right eye, on the image's left), or NULL where the scheme's
 * points are known by index only or INDEX is out of range. */
FT_API const char *ft_landmark_name(ft_landmark_scheme scheme, int index);

typedef struct ft_engine_info {
    const char *name;           /* "mediapipe_landmarker" */
    const char *const *aliases; /* other names it answers to; NULL-terminated */
    const char *description;    /* one line */
    const char *source;         /* "source" of its objects in tracking JSON */
    const char *label;          /* "label" of its objects ("face") */
    ft_landmark_scheme landmarks; /* the most detailed scheme it gives */
    int blendshapes;            /* it can give the 52 blendshapes */
    int pose;                   /* it can give the transformation matrix and pose */
    const char *const *options; /* the ft_face_options fields it honours;
                                   NULL-terminated */
} ft_engine_info;

/* The registry, in a fixed order. */
FT_API int ft_engine_count(void);
FT_API const ft_engine_info *ft_engine_at(int index);
/* The engine called NAME or one of its aliases, any case; NULL when none. */
FT_API const ft_engine_info *ft_engine_find(const char *name);
/* 1 when this build can create ENGINE; else 0, and one line saying why in
 * WHY (may be NULL). */
FT_API int ft_engine_available(const ft_engine_info *engine, char *why, size_t why_size);

typedef struct ft_face_options {
    const char *engine; /* registry name or alias; NULL = "mediapipe_landmarker" */
    /* Model files; NULL = the default found on the model search path
     * (ft_face_default_model()). "" disables blendshapes or the matrix. */
    const char *detector_model;   /* BlazeFace full or short range .tflite
                                     (opencv_yunet: a YuNet .onnx, insightface:
                                     an SCRFD *_kps .onnx) */
    const char *landmark_model;   /* v2 (face_landmarker.task), attention or legacy mesh */
    const char *blendshape_model; /* face_landmarker.task:face_blendshapes.tflite */
    const char *geometry_model;   /* geometry_pipeline_metadata_landmarks.binarypb */
    int num_faces;                /* at most this many faces per frame: 5 */
    float min_detection_confidence; /* detector score >= this: 0.5 */
    float min_presence_confidence;  /* landmark presence > this: 0.5 */
    float min_tracking_confidence;  /* IoU above which a detection is a tracked face: 0.5 */
    int video;           /* 1 (default): frames form a sequence: tracking,
                            smoothing, IDs across frames. 0: independent stills */
    int detect_interval; /* video: run the detector every N frames to find
                            faces that enter (1 = every frame): 10. It also
                            runs whenever no face or a lost face, and after a cut */
    int max_tile_px;     /* detection tiles of at most this side on large
                            frames, to find small faces: 1088; 0 = one pass
                            over the letterboxed frame, as MediaPipe */
    int smoothing;       /* -1 (default): on for video, off for stills; 0; 1 */
    float smoothing_min_cutoff;      /* One-Euro: 0.05 */
    float smoothing_beta;            /* 80 */
    float smoothing_derivate_cutoff; /* 1 */
    int max_lost_frames; /* an ID survives this many frames without the face: 25 */
    int blendshape_interval; /* video: a face's blendshapes are computed every
                                N frames and repeated between: 1 (every frame) */
    int threads;         /* inference threads: 1 (with a GPU: the threads that
                            prepare its inputs) */
    int gpu_device;      /* -1 (default): models on the CPU; N: on CUDA device N
                            (FT_ERR_NO_DEVICE when it cannot be used) */
    int gpu_fp16;        /* on a GPU: 1 stores activations and weights as fp16
                            (faster; landmarks within docs/gpu.md's figures), 0 fp32 */
    int finish_ahead;    /* video, send/receive: 1 computes a frame's blendshapes,
                            matrix and pose on a thread of the engine's own while
                            the next frame is tracked, so its faces come out one
                            send later (the same faces); 0 never; -1 (default):
                            where the landmark model runs on a GPU, whose wait
                            it fills. ft_face_engine_process() is unaffected */
    int whole_frame_pass; /* 1 (default): wherever detection runs, the short-range
                             detector (MediaPipe's own, "short_range_detector" on
                             the model search path) also runs once on the whole
                             letterboxed frame and adds the faces the tiles did
                             not find, so close-ups MediaPipe finds are found.
                             0: the detector_model on tiles only */
    /* Detection-only engines (opencv_yunet, insightface), whose detector's
     * boxes and 5 keypoints are the faces: */
    int detect_every_n;  /* video: run the detector every N frames and repeat
                            its faces in between (the original's
                            *_DETECT_EVERY_N): 1 */
    int max_width;       /* frames wider than this are scaled down to it
                            before detection: 0 = the engine's default (YuNet
                            640, InsightFace 1280) */
    int detector_size;   /* square detector input side (InsightFace's
                            det_size): 0 = 640 */
    /* eos: the morphable model's files; NULL = by file name in
     * eos_models_dir when set, else on the model search path. */
    const char *eos_models_dir;
    const char *eos_shape_model;       /* sfm_shape_3448.bin */
    const char *eos_expression_model;  /* expression_blendshapes_3448.bin */
    const char *eos_landmark_mapper;   /* ibug_to_sfm.txt */
    const char *eos_edge_topology;     /* sfm_3448_edge_topology.json */
    const char *eos_model_contour;     /* sfm_model_contours.json */
    const char *eos_contour_landmarks; /* NULL = the landmark mapper */
} ft_face_options;

FT_API void ft_face_options_init(ft_face_options *options);

/* Default model NAME ("detector", "landmarks", "blendshapes", "geometry")
 * found on the model search path into OUT. FT_ERR_NOT_FOUND when none. */
FT_API ft_status ft_face_default_model(const char *name, char *out, size_t out_size);

typedef struct ft_face {
    int id;                 /* stable while tracked and through short losses */
    float detection_score;  /* detector score when the face was last detected */
    float presence;         /* landmark model's face presence, this frame */
    int detected;           /* 1 when this frame's detector found it */
    float box[4];           /* x, y, width, height in pixels: the landmarks' bounds */
    ft_landmark_scheme landmark_scheme; /* which points landmarks[] holds */
    int landmark_count;     /* how many: the scheme's count (478, or 468 with
                               the legacy mesh model) */
    float landmarks[FT_FACE_MAX_LANDMARKS][3]; /* pixels; z in pixels at the
                                                  face's scale, smaller = nearer */
    float landmarks_norm[FT_FACE_MAX_LANDMARKS][3]; /* MediaPipe's normalised
                                                       x, y, z */
    int has_blendshapes;
    float blendshapes[FT_FACE_BLENDSHAPE_COUNT]; /* MediaPipe order; names
                                                    from ft_face_blendshape_name */
    int has_matrix;
    float matrix[16];       /* facial transformation, column-major, cm */
    float yaw, pitch, roll; /* degrees, from the matrix (see docs/face_engine.md) */
    /* eos: the fitted model's coefficients (counts 0 for other engines) */
    int shape_coeff_count;
    float shape_coeffs[FT_FACE_MAX_SHAPE_COEFFS];
    int expression_coeff_count;
    float expression_coeffs[FT_FACE_MAX_EXPRESSION_COEFFS];
    float fit_error; /* eos: mean distance in pixels from the fitted mesh's
                        projection to the landmarks it was fitted to */
} ft_face;

/* An image in memory: RGB24, BGR24, RGBA or GRAY8. */
typedef struct ft_image {
    const uint8_t *data;
    int width, height;
    int stride; /* bytes per row */
    ft_pixfmt format;
} ft_image;

/* An instance of an engine class. Thread-safety: one engine per thread;
 * create several to process videos in parallel (their models are loaded
 * once per process and shared). */
typedef struct ft_face_engine ft_face_engine;

FT_API ft_status ft_face_engine_create(const ft_face_options *options, ft_face_engine **out, char *err,
                                size_t err_size);
FT_API void ft_face_engine_free(ft_face_engine *engine);
FT_API const char *ft_face_engine_error(const ft_face_engine *engine);
/* The class of ENGINE. */
FT_API const ft_engine_info *ft_face_engine_info(const ft_face_engine *engine);

/* Push/pull, as FFmpeg's codecs: an engine may hold several frames (to batch
 * them, or while a device works) before their faces come out, in order.
 *
 * send: gives the engine one frame; it copies what it needs before
 * returning. TIMESTAMP_US must increase within a video (smoothing uses it).
 * FT_EAGAIN: results are waiting, receive them first. IMAGE NULL: no more
 * frames; the engine finishes what it holds (drain).
 *
 * receive: copies the faces of the oldest finished frame into FACES (caller
 * owned, CAPACITY >= the engine's num_faces), in increasing id order, with
 * their *COUNT and the frame's *TIMESTAMP_US (may be NULL). FT_EAGAIN: send
 * more frames first. FT_EOF: drained, nothing more; ft_face_engine_reset()
 * makes the engine take frames again. */
FT_API ft_status ft_face_engine_send(ft_face_engine *engine, const ft_image *image,
                                     int64_t timestamp_us);
/* send, of a frame as the reader hands it out: RGB24, RGBA, BGR24 or gray
 * on the host, or FT_PIXFMT_CUDA_NV12 on a GPU for an engine that reads
 * frames there. */
FT_API ft_status ft_face_engine_send_frame(ft_face_engine *engine, const ft_frame *frame,
                                           int64_t timestamp_us);
/* 1 when ENGINE reads FT_PIXFMT_CUDA_NV12 frames where they are (its model
 * warps run on the GPU, and only their tensors come back). */
FT_API int ft_face_engine_takes_device_frames(const ft_face_engine *engine);
FT_API ft_status ft_face_engine_receive(ft_face_engine *engine, ft_face *faces, int capacity,
                                        int *count, int64_t *timestamp_us);

/* One frame in, its faces out: send then receive. *FACES (owned by the
 * engine, valid until the next call) gets *COUNT faces in increasing id
 * order. */
FT_API ft_status ft_face_engine_process(ft_face_engine *engine, const ft_image *image,
                                 int64_t timestamp_us, const ft_face **faces, int *count);

/* The next frame sent starts a new shot: faces are detected afresh and get
 * new IDs. */
FT_API void ft_face_engine_signal_cut(ft_face_engine *engine);
/* Forgets everything between videos; IDs restart at 0. */
FT_API void ft_face_engine_reset(ft_face_engine *engine);

/* Time spent per stage since the engine was created (wall clock, ms). */
typedef struct ft_face_timings {
    int64_t frames;
    double detection_ms;   /* detector passes, tiles and turned passes included */
    double landmarks_ms;   /* landmark model runs */
    double blendshapes_ms; /* blendshape model runs */
    double geometry_ms;    /* transformation matrix and pose */
    double total_ms;       /* whole frames, from send to faces ready */
} ft_face_timings;

FT_API void ft_face_engine_timings(const ft_face_engine *engine, ft_face_timings *out);

/* "_neutral", "browDownLeft", ...; NULL out of range. */
FT_API const char *ft_face_blendshape_name(int index);


/* ---- Objects: COCO object detection (persons and 79 other classes) ---- */

typedef struct ft_object {
    float box[4];      /* x, y, width, height in pixels of the image */
    float score;       /* the detector's confidence, 0..1 */
    int class_id;      /* COCO category, 0 (person) .. 79 */
    const char *label; /* its name: "person", "chair", ... (static) */
} ft_object;

typedef struct ft_object_options {
    const char *model;   /* "centernet" (default, NULL), "nanodet", a TF.js
                            model.json, an ONNX file (YOLOv8/YOLO11 or
                            NanoDet-Plus exports) or a TFLite detector ending
                            in TFLite_Detection_PostProcess (EfficientDet-Lite,
                            SSD; normalisation and labels from its metadata),
                            or one of the original's names (efficientdet_lite0/
                            1/2, ssd_mobilenet_v3, yolo11n_onnx, nanodet_plus):
                            its files on the model search path; those not
                            found stand for the default, with a warning */
    float min_score;     /* keep objects scoring at least this: 0.5 */
    int max_results;     /* at most this many per image, best first: 5 */
    float iou_threshold; /* overlap above which the weaker box goes: 0.4 */
    int threads;         /* CPU threads for the model: 1 */
} ft_object_options;

FT_API void ft_object_options_init(ft_object_options *options);

/* Thread-safety: one detector per thread; the model is loaded once per
 * process and shared. */
typedef struct ft_object_detector ft_object_detector;

FT_API ft_status ft_object_detector_create(const ft_object_options *options,
                                           ft_object_detector **out, char *err, size_t err_size);
FT_API void ft_object_detector_free(ft_object_detector *detector);
FT_API const char *ft_object_detector_error(const ft_object_detector *detector);
/* The model's kind ("centernet", "nanodet", "yolo", "nanodet_plus",
 * "tflite_detection") and file. */
FT_API const char *ft_object_detector_model(const ft_object_detector *detector);
FT_API const char *ft_object_detector_path(const ft_object_detector *detector);

/* The objects of IMAGE (RGB24) into *OBJECTS (owned by the detector, valid
 * until the next call), best first, *COUNT of them. */
FT_API ft_status ft_object_detector_detect(ft_object_detector *detector, const ft_image *image,
                                           const ft_object **objects, int *count);

/* The COCO category name of CLASS_ID; NULL out of range. */
FT_API const char *ft_object_label(int class_id);

#ifdef __cplusplus
}
#endif
#endif /* FACETRACK_H */
