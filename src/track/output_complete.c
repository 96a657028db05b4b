/* Whether a tracking output is whole (see output_complete.h): one pass over
 * the file with fixed memory, however large it is. */
#include "track/output_complete.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/xattr.h>

#include <json-c/json.h>

/* A streaming JSON checker with fixed memory: it checks the syntax of the
 * whole file (strict JSON plus Python's NaN, Infinity and -Infinity, which
 * json.dump writes and json.load reads back; bytes inside strings are not
 * checked as UTF-8) and keeps the few values completeness depends on. The
 * end of the file alone cannot tell: members may follow the frame list. */

#define SCAN_MAX_DEPTH 256
#define SCAN_CHUNK (64 * 1024)

enum scan_state {
    ST_VALUE,        /* a value */
    ST_ARRAY_FIRST,  /* a value or ']' */
    ST_OBJECT_FIRST, /* a key or '}' */
    ST_KEY,          /* a key */
    ST_COLON,
    ST_AFTER,        /* ',' or the close of the container */
    ST_END,          /* only white space */
    ST_ERROR
};

enum scan_token { TOK_NONE, TOK_STRING, TOK_NUMBER, TOK_LITERAL };

/* What a container is, as far as completeness cares. */
enum scan_role {
    ROLE_OTHER,
    ROLE_ROOT,
    ROLE_META,    /* root "metadata" */
    ROLE_FRAMES,  /* root "frames"; ROLE_FRAMES + 1: root "frames_analysis" */
    ROLE_FRAMES_ANALYSIS,
    ROLE_ENTRY,   /* an object in "frames"; ROLE_ENTRY + 1 in "frames_analysis" */
    ROLE_ENTRY_ANALYSIS
};

enum scan_key {
    KEY_OTHER,
    KEY_METADATA,
    KEY_TOTAL_FRAMES,
    KEY_FRAMES,
    KEY_FRAMES_ANALYSIS,
    KEY_FRAME,
    KEY_VIDEO_PATH
};

/* Number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
enum num_state { N_MINUS, N_ZERO, N_INT, N_DOT, N_FRAC, N_EXP, N_EXP_SIGN, N_EXP_DIGITS };

typedef struct opt_int {
    int set;
    int64_t v;
} opt_int;

typedef struct frame_list {
    int present;     /* the root member exists and is an array */
    size_t entries;
    opt_int last;    /* "frame" of its last entry */
} frame_list;

typedef struct json_scan {
    enum scan_state state;
    enum scan_token tok;
    int depth; /* open containers; index 0 stands for "outside any" */
    unsigned char is_array[SCAN_MAX_DEPTH + 1];
    unsigned char role[SCAN_MAX_DEPTH + 1];
    unsigned char key[SCAN_MAX_DEPTH + 1]; /* of the member being read */
    /* string token */
    int in_key;
    int esc;                     /* 1 after '\', 5..2 while reading \uXXXX */
    char key_buf[24];
    size_t key_len;              /* sizeof key_buf: longer, or none of ours */
    /* number token */
    enum num_state num;
    int num_neg, num_is_int;
    int64_t num_value;
    /* literal token */
    const char *lit;
    int lit_pos;
    /* what completeness needs */
    int root_is_object;
    opt_int top_total, meta_total, entry_frame;
    frame_list lists[2]; /* "frames", "frames_analysis" */
    /* metadata.video_path as written (escapes kept), when it fits */
    int capturing, video_set, video_overflow;
    size_t video_len;
    char video[8192];
} json_scan;

static enum scan_key classify_key(const json_scan *s)
{
    static const struct {
        const char *name;
        enum scan_key key;
    } known[] = {{"metadata", KEY_METADATA}, {"total_frames", KEY_TOTAL_FRAMES},
                 {"frames", KEY_FRAMES},     {"frames_analysis", KEY_FRAMES_ANALYSIS},
                 {"frame", KEY_FRAME},       {"video_path", KEY_VIDEO_PATH}};
    if (s->key_len >= sizeof s->key_buf)
        return KEY_OTHER;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strlen(known[i].name) == s->key_len && !memcmp(known[i].name, s->key_buf, s->key_len))
            return known[i].key;
    return KEY_OTHER;
}

/* The integer slot a value at the current position fills, if any. */
static opt_int *value_slot(json_scan *s)
{
    int r = s->role[s->depth], k = s->key[s->depth];
    if (s->depth == 0 || s->is_array[s->depth])
        return NULL;
    if (r == ROLE_ROOT && k == KEY_TOTAL_FRAMES)
        return &s->top_total;
    if (r == ROLE_META && k == KEY_TOTAL_FRAMES)
        return &s->meta_total;
    if ((r == ROLE_ENTRY || r == ROLE_ENTRY_ANALYSIS) && k == KEY_FRAME)
        return &s->entry_frame;
    return NULL;
}

