/* InsightFace's landmark models (2d106det, 1k3d68) on models of the same
 * signature built here: input [1, 3, 192, 192] -> (a "bn_data" node or not)
 * -> the mean of each channel -> Gemm -> [1, K]. On a one-colour image the
 * outputs are known in closed form, which checks the input normalisation
 * (0/1 for MXNet exports with "bn_data", 127.5/128 otherwise), the channel
 * order (red drives x, blue drives y), the decoding (the last 68 of 1103 3D
 * points; (v + 1) * 96 back through the crop) and the crop's geometry (the
 * box enlarged 1.5 times around its centre). Then the insightface engine
 * with such a model on a real face: 68 points and jawOpen from them as the
 * original computed it. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "face/insightface_landmarks.h"
#include "face/mesh_to_ibug68.h"
#include "face_test_util.h"
#include "onnx_builder.h"

#define SIDE 192
#define MAX_K 3309

static char dir[] = "/tmp/ft_insightface_lm_XXXXXX";

/* The value of output K for channel means MEAN[3]: red drives even outputs
 * (x), blue odd ones (y), green all a little, plus a bias pattern. */
static void weights(int k_count, float *w /* [3][K] */, float *b)
{
    for (int k = 0; k < k_count; k++) {
        w[0 * k_count + k] = k % 2 == 0 ? 0.2f : 0.0f;
        w[1 * k_count + k] = 0.01f;
        w[2 * k_count + k] = k % 2 == 1 ? 0.3f : 0.0f;
        b[k] = (float)(k % 7 - 3) * 0.05f;
    }
}

static Onnx__TensorProto *tensor(Onnx__TensorProto *t, char *name, int64_t *dims, size_t rank,
                                 float *data, size_t count)
{
    onnx__tensor_proto__init(t);
    t->name = name;
    t->has_data_type = 1;
    t->data_type = 1;
    t->n_dims = rank;
    t->dims = dims;
    t->n_float_data = count;
    t->float_data = data;
    return t;
}

/* Writes the model to PATH: K outputs, with or without a "bn_data" first
 * node (an identity batch normalisation). */
static void write_model(const char *path, int k_count, int bn_data)
{
    static float w[3 * MAX_K], b[MAX_K];
    weights(k_count, w, b);
    float one[3] = {1, 1, 1}, zero[3] = {0, 0, 0}, var[3];
    for (int c = 0; c < 3; c++)
        var[c] = 1.0f - 1e-5f; /* with epsilon 1e-5: a division by 1 */
    int64_t wdims[2] = {3, k_count}, bdims[1] = {k_count}, cdims[1] = {3};
    Onnx__TensorProto tw, tb, ts, tbias, tm, tv;
    Onnx__TensorProto *inits[6] = {tensor(&tw, "W", wdims, 2, w, (size_t)(3 * k_count)),
                                   tensor(&tb, "B", bdims, 1, b, (size_t)k_count),
                                   tensor(&ts, "bn_scale", cdims, 1, one, 3),
                                   tensor(&tbias, "bn_bias", cdims, 1, zero, 3),
                                   tensor(&tm, "bn_mean", cdims, 1, zero, 3),
                                   tensor(&tv, "bn_var", cdims, 1, var, 3)};

    Onnx__NodeProto bn, mean, gemm, *nodes[3];
    char *bn_in[5] = {"data", "bn_scale", "bn_bias", "bn_mean", "bn_var"}, *bn_out[1] = {"normed"};
    char *mean_in[1] = {bn_data ? "normed" : "data"}, *mean_out[1] = {"pooled"};
    char *gemm_in[3] = {"pooled", "W", "B"}, *gemm_out[1] = {"fc1"};
    onnx__node_proto__init(&bn);
    bn.name = "bn_data";
    bn.op_type = "BatchNormalization";
    bn.n_input = 5;
    bn.input = bn_in;
    bn.n_output = 1;
    bn.output = bn_out;
    Onnx__AttributeProto axes, keep, *mean_attrs[2] = {&axes, &keep};
    int64_t axis_values[2] = {2, 3};
    onnx__attribute_proto__init(&axes);
    axes.name = "axes";
    axes.has_type = 1;
    axes.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
    axes.n_ints = 2;
    axes.ints = axis_values;
    onnx__attribute_proto__init(&keep);
    keep.name = "keepdims";
    keep.has_type = 1;
    keep.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
    keep.has_i = 1;
    keep.i = 0;
    onnx__node_proto__init(&mean);
    mean.name = "pool";
    mean.op_type = "ReduceMean";
    mean.n_input = 1;
    mean.input = mean_in;
    mean.n_output = 1;
    mean.output = mean_out;
    mean.n_attribute = 2;
    mean.attribute = mean_attrs;
    onnx__node_proto__init(&gemm);
    gemm.name = "fc";
    gemm.op_type = "Gemm";
    gemm.n_input = 3;
    gemm.input = gemm_in;
    gemm.n_output = 1;
    gemm.output = gemm_out;
    int n = 0;
    if (bn_data)
        nodes[n++] = &bn;
    nodes[n++] = &mean;
    nodes[n++] = &gemm;

    const int64_t in_shape[4] = {1, 3, SIDE, SIDE}, out_shape[2] = {1, k_count};
    Onnx__TensorShapeProto__Dimension dims[2][4], *dimp[2][4];
    Onnx__TensorShapeProto sp[2];
    Onnx__TypeProto__Tensor tt[2];
    Onnx__TypeProto types[2];
    Onnx__ValueInfoProto vin, vout;
    Onnx__ValueInfoProto *ins[1] = {onnx_float_value("data", in_shape, 4, dims[0], dimp[0], &sp[0], &tt[0], &types[0], &vin)};
    Onnx__ValueInfoProto *outs[1] = {onnx_float_value("fc1", out_shape, 2, dims[1], dimp[1], &sp[1], &tt[1], &types[1], &vout)};
    Onnx__GraphProto g;
    onnx__graph_proto__init(&g);
    g.name = "landmarks";
    g.n_node = (size_t)n;
    g.node = nodes;
    g.n_initializer = bn_data ? 6 : 2;
    g.initializer = inits;
    g.n_input = 1;
    g.input = ins;
    g.n_output = 1;
    g.output = outs;
    size_t size;
    uint8_t *buf = onnx_pack_model(&g, &size);
    assert_non_null(buf);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, size, f), size);
    fclose(f);
    free(buf);
}

