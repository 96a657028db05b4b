/* FaceMesh to iBUG 68 (see mesh_to_ibug68.h). The pairs are the
 * correspondence published with "Mediapipe_2_Dlib_Landmarks" (P. Yan,
 * 2024), which averages two mesh points where no single one matches. */
#include "face/mesh_to_ibug68.h"

#include <math.h>

static const short pairs[FT_IBUG68_POINTS][2] = {
    /* jaw line, the subject's right ear to left ear (1..17) */
    {127, 127}, {234, 234}, {93, 93}, {132, 58}, {58, 172}, {136, 136}, {150, 150},
    {176, 176}, {152, 152}, {400, 400}, {379, 379}, {365, 365}, {397, 288}, {361, 361},
    {323, 323}, {454, 454}, {356, 356},
    /* right brow (18..22), left brow (23..27) */
    {70, 70}, {63, 63}, {105, 105}, {66, 66}, {107, 107},
    {336, 336}, {296, 296}, {334, 334}, {293, 293}, {300, 300},
    /* nose bridge (28..31), nostrils (32..36) */
    {168, 6}, {197, 195}, {5, 5}, {4, 4}, {75, 75}, {97, 97}, {2, 2}, {326, 326}, {305, 305},
    /* right eye (37..42), left eye (43..48) */
    {33, 33}, {160, 160}, {158, 158}, {133, 133}, {153, 153}, {144, 144},
    {362, 362}, {385, 385}, {387, 387}, {263, 263}, {373, 373}, {380, 380},
    /* outer lips (49..60) */
    {61, 61}, {39, 39}, {37, 37}, {0, 0}, {267, 267}, {269, 269}, {291, 291},
    {321, 321}, {314, 314}, {17, 17}, {84, 84}, {91, 91},
    /* inner lips (61..68) */
    {78, 78}, {82, 82}, {13, 13}, {312, 312}, {308, 308}, {317, 317}, {14, 14}, {87, 87},
};

void ft_ibug68_from_mesh(const int32_t (*mesh)[3], float out[FT_IBUG68_POINTS][2])
{
    for (int i = 0; i < FT_IBUG68_POINTS; i++) {
        const int32_t *a = mesh[pairs[i][0]], *b = mesh[pairs[i][1]];
        out[i][0] = 0.5f * ((float)a[0] + (float)b[0]);
        out[i][1] = 0.5f * ((float)a[1] + (float)b[1]);
    }
}

float ft_ibug68_jaw_open(const float (*p)[2])
{
    float upper = 0, lower = 0;
    for (int i = 60; i <= 64; i++)
        upper += p[i][1];
    for (int i = 65; i <= 67; i++)
        lower += p[i][1];
    const float face = fabsf(p[8][1] - p[33][1]);
    if (!(face > 0))
        return 0.0f;
    const float v = fabsf(upper / 5.0f - lower / 3.0f) / face;
    return v > 1.0f ? 1.0f : v;
}
