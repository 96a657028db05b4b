/* Settings of `facetrack track`: every knob with its command-line flag, the
 * original workflow's environment variable and its default. Values are
 * looked up in layers, first hit wins: command line > process environment >
 * .env file > default. Invalid values are errors, never silently replaced. */
#ifndef FT_TRACK_CONFIG_H
#define FT_TRACK_CONFIG_H

#include <stddef.h>

#include "facetrack.h"

typedef enum ft_track_format {
    FT_TRACK_FORMAT_RAW = 0, /* <stem>.json, STEP5's raw schema */
    FT_TRACK_FORMAT_REDUCED  /* <stem>_tracking.json, STEP6's reduced schema */
} ft_track_format;

typedef enum ft_progress_mode {
    FT_PROGRESS_AUTO = 0, /* a bar when stderr is a terminal, else none */
    FT_PROGRESS_BAR,
    FT_PROGRESS_JSON,     /* one JSON event per line on stdout */
    FT_PROGRESS_LEGACY,   /* the original manager's French lines on stdout */
    FT_PROGRESS_NONE
} ft_progress_mode;

typedef enum ft_blendshape_profile {
    FT_BLENDSHAPES_FULL = 0, /* all 52 */
    FT_BLENDSHAPES_NONE,     /* blendshapes: null */
    FT_BLENDSHAPES_MOUTH,    /* mouth* and jaw* (tongueOut only if include_tongue) */
    FT_BLENDSHAPES_MEDIAPIPE,/* MediaPipe's 52 (with _neutral, no tongueOut) */
    FT_BLENDSHAPES_CUSTOM    /* the names in export_keys */
} ft_blendshape_profile;

#define FT_TRACK_MAX_KEYS 64