static char *model_path(const char *name)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

/* A W x H image of one colour, and the points the model must give for
 * the face in BOX. */
static void check_points(const char *file, int k_count, int bn_data, int points, int dims)
{
    enum { W = 640, H = 480 };
    static uint8_t pixels[W * H * 3];
    const uint8_t rgb[3] = {200, 90, 30};
    for (int i = 0; i < W * H; i++)
        memcpy(&pixels[i * 3], rgb, 3);
    const ft_face_image img = {pixels, W, H, W * 3, 3, NULL};
    write_model(model_path(file), k_count, bn_data);
    ft_insightface_landmarker *l;
    char err[512];
    const ft_model_place place = {.pool = NULL, .threads = 1, .gpu_device = -1};
    if (ft_insightface_landmarker_open(model_path(file), &place, &l, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    assert_int_equal(ft_insightface_landmarker_points(l), points);
    const float box[4] = {250.5f, 140.25f, 370.5f, 300.25f}; /* 120 x 160 */
    static float out[106][3];
    if (ft_insightface_landmarks(l, &img, box, out, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    static float w[3 * MAX_K], b[MAX_K];
    weights(k_count, w, b);
    const float mean = bn_data ? 0.0f : 127.5f, std = bn_data ? 1.0f : 128.0f;
    const float side = 160 * 1.5f, cx = 310.5f, cy = 220.25f;
    const int skip = k_count / dims - points;
    double worst = 0;
    for (int i = 0; i < points; i++)
        for (int a = 0; a < dims; a++) {
            const int k = (skip + i) * dims + a;
            double v = b[k];
            for (int c = 0; c < 3; c++)
                v += w[c * k_count + k] * ((rgb[c] - mean) / std);
            const double want = a == 0 ? cx + v * side / 2 : a == 1 ? cy + v * side / 2 : v * side / 2;
            worst = fmax(worst, fabs(out[i][a] - want));
        }
    printf("%s: %d points, worst |error| %.4f px\n", file, points, worst);
    assert_true(worst < 0.05);
    ft_insightface_landmarker_free(l);
}

static void reads_2d106det(void **state)
{
    (void)state;
    check_points("2d106det_bn.onnx", 212, 1, 106, 2);
    check_points("2d106det_plain.onnx", 212, 0, 106, 2);
}

static void reads_1k3d68(void **state)
{
    (void)state;
    check_points("1k3d68.onnx", 3309, 1, 68, 3);
}

static void refuses_other_models(void **state)
{
    (void)state;
    write_model(model_path("other.onnx"), 10, 1);
    ft_insightface_landmarker *l;
    char err[512];
    const ft_model_place place = {.pool = NULL, .threads = 1, .gpu_device = -1};
    assert_int_not_equal(ft_insightface_landmarker_open(model_path("other.onnx"), &place, &l, err, sizeof err),
                         FT_OK);
    printf("%s\n", err);
    assert_non_null(strstr(err, "other.onnx"));
    assert_non_null(strstr(err, "not an InsightFace landmark model"));
    assert_int_not_equal(ft_insightface_landmarker_open(model_path("missing.onnx"), &place, &l, err, sizeof err),
                         FT_OK);
    assert_non_null(strstr(err, "missing.onnx"));
}

/* The engine with the 1k3d68 stand-in on a real face: its 68 points are
 * the faces' landmarks, with jawOpen and a pose. */
static void engine_uses_the_model(void **state)
{
    (void)state;
    char clip[4096], scrfd[4096];
    snprintf(clip, sizeof clip, "%s", ft_test_shared_path("media/faces/liveportrait_driving_d0.mp4"));
    snprintf(scrfd, sizeof scrfd, "%s", ft_test_shared_path("models/scrfd_500m_kps_640.onnx"));
    if (!ft_test_have(scrfd) || !ft_test_have(clip))
        skip();
    ft_face_image img;
    assert_int_equal(ft_test_load_rgb(clip, &img), 0);
    write_model(model_path("engine_1k3d68.onnx"), 3309, 1);
    ft_face_options o;
    ft_face_options_init(&o);
    o.engine = "insightface";
    o.detector_model = scrfd;
    o.landmark_model = model_path("engine_1k3d68.onnx");
    ft_face_engine *e;
    char err[512];
    if (ft_face_engine_create(&o, &e, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    const ft_image image = {img.data, img.width, img.height, img.stride, FT_PIXFMT_RGB24};
    const ft_face *faces;
    int n = 0;
    assert_int_equal(ft_face_engine_process(e, &image, 0, &faces, &n), FT_OK);
    assert_true(n >= 1);
    const ft_face *f = &faces[0];
    assert_int_equal(f->landmark_scheme, FT_LANDMARKS_68);
    assert_int_equal(f->landmark_count, 68);
    assert_true(f->has_blendshapes);
    int jaw = -1;
    for (int i = 0; i < FT_FACE_BLENDSHAPE_COUNT; i++)
        if (strcmp(ft_face_blendshape_name(i), "jawOpen") == 0)
            jaw = i;
    float xy[68][2];
    for (int i = 0; i < 68; i++) {
        xy[i][0] = f->landmarks[i][0];
        xy[i][1] = f->landmarks[i][1];
    }
    assert_float_equal(f->blendshapes[jaw], ft_ibug68_jaw_open((const float(*)[2])xy), 1e-6);
    /* the points lie around the face's box centre, as the model's output says */
    for (int i = 0; i < 68; i++)
        assert_true(isfinite(f->landmarks[i][0]) && isfinite(f->landmarks[i][1]));
    printf("face box %.0f %.0f %.0f %.0f, jawOpen %.3f, pose %s\n", f->box[0], f->box[1], f->box[2],
           f->box[3], f->blendshapes[jaw], f->has_matrix ? "yes" : "no");
    ft_face_engine_free(e);
    ft_test_free_image(&img);
}

static int cleanup(void **state)
{
    (void)state;
    const char *files[] = {"2d106det_bn.onnx", "2d106det_plain.onnx", "1k3d68.onnx", "other.onnx",
                           "engine_1k3d68.onnx"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        remove(model_path(files[i]));
    remove(dir);
    return 0;
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_2d106det),        cmocka_unit_test(reads_1k3d68),
        cmocka_unit_test(refuses_other_models),  cmocka_unit_test(engine_uses_the_model),
    };
    return cmocka_run_group_tests(tests, NULL, cleanup);
}
