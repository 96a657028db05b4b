#include "track/gpu_plan.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gpu/device_info.h"
#include "nn/backend.h"

/* STEP5_GPU_ENGINES: a comma list, or "all". Empty means every engine: the
 * original's empty default granted the GPU to none, since only InsightFace
 * could use it, and only when listed. */
static int engine_listed(const ft_track_config *c)
{
    if (!c->gpu_engines[0])
        return 1;
    char names[sizeof c->gpu_engines];
    snprintf(names, sizeof names, "%s", c->gpu_engines);
    int listed = 0;
    for (char *save = NULL, *t = strtok_r(names, ",", &save); t; t = strtok_r(NULL, ",", &save))
        listed |= strcmp(t, "all") == 0 || strcmp(t, c->engine) == 0;
    return listed;
}

/* The devices the run may use, or 0 with WHY saying why there are none. */
static int find_devices(const ft_track_config *c, ft_gpu_plan *plan, char *why, size_t why_size)
{
    const ft_nn_backend_def *cuda = ft_nn_backend_find("cuda");
    if (!cuda) {
        snprintf(why, why_size, "this build of facetrack has no CUDA support");
        return 0;
    }
    char reason[256];
    if (cuda->init(reason, sizeof reason) != FT_OK) {
        snprintf(why, why_size, "%s", reason);
        return 0;
    }
    /* The devices this process sees: CUDA_VISIBLE_DEVICES narrows them. */
    const int count = ft_gpu_device_count();
    if (c->gpu_device >= count) {
        snprintf(why, why_size, "no CUDA device %d (%d visible)", c->gpu_device, count);
        return 0;
    }
    *plan = c->gpu_device >= 0 ? (ft_gpu_plan){c->gpu_device, 1} : (ft_gpu_plan){0, count};
    return 1;
}

/* The decisions that need no device (PLAN and WHY cleared), or -1 when the
 * devices must be asked. */
static int decided_without_devices(const ft_track_config *c, ft_gpu_plan *plan, char *why,
                                   size_t why_size)
{
    *plan = (ft_gpu_plan){0, 0};
    if (why_size)
        why[0] = '\0';
    if (!c->enable_gpu || c->disable_gpu)
        return FT_GPU_NOT_ASKED;
    if (!engine_listed(c))
        return FT_GPU_NOT_LISTED;
    return -1;
}

static ft_gpu_decision not_usable(const ft_track_config *c)
{
    return c->gpu_fallback_auto ? FT_GPU_FALLBACK : FT_GPU_REFUSED;
}

/* Granted: the device memory cap of STEP5_GPU_MAX_VRAM_MB applies. */
static ft_gpu_decision grant(const ft_track_config *c, const ft_gpu_plan *found, ft_gpu_plan *plan)
{
    ft_nn_backend_find("cuda")->set_memory_limit((size_t)c->gpu_max_vram_mb << 20);
    *plan = *found;
    return FT_GPU_GRANTED;
}

ft_gpu_decision ft_gpu_plan_decide(const ft_track_config *c, ft_gpu_plan *plan, char *why,
                                   size_t why_size)
{
    const int early = decided_without_devices(c, plan, why, why_size);
    if (early >= 0)
        return (ft_gpu_decision)early;
    ft_gpu_plan found;
    if (!find_devices(c, &found, why, why_size))
        return not_usable(c);
    return grant(c, &found, plan);
}

/* What the probe child sends back. */
typedef struct probe_answer {
    ft_gpu_decision decision;
    ft_gpu_plan plan;
    char why[256];
} probe_answer;

ft_gpu_decision ft_gpu_plan_decide_apart(const ft_track_config *c, ft_gpu_plan *plan, char *why,
                                         size_t why_size)
{
    const int early = decided_without_devices(c, plan, why, why_size);
    if (early >= 0)
        return (ft_gpu_decision)early;
    probe_answer a = {.decision = not_usable(c)};
    int fds[2];
    if (pipe(fds) != 0) {
        snprintf(why, why_size, "cannot probe the GPUs: %s", strerror(errno));
        return a.decision;
    }
    fflush(NULL); /* the child must not write out the parent's buffers again */
    const pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        a.decision = ft_gpu_plan_decide(c, &a.plan, a.why, sizeof a.why);
        const ssize_t n = write(fds[1], &a, sizeof a);
        _exit(n == (ssize_t)sizeof a ? 0 : 1);
    }
    close(fds[1]);
    ssize_t got = 0;
    if (pid > 0) {
        for (ssize_t n; got < (ssize_t)sizeof a; got += n) {
            n = read(fds[0], (char *)&a + got, sizeof a - (size_t)got);
            if (n < 0 && errno == EINTR)
                n = 0;
            else if (n <= 0)
                break;
        }
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
        }
    }
    close(fds[0]);
    if (got != (ssize_t)sizeof a) {
        snprintf(why, why_size, "the GPU probe failed%s", pid < 0 ? " to start" : "");
        return not_usable(c);
    }
    snprintf(why, why_size, "%s", a.why);
    /* The cap, in this process too: the workers inherit it. */
    return a.decision == FT_GPU_GRANTED ? grant(c, &a.plan, plan) : a.decision;
}