/* A value starts: forget what an earlier value at the same place said (for
 * repeated keys the last one wins, as in Python). */
static void value_begins(json_scan *s)
{
    int r = s->role[s->depth], k = s->key[s->depth];
    opt_int *slot = value_slot(s);
    if (slot)
        slot->set = 0;
    if (r == ROLE_FRAMES || r == ROLE_FRAMES_ANALYSIS) {
        frame_list *fl = &s->lists[r - ROLE_FRAMES];
        fl->entries++;
        fl->last.set = 0;
    } else if (r == ROLE_ROOT && !s->is_array[s->depth]) {
        if (k == KEY_METADATA)
            s->meta_total.set = 0;
        else if (k == KEY_FRAMES || k == KEY_FRAMES_ANALYSIS)
            memset(&s->lists[k - KEY_FRAMES], 0, sizeof s->lists[0]);
    }
}

static void value_ends(json_scan *s)
{
    s->state = s->depth == 0 ? ST_END : ST_AFTER;
}

static enum scan_role child_role(const json_scan *s, int is_array)
{
    if (s->depth == 0)
        return is_array ? ROLE_OTHER : ROLE_ROOT;
    int r = s->role[s->depth], k = s->key[s->depth];
    if (r == ROLE_ROOT && !is_array && k == KEY_METADATA)
        return ROLE_META;
    if (r == ROLE_ROOT && is_array && (k == KEY_FRAMES || k == KEY_FRAMES_ANALYSIS))
        return k == KEY_FRAMES ? ROLE_FRAMES : ROLE_FRAMES_ANALYSIS;
    if ((r == ROLE_FRAMES || r == ROLE_FRAMES_ANALYSIS) && !is_array)
        return r == ROLE_FRAMES ? ROLE_ENTRY : ROLE_ENTRY_ANALYSIS;
    return ROLE_OTHER;
}

static void open_container(json_scan *s, int is_array)
{
    if (s->depth >= SCAN_MAX_DEPTH) {
        s->state = ST_ERROR;
        return;
    }
    enum scan_role role = child_role(s, is_array);
    if (s->depth == 0)
        s->root_is_object = !is_array;
    if (role == ROLE_FRAMES || role == ROLE_FRAMES_ANALYSIS)
        s->lists[role - ROLE_FRAMES].present = 1;
    if (role == ROLE_ENTRY || role == ROLE_ENTRY_ANALYSIS)
        s->entry_frame.set = 0;
    s->depth++;
    s->is_array[s->depth] = (unsigned char)is_array;
    s->role[s->depth] = (unsigned char)role;
    s->key[s->depth] = KEY_OTHER;
    s->state = is_array ? ST_ARRAY_FIRST : ST_OBJECT_FIRST;
}

static void close_container(json_scan *s)
{
    int r = s->role[s->depth];
    if (r == ROLE_ENTRY || r == ROLE_ENTRY_ANALYSIS)
        s->lists[r - ROLE_ENTRY].last = s->entry_frame;
    s->depth--;
    value_ends(s);
}

static void number_ends(json_scan *s)
{
    opt_int *slot = value_slot(s);
    if (slot && s->num_is_int) {
        slot->set = 1;
        slot->v = s->num_neg ? -s->num_value : s->num_value;
    }
    s->tok = TOK_NONE;
    value_ends(s);
}

static void begin_literal(json_scan *s, const char *lit, int pos)
{
    s->tok = TOK_LITERAL;
    s->lit = lit;
    s->lit_pos = pos;
}

/* The first character of a value. */
static void begin_value(json_scan *s, char c)
{
    value_begins(s);
    switch (c) {
    case '{': open_container(s, 0); return;
    case '[': open_container(s, 1); return;
    case '"':
        s->tok = TOK_STRING;
        s->in_key = 0;
        s->esc = 0;
        s->capturing = s->depth > 0 && !s->is_array[s->depth] && s->role[s->depth] == ROLE_META &&
                       s->key[s->depth] == KEY_VIDEO_PATH;
        if (s->capturing) {
            s->video_len = 0;
            s->video_set = s->video_overflow = 0;
        }
        return;
    case 't': begin_literal(s, "true", 1); return;
    case 'f': begin_literal(s, "false", 1); return;
    case 'n': begin_literal(s, "null", 1); return;
    case 'N': begin_literal(s, "NaN", 1); return;
    case 'I': begin_literal(s, "Infinity", 1); return;
    default: break;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        s->tok = TOK_NUMBER;
        s->num_neg = c == '-';
        s->num_is_int = 1;
        s->num_value = c == '-' ? 0 : c - '0';
        s->num = c == '-' ? N_MINUS : c == '0' ? N_ZERO : N_INT;
        return;
    }
    s->state = ST_ERROR;
}

