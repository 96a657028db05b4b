/* The progress protocol (track/progress_events.h): every event written by
 * the commands' side reads back, member for member, on serve's side. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "track/progress_events.h"

/* EVENT as written: one line, ending in a newline. */
static char *write_line(const ft_progress_event *event)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    assert_non_null(f);
    assert_int_equal(ft_progress_event_write(f, event), FT_OK);
    fclose(f);
    assert_true(size > 0 && text[size - 1] == '\n');
    assert_null(memchr(text, '\n', size - 1));
    text[size - 1] = '\0';
    return text;
}

static void assert_same_string(const char *a, const char *b)
{
    if (!a || !b)
        assert_ptr_equal(a, b);
    else
        assert_string_equal(a, b);
}

/* Writes E, reads it back and compares every member the reader fills. */
static void round_trip(const ft_progress_event *e)
{
    char *line = write_line(e);
    ft_progress_event r;
    assert_int_equal(ft_progress_event_parse(line, &r), FT_OK);
    assert_int_equal(r.type, e->type);
    assert_same_string(r.video, e->video);
    assert_same_string(r.output, e->output);
    assert_same_string(r.reason, e->reason);
    assert_int_equal(r.index, e->index);
    assert_int_equal(r.percent, e->percent);
    assert_int_equal(r.frames_done, e->frames_done);
    assert_int_equal(r.frames, e->frames);
    assert_int_equal(r.scenes, e->scenes);
    assert_float_equal(r.seconds, e->seconds, 1e-3); /* written to 3 places */
    assert_float_equal(r.fps, e->fps, 0.05);         /* to 1 place */
    assert_int_equal(r.bytes, e->bytes);
    assert_int_equal(r.videos, e->videos);
    assert_int_equal(r.succeeded, e->succeeded);
    assert_int_equal(r.failed, e->failed);
    assert_int_equal(r.skipped, e->skipped);
    assert_int_equal(r.interrupted, e->interrupted);
    ft_progress_event_clear(&r);
    free(line);
}

static void names_and_types_match(void **state)
{
    (void)state;
    for (int t = 1; t < FT_EVENT_TYPE_COUNT; t++) {
        const char *name = ft_progress_event_name((ft_progress_event_type)t);
        assert_non_null(name);
        assert_int_equal(ft_progress_event_type_of(name), t);
    }
    assert_null(ft_progress_event_name(FT_EVENT_UNKNOWN));
    assert_null(ft_progress_event_name(FT_EVENT_TYPE_COUNT));
    assert_int_equal(ft_progress_event_type_of("no_such_event"), FT_EVENT_UNKNOWN);
    assert_int_equal(ft_progress_event_type_of(NULL), FT_EVENT_UNKNOWN);
}

static void every_event_round_trips(void **state)
{
    (void)state;
    ft_progress_event e;

    ft_progress_event_init(&e, FT_EVENT_START);
    e.videos = 3;
    round_trip(&e);

    ft_progress_event_init(&e, FT_EVENT_SKIPPED);
    e.video = "/v/a \"quoted\" name.mp4";
    e.output = "/v/a \"quoted\" name.json";
    e.reason = "output already complete (use --force to redo it)";
    round_trip(&e);

    ft_progress_event_init(&e, FT_EVENT_VIDEO_STARTED);
    e.video = "/v/b.mp4";
    e.index = 1;
    e.frames = 250;
    round_trip(&e);

    ft_progress_event_init(&e, FT_EVENT_VIDEO_STARTED); /* as scenes writes it */
    e.video = "/v/b.mp4";
    round_trip(&e);

    ft_progress_event_init(&e, FT_EVENT_PROGRESS);
    e.video = "/v/b.mp4";
    e.percent = 40;
    e.frames_done = 100;
    e.frames = 250;
    e.fps = 31.5;
    round_trip(&e);

    ft_progress_event_init(&e, FT_EVENT_DONE); /* track */
    e.video = "/v/b.mp4";
    e.output = "/v/b.json";
    e.frames = 250;
    e.seconds = 7.937;
    e.fps = 31.5;
    e.bytes = 123456789;
    round_trip(&e);

    ft_progress_event_init(&e, FT_EVENT_DONE); /* scenes */
    e.video = "/v/b.mp4";
    e.output = "/v/b.csv";
    e.scenes = 8;
    round_trip(&e);

    ft_progress_event_init(&e, FT_EVENT_FAILED);
    e.video = "/v/c.mp4";
    e.reason = "/v/c.mp4: invalid data: ünïcode and a \\ backslash";
    e.frames = 0;
    e.seconds = 0.25;
    e.fps = 0;
    round_trip(&e);

    const ft_progress_failure failures[] = {{"/v/c.mp4", "broken"}};
    ft_progress_event_init(&e, FT_EVENT_SUMMARY);
    e.videos = 3;
    e.succeeded = 1;
    e.failed = 1;
    e.skipped = 1;
    e.interrupted = 0;
    e.frames = 250;
    e.seconds = 8.5;
    e.failures = failures;
    e.failure_count = 1;
    round_trip(&e);
    char *line = write_line(&e);
    assert_non_null(strstr(line, "\"failures\":[{\"video\":\"/v/c.mp4\",\"reason\":\"broken\"}]"));
    free(line);
}

static void absent_members_are_not_written(void **state)
{
    (void)state;
    ft_progress_event e;
    ft_progress_event_init(&e, FT_EVENT_START);
    e.videos = 0;
    char *line = write_line(&e);
    assert_string_equal(line, "{\"event\":\"start\",\"videos\":0}");
    free(line);
}

static void other_lines_are_told_apart(void **state)
{
    (void)state;
    ft_progress_event e;
    const char *not_events[] = {"", "not json", "[1, 2]", "{\"video\": \"/v/a.mp4\"}",
                                "{\"event\": 3}"};
    for (size_t i = 0; i < sizeof not_events / sizeof *not_events; i++) {
        assert_int_equal(ft_progress_event_parse(not_events[i], &e), FT_ERR_FORMAT);
        ft_progress_event_clear(&e);
    }
    assert_int_equal(ft_progress_event_parse("{\"event\": \"later\", \"video\": \"x\"}", &e), FT_OK);
    assert_int_equal(e.type, FT_EVENT_UNKNOWN);
    assert_string_equal(e.video, "x");
    ft_progress_event_clear(&e);
    ft_progress_event_init(&e, FT_EVENT_UNKNOWN);
    assert_int_equal(ft_progress_event_write(stdout, &e), FT_ERR_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_and_types_match),
        cmocka_unit_test(every_event_round_trips),
        cmocka_unit_test(absent_members_are_not_written),
        cmocka_unit_test(other_lines_are_told_apart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
