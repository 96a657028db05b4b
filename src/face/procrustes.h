/* Weighted extended orthogonal Procrustes (spec §5.3, MediaPipe's
 * FloatPrecisionProcrustesSolver, done in double): the similarity
 * transform T = [s R | t] (R a rotation, s > 0) minimising
 * sum_i w_i |T source_i - target_i|^2. */
#ifndef FT_FACE_PROCRUSTES_H
#define FT_FACE_PROCRUSTES_H

/* A = U diag(S) V^T for a 3 x 3 A (row-major [row][col]); S descending and
 * non-negative, U and V orthogonal. One-sided Jacobi. */
void ft_svd3(const double a[3][3], double u[3][3], double s[3], double v[3][3]);

/* SOURCE, TARGET: N points; WEIGHTS >= 0 (points of weight 0 take no
 * part). OUT: the 4 x 4 transform, row-major [row][col], last row 0 0 0 1.
 * 0 on success; -1 when the problem degenerates (total weight, design
 * matrix, scale denominator or scale not above 1e-9, as MediaPipe checks). */
int ft_procrustes_solve(const double (*source)[3], const double (*target)[3],
                        const double *weights, int n, double out[4][4]);

#endif
