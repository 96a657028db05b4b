/* Fuzzes the body parser of POST /api/jobs (src/serve/job_request.c) and
 * the option checks behind it: any bytes give a request whose fields keep
 * their promises, or one line of error. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "serve/job_request.h"
#include "serve_stubs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ft_job_request request;
    char err[512];
    err[0] = '\0';
    const ft_status st = ft_job_request_parse((const char *)data, size, &request, err, sizeof err);
    if (st != FT_OK) {
        assert(err[0] && !strchr(err, '\n'));
        assert(request.input_count == 0 && !request.inputs && !request.options);
        return 0;
    }
    assert(request.steps >= 1 && request.steps <= 3);
    assert(request.options && request.options[0] == '{');
    assert(request.input_count >= 1);
    for (size_t i = 0; i < request.input_count; i++)
        assert(request.inputs[i].path && request.inputs[i].root >= 0);
    ft_job_request_free(&request);
    return 0;
}
