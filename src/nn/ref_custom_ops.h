/* Reference kernels of the TFLite custom ops that MediaPipe models use (the
 * attention face landmark model): Landmarks2TransformMatrix v2,
 * TransformTensorBilinear v2 and TransformLandmarks v2, with the semantics
 * of mediapipe/util/tflite/operations. Options come from the op's
 * FlexBuffers map (attrs.custom_options). */
#ifndef FT_NN_REF_CUSTOM_OPS_H
#define FT_NN_REF_CUSTOM_OPS_H

#include "nn/graph.h"
#include "nn/ref_kernels.h"

/* Runs a custom op; FT_ERR_UNSUPPORTED for a name it does not know. */
ft_status ft_ref_run_custom(const ft_ref_call *call);

/* Checks a custom op's options and tensors; a reason, or NULL when the
 * kernel can run it. */
const char *ft_ref_check_custom(const ft_nn_graph *graph, const ft_nn_op *op);

#endif
