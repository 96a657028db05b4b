/* TFLite's TFLite_Detection_PostProcess custom op (SSD and EfficientDet-Lite
 * models end in it), on the reference backend. */
#ifndef FT_NN_REF_DETECTION_POSTPROCESS_H
#define FT_NN_REF_DETECTION_POSTPROCESS_H

#include "nn/ref_kernels.h"

#define FT_DETECTION_POSTPROCESS "TFLite_Detection_PostProcess"

/* NULL when OP fits the kernel, else the reason. */
const char *ft_ref_check_detection_postprocess(const ft_nn_graph *graph, const ft_nn_op *op);
ft_status ft_ref_run_detection_postprocess(const ft_ref_call *call);

#endif