/* One character of a number; 0 when C is not part of it (and the number
 * ended just before C). */
static int number_char(json_scan *s, char c)
{
    int digit = c >= '0' && c <= '9';
    switch (s->num) {
    case N_MINUS:
        if (c == 'I') { /* Python's -Infinity */
            begin_literal(s, "Infinity", 1);
            return 1;
        }
        if (!digit)
            break;
        s->num = c == '0' ? N_ZERO : N_INT;
        s->num_value = c - '0';
        return 1;
    case N_INT:
        if (digit) {
            if (s->num_value > (INT64_MAX - (c - '0')) / 10)
                s->num_is_int = 0; /* too big to be a frame number */
            else
                s->num_value = s->num_value * 10 + (c - '0');
            return 1;
        }
        /* fall through */
    case N_ZERO:
        if (c == '.') {
            s->num = N_DOT;
            s->num_is_int = 0;
            return 1;
        }
        if (c == 'e' || c == 'E') {
            s->num = N_EXP;
            s->num_is_int = 0;
            return 1;
        }
        return 0;
    case N_DOT:
        if (!digit)
            break;
        s->num = N_FRAC;
        return 1;
    case N_FRAC:
        if (digit)
            return 1;
        if (c == 'e' || c == 'E') {
            s->num = N_EXP;
            return 1;
        }
        return 0;
    case N_EXP:
        if (c == '+' || c == '-') {
            s->num = N_EXP_SIGN;
            return 1;
        }
        /* fall through */
    case N_EXP_SIGN:
        if (!digit)
            break;
        s->num = N_EXP_DIGITS;
        return 1;
    case N_EXP_DIGITS: return digit;
    }
    s->state = ST_ERROR; /* a number cut short: "-", "1.", "1e" */
    return 1;
}

static void capture(json_scan *s, const char *p, size_t n)
{
    if (!s->capturing)
        return;
    if (s->video_len + n >= sizeof s->video) {
        s->video_overflow = 1;
        return;
    }
    memcpy(s->video + s->video_len, p, n);
    s->video_len += n;
}

/* Reads the characters of a string from BUF[I]; returns the new index. */
static size_t string_chars(json_scan *s, const char *buf, size_t i, size_t n)
{
    while (i < n) {
        unsigned char c = (unsigned char)buf[i];
        if (s->esc >= 1)
            capture(s, buf + i, 1);
        if (s->esc == 1) { /* after a backslash */
            if (c == 'u')
                s->esc = 5;
            else if (c && strchr("\"\\/bfnrt", c))
                s->esc = 0;
            else {
                s->state = ST_ERROR;
                return n;
            }
            i++;
            continue;
        }
        if (s->esc > 1) { /* the four hex digits of \uXXXX */
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                s->state = ST_ERROR;
                return n;
            }
            if (--s->esc == 1)
                s->esc = 0;
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && (unsigned char)buf[j] >= 0x20 && buf[j] != '"' && buf[j] != '\\')
            j++;
        if (s->in_key) {
            for (size_t m = i; m < j && s->key_len < sizeof s->key_buf; m++)
                s->key_buf[s->key_len++] = buf[m];
        } else {
            capture(s, buf + i, j - i);
        }
        i = j;
        if (i == n)
            return n;
        c = (unsigned char)buf[i++];
        if (c == '\\') {
            s->esc = 1;
            s->key_len = sizeof s->key_buf; /* escaped keys are none of ours */
            capture(s, "\\", 1);
        } else if (c == '"') {
            s->tok = TOK_NONE;
            if (s->capturing) {
                s->capturing = 0;
                s->video_set = !s->video_overflow;
                s->video[s->video_len] = '\0';
            }
            if (s->in_key) {
                s->key[s->depth] = (unsigned char)classify_key(s);
                s->state = ST_COLON;
            } else {
                value_ends(s);
            }
            return i;
        } else {
            s->state = ST_ERROR; /* a raw control character */
            return n;
        }
    }
    return i;
}

