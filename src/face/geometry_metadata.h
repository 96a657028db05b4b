/* MediaPipe's GeometryPipelineMetadata (face_geometry/protos/
 * geometry_pipeline_metadata.proto, mesh_3d.proto) from its binary protobuf,
 * checked as MediaPipe's ValidateGeometryPipelineMetadata does. Field
 * numbers: GeometryPipelineMetadata { canonical_mesh = 1 (Mesh3d);
 * procrustes_landmark_basis = 2 (repeated WeightedLandmarkRef);
 * input_source = 3 (enum) }; WeightedLandmarkRef { landmark_id = 1
 * (uint32); weight = 2 (float) }; Mesh3d { vertex_type = 1; primitive_type
 * = 2; vertex_buffer = 3 (repeated float); index_buffer = 4 (repeated
 * uint32) }. Repeated fields may be packed or not (MediaPipe's are proto2,
 * unpacked). */
#ifndef FT_FACE_GEOMETRY_METADATA_H
#define FT_FACE_GEOMETRY_METADATA_H

#include <stddef.h>
#include <stdint.h>

#include "facetrack.h"

#define FT_GEOMETRY_VERTEX_SIZE 5 /* VERTEX_PT: x, y, z (cm), u, v */

typedef struct ft_geometry_metadata {
    int input_source;      /* 0 DEFAULT, 1 FACE_LANDMARK_PIPELINE, 2 FACE_DETECTION_PIPELINE */
    float *vertices;       /* vertex_count x 5 */
    int vertex_count;
    uint32_t *indices;     /* index_count, a multiple of 3 (triangles) */
    int index_count;
    uint32_t *basis_ids;   /* procrustes_landmark_basis, in file order */
    float *basis_weights;
    int basis_count;
} ft_geometry_metadata;

/* Parses DATA[SIZE] into M (freed with ft_geometry_metadata_free, also on
 * failure). FT_ERR_FORMAT with a short reason in REASON when malformed or
 * inconsistent; FT_ERR_UNSUPPORTED for vertex/primitive types other than
 * VERTEX_PT/TRIANGLE; FT_ERR_NOMEM. */
ft_status ft_geometry_metadata_parse(const void *data, size_t size, ft_geometry_metadata *m,
                                     char *reason, size_t reason_size);
void ft_geometry_metadata_free(ft_geometry_metadata *m);

#endif