typedef struct ft_track_config {
    /* engine */
    char engine[32];            /* STEP5_TRACKING_ENGINE / --engine: canonical
                                   name, "mediapipe_landmarker" (alias "mediapipe") */
    int max_faces;              /* STEP5_MEDIAPIPE_MAX_FACES / --max-faces: 5 */
    float min_detection_confidence; /* --min-detection-confidence: 0.5 */
    float min_presence_confidence;  /* --min-presence-confidence: 0.5 */
    float min_tracking_confidence;  /* --min-tracking-confidence: 0.5 */
    int detect_every;           /* --detect-every: 10 */
    int max_width;              /* STEP5_MEDIAPIPE_MAX_WIDTH / --max-width: 0 = none */
    int yunet_max_width;        /* STEP5_YUNET_MAX_WIDTH: 640 */
    float jawopen_scale;        /* STEP5_MEDIAPIPE_JAWOPEN_SCALE: 1.0 */
    int blendshapes_every;      /* STEP5_BLENDSHAPES_THROTTLE_N / --blendshapes-every: 1 */
    ft_blendshape_profile blendshape_profile; /* STEP5_BLENDSHAPES_PROFILE: full */
    int include_tongue;         /* STEP5_BLENDSHAPES_INCLUDE_TONGUE: 0 */
    int export_key_count;       /* STEP5_BLENDSHAPES_EXPORT_KEYS (comma list) */
    char export_keys[FT_TRACK_MAX_KEYS][32];
    /* the detection-only engines (opencv_yunet, insightface) */
    char yunet_model[1024];     /* STEP5_YUNET_MODEL_PATH: "" = on the model search path */
    int opencv_max_faces;       /* STEP5_OPENCV_MAX_FACES: 0 = unset */
    float opencv_jawopen_scale; /* STEP5_OPENCV_JAWOPEN_SCALE (opencv_yunet_pyfeat): 1.0 */
    char haar_cascade[1024];    /* STEP5_OPENCV_HAAR_CASCADE_PATH: "" = opencv-data's frontal face */
    char insightface_model[1024]; /* STEP5_INSIGHTFACE_MODEL_PATH: "" = INSIGHTFACE_HOME's
                                   pack, else the model search path */
    char insightface_home[1024];  /* INSIGHTFACE_HOME: "" = ~/.insightface */
    char insightface_pack[128];   /* STEP5_INSIGHTFACE_MODEL_NAME: antelopev2 */
    int insightface_det_size;   /* STEP5_INSIGHTFACE_DET_SIZE: 640 */
    int insightface_max_width;  /* STEP5_INSIGHTFACE_MAX_WIDTH: 0 = unset */
    int insightface_max_faces;  /* STEP5_INSIGHTFACE_MAX_FACES: 0 = unset */
    int insightface_every;      /* STEP5_INSIGHTFACE_DETECT_EVERY_N: 0 = unset */
    float insightface_jawopen_scale; /* STEP5_INSIGHTFACE_JAWOPEN_SCALE: 1.0 */
    char insightface_modules[256];   /* STEP5_INSIGHTFACE_ALLOWED_MODULES: "" = all */
    /* openseeface */
    char osf_models_dir[1024];  /* STEP5_OPENSEEFACE_MODELS_DIR: "" = the model search path */
    int osf_model_id;           /* STEP5_OPENSEEFACE_MODEL_ID: 1 (0..4) */
    char osf_detector[1024];    /* STEP5_OPENSEEFACE_DETECTION_MODEL_PATH: "" = unset */
    char osf_landmarks[1024];   /* STEP5_OPENSEEFACE_LANDMARK_MODEL_PATH: "" = unset */
    int osf_every;              /* STEP5_OPENSEEFACE_DETECT_EVERY_N: 0 = unset */
    float osf_threshold;        /* STEP5_OPENSEEFACE_DETECTION_THRESHOLD: 0.6 */
    int osf_max_faces;          /* STEP5_OPENSEEFACE_MAX_FACES: 1 */
    int osf_max_width;          /* STEP5_OPENSEEFACE_MAX_WIDTH: 0 = unset */
    float osf_jawopen_scale;    /* STEP5_OPENSEEFACE_JAWOPEN_SCALE: 1.0 */
    /* eos: its model files ("" = STEP5_EOS_MODELS_DIR, else the model search path) */
    char eos_models_dir[1024];  /* STEP5_EOS_MODELS_DIR: "" = the model search path */
    char eos_shape[1024];       /* STEP5_EOS_SFM_MODEL_PATH */
    char eos_expressions[1024]; /* STEP5_EOS_EXPRESSION_BLENDSHAPES_PATH */
    char eos_mapper[1024];      /* STEP5_EOS_LANDMARK_MAPPER_PATH */
    char eos_edges[1024];       /* STEP5_EOS_EDGE_TOPOLOGY_PATH */
    char eos_contour[1024];     /* STEP5_EOS_MODEL_CONTOUR_PATH */
    char eos_contour_landmarks[1024]; /* STEP5_EOS_CONTOUR_LANDMARKS_PATH: "" = the mapper */
    int eos_every;              /* STEP5_EOS_FIT_EVERY_N: 0 = unset */
    int eos_max_faces;          /* STEP5_EOS_MAX_FACES: 0 = unset */
    int eos_max_width;          /* STEP5_EOS_MAX_WIDTH: 1280 */
    float eos_jawopen_scale;    /* STEP5_EOS_JAWOPEN_SCALE: 1.0 */
    /* what the engine in use gets, resolved from the above */
    char detector_model[1024];  /* "" = the engine's default */
    char landmark_model[1024];  /* "" = the engine's default */
    int landmarks_off;          /* 1: the engine runs without its landmark model */
    int detect_every_n;         /* detection-only engines' throttle: 1 */
    int engine_max_width;       /* their downscale width: 0 = the engine's default */
    int detector_size;          /* their square input side: 0 = the engine's default */
    /* resources */
    int workers;                /* TRACKING_CPU_WORKERS / --workers: CPU count */
    int disable_gpu;            /* TRACKING_DISABLE_GPU / --cpu: 0 */
    int enable_gpu;             /* STEP5_ENABLE_GPU (exactly "1") / --gpu: 0 */
    char gpu_engines[256];      /* STEP5_GPU_ENGINES: "" (comma list, lower case, "all") */
    int gpu_fallback_auto;      /* STEP5_GPU_FALLBACK_AUTO: 1 */
    int gpu_max_vram_mb;        /* STEP5_GPU_MAX_VRAM_MB: 2048 (per device) */
    int gpu_device;             /* --gpu-device N: -1 = every visible device */
    int gpu_fp16;               /* --gpu-fp16: fp16 storage on the GPU: 0 */
    int cpu_decode;             /* --cpu-decode: no NVDEC under --gpu: 0 */
    int gpu_profiling;          /* STEP5_GPU_PROFILING: [PROFILING] lines with VRAM: 0 */
    /* output */
    ft_track_format format;     /* --format raw|reduced: raw */
    int verbose_fields;         /* STEP5_EXPORT_VERBOSE_FIELDS / --verbose-fields: 0 */
    int pretty;                 /* --pretty: 0 */
    int force;                  /* --force: 0 */
    int detect_scenes;          /* --scenes: find shot cuts when there is no <stem>.csv: 0 */
    char output_dir[1024];      /* -o/--output-dir: "" = next to each video */
    /* operation */
    int profiling;              /* STEP5_ENABLE_PROFILING / --profile: 0 */
    ft_progress_mode progress;  /* --progress auto|bar|json|legacy|none */
    int shard_index, shard_count; /* --shard K/N: 1/1 (K is 1-based) */
    /* COCO objects (docs/objects.md) */
    int enable_objects;         /* STEP5_ENABLE_OBJECT_DETECTION / --objects: 0 */
    char object_model[1024];    /* STEP5_OBJECT_DETECTOR_MODEL / --object-model: "" = centernet */
    char object_model_path[1024]; /* STEP5_OBJECT_DETECTOR_MODEL_PATH: "" = by name */
    float object_threshold;     /* --object-threshold: -1 = the original's 0.4 on the
                                   CPU, 0.5 on a GPU */
    int object_max_results;     /* --object-max-results: 5 */
    int objects_every_frame;    /* --objects-every-frame: 0 = only frames without a face */
    float object_distance;      /* --object-distance: the tracker's radius, 80 px (the
                                   original's CPU configuration) */
    /* The original's sequential MediaPipe path switched objects on by itself
     * in a video where fewer than 10 % of the frames so far had a face,
     * checked every 50 frames (docs/objects.md) */
    int auto_objects;           /* STEP5_AUTO_OBJECT_DETECTION: 1 */
    int no_auto_objects;        /* --no-auto-objects: 0 */
} ft_track_config;