static void grammar_char(json_scan *s, char c)
{
    switch (s->state) {
    case ST_ARRAY_FIRST:
        if (c == ']') {
            close_container(s);
            return;
        }
        /* fall through */
    case ST_VALUE: begin_value(s, c); return;
    case ST_OBJECT_FIRST:
        if (c == '}') {
            close_container(s);
            return;
        }
        /* fall through */
    case ST_KEY:
        if (c != '"')
            break;
        s->tok = TOK_STRING;
        s->in_key = 1;
        s->esc = 0;
        s->key_len = 0;
        return;
    case ST_COLON:
        if (c != ':')
            break;
        s->state = ST_VALUE;
        return;
    case ST_AFTER:
        if (c == ',') {
            s->state = s->is_array[s->depth] ? ST_VALUE : ST_KEY;
            return;
        }
        if (c == (s->is_array[s->depth] ? ']' : '}')) {
            close_container(s);
            return;
        }
        break;
    case ST_END:
    case ST_ERROR: break;
    }
    s->state = ST_ERROR;
}

static void scan_feed(json_scan *s, const char *buf, size_t n)
{
    size_t i = 0;
    while (i < n && s->state != ST_ERROR) {
        char c = buf[i];
        switch (s->tok) {
        case TOK_STRING: i = string_chars(s, buf, i, n); continue;
        case TOK_NUMBER:
            if (number_char(s, c)) {
                i++;
                continue;
            }
            number_ends(s);
            break; /* C belongs to the grammar */
        case TOK_LITERAL:
            if (c != s->lit[s->lit_pos]) {
                s->state = ST_ERROR;
                continue;
            }
            i++;
            if (!s->lit[++s->lit_pos]) {
                s->tok = TOK_NONE;
                value_ends(s);
            }
            continue;
        case TOK_NONE: break;
        }
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
            i++;
            continue;
        }
        grammar_char(s, c);
        i++;
    }
}

static int scan_complete(const json_scan *s)
{
    if (s->state != ST_END || s->tok != TOK_NONE || !s->root_is_object)
        return 0;
    const frame_list *fl = s->lists[0].present ? &s->lists[0] : &s->lists[1];
    const opt_int *total = s->meta_total.set ? &s->meta_total : &s->top_total;
    if (!fl->present || !total->set || total->v < 0)
        return 0;
    if (fl->entries == 0)
        return total->v == 0;
    return fl->last.set && fl->last.v == total->v;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Whether the video RECORDED (a path) has the file name of VIDEO. */
static int same_video(const char *recorded, const char *video)
{
    return strcmp(base_name(recorded), base_name(video)) == 0;
}

/* Whether the video the scan found in metadata.video_path (JSON-escaped)
 * is VIDEO; 1 when none was recorded. */
static int recorded_video_is(const json_scan *s, const char *video)
{
    if (!s->video_set)
        return 1;
    char *quoted = malloc(s->video_len + 3);
    if (!quoted)
        return 1;
    snprintf(quoted, s->video_len + 3, "\"%s\"", s->video);
    json_object *o = json_tokener_parse(quoted);
    free(quoted);
    int same = 1;
    if (o && json_object_is_type(o, json_type_string))
        same = same_video(json_object_get_string(o), video);
    json_object_put(o);
    return same;
}

/* Whether the source recorded beside the data (the extended attribute
 * FT_OUTPUT_SOURCE_XATTR) is VIDEO; 1 when there is none. */
static int xattr_video_is(const char *path, const char *video)
{
    char recorded[8192];
    ssize_t n = getxattr(path, FT_OUTPUT_SOURCE_XATTR, recorded, sizeof recorded - 1);
    if (n <= 0)
        return 1;
    recorded[n] = '\0';
    return same_video(recorded, video);
}

int ft_tracking_output_complete(const char *path)
{
    return ft_tracking_output_complete_for(path, NULL);
}

int ft_tracking_output_complete_for(const char *path, const char *video)
{
    if (!path)
        return 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char *buf = malloc(SCAN_CHUNK);
    json_scan *s = calloc(1, sizeof *s);
    int ok = buf && s;
    while (ok) {
        ssize_t got = read(fd, buf, SCAN_CHUNK);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            ok = got == 0;
            break;
        }
        scan_feed(s, buf, (size_t)got);
        ok = s->state != ST_ERROR;
    }
    ok = ok && scan_complete(s);
    if (ok && video)
        ok = recorded_video_is(s, video) && xattr_video_is(path, video);
    free(buf);
    free(s);
    close(fd);
    return ok;
}