/* One command-line value: NAME is the setting's environment-variable name
 * (the key every layer shares, e.g. "TRACKING_CPU_WORKERS"), or for settings
 * without one, the long flag without dashes ("detect-every", "format"). */
typedef struct ft_config_value {
    const char *name;
    const char *value;
} ft_config_value;

/* Resolves every setting. CLI holds the command line's values (N of them);
 * ENV_FILE is the .env to read, or NULL for "./.env" when it exists (an
 * explicitly named file that is missing is an error). On failure ERR gets
 * one line naming the setting, where it came from and why it is invalid
 * ("STEP5_BLENDSHAPES_THROTTLE_N=0 (from .env): must be an integer >= 1"). */
ft_status ft_track_config_resolve(ft_track_config *cfg, const ft_config_value *cli, size_t n,
                                  const char *env_file, char *err, size_t err_size);

/* The same, as a run resolves its settings, like the original: an invalid
 * value from the environment or a .env file is named in a warning and the
 * default used ("STEP5_BLENDSHAPES_THROTTLE_N=0 (from .env): must be an
 * integer >= 1; using the default 1"), while one from the command line
 * stays an error. ENV_FILE NULL: $FACETRACK_ENV_FILE, else ./.env when it
 * exists; a folder stands for the .env file in it. Every variable of the
 * original that is set but not acted upon is named once in a warning
 * ("ignored: STEP5_FOO (not supported: why)"), as is an unknown STEP5_* or
 * TRACKING_* name. */
ft_status ft_track_config_resolve_run(ft_track_config *cfg, const ft_config_value *cli, size_t n,
                                      const char *env_file, char *err, size_t err_size);

/* The face engine's options as CFG resolves them (engine, thresholds,
 * models, throttles, eos files) into FO, initialised first; what belongs
 * to one worker (threads, GPU device) is left to the caller. The strings
 * point into CFG. */
void ft_track_config_face_options(const ft_track_config *cfg, ft_face_options *fo);

/* The known settings, for `facetrack track --list-settings` and
 * .env.example: each variable of the environment, its default ("" when it
 * has none; NULL: the CPU count) and, when it is not acted upon, why
 * (NULL when it is). I runs from 0 until the function returns 0. */
int ft_track_config_known(size_t i, const char **name, const char **def, const char **ignored_why);

/* How a command-line flag of the original worker scripts maps onto this
 * program: SETTING is the setting it sets (NULL: none), IGNORED_WHY why it
 * is not acted upon (NULL: it is). 0 when FLAG (with its dashes) is not
 * one of them. TAKES_VALUE says whether a value follows it. */
int ft_track_original_flag(const char *flag, const char **setting, int *takes_value,
                           const char **ignored_why);

#endif
