/* Unit tests of the .env reader: python-dotenv's quoting, comments and
 * "export", later keys winning, malformed lines named by file and line,
 * missing files, and the process environment left alone. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/dotenv.h"

typedef struct fixture {
    char dir[64];
    char path[128]; /* "<dir>/test.env" */
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    strcpy(fx->dir, "/tmp/ft_dotenv_XXXXXX");
    if (!mkdtemp(fx->dir)) {
        free(fx);
        return -1;
    }
    snprintf(fx->path, sizeof fx->path, "%s/test.env", fx->dir);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    DIR *d = opendir(fx->dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            char p[512];
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                snprintf(p, sizeof p, "%s/%s", fx->dir, e->d_name);
                if (unlink(p) != 0)
                    rmdir(p);
            }
        }
        closedir(d);
    }
    rmdir(fx->dir);
    free(fx);
    return 0;
}

static void write_file(const char *path, const char *text, size_t len)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
}

/* Parses TEXT, which must be valid. */
static void parse_ok(const char *text, ft_dotenv *list)
{
    char err[256] = "x";
    ft_status st = ft_dotenv_parse(text, strlen(text), "t.env", list, err, sizeof err);
    if (st != FT_OK)
        print_message("%s\n", err);
    assert_int_equal(st, FT_OK);
    assert_string_equal(err, "");
}

/* Parses TEXT, which must fail with MESSAGE. */
static void parse_fails(const char *text, size_t len, const char *message)
{
    ft_dotenv list = {0};
    char err[256];
    assert_int_equal(ft_dotenv_parse(text, len, "t.env", &list, err, sizeof err), FT_ERR_FORMAT);
    assert_string_equal(err, message);
    assert_int_equal(list.count, 0);
    assert_null(list.pairs);
}

/* TEXT is a string literal, so that its NUL bytes count too. */
#define FAILS(text, message) parse_fails(text, sizeof text - 1, message)

static void expect(const ft_dotenv *list, const char *key, const char *value)
{
    const char *got = ft_dotenv_get(list, key);
    if (!got)
        print_message("%s is not set\n", key);
    assert_non_null(got);
    assert_string_equal(got, value);
}

static void test_plain_lines(void **state)
{
    (void)state;
    ft_dotenv list = {0};
    parse_ok("# a comment\n"
             "\n"
             "A=1\n"
             "   B  =   two words   \n"
             "export C=3\n"
             "export\tD=4\n"
             "  # indented comment\n"
             "E=\n"
             "F=   \n"
             "export=6\n"
             "G.H-I=7\n"
             "LAST=no newline",
             &list);
    assert_int_equal(list.count, 9);
    expect(&list, "A", "1");
    expect(&list, "B", "two words");
    expect(&list, "C", "3");
    expect(&list, "D", "4");
    expect(&list, "E", "");
    expect(&list, "F", "");
    expect(&list, "export", "6");
    expect(&list, "G.H-I", "7");
    expect(&list, "LAST", "no newline");
    assert_string_equal(list.pairs[0].key, "A"); /* in file order */
    assert_null(ft_dotenv_get(&list, "Z"));
    assert_null(ft_dotenv_get(&list, "a")); /* keys are case-sensitive */
    ft_dotenv_free(&list);
    assert_int_equal(list.count, 0);
    ft_dotenv_free(&list); /* twice is harmless */
}

static void test_inline_comments(void **state)
{
    (void)state;
    ft_dotenv list = {0};
    parse_ok("A=value # comment\n"
             "B=value\t#comment\n"
             "C=no#comment\n"
             "D=a # b # c\n"
             "E=x  #\n"
             "F= #looks like a comment\n" /* python-dotenv keeps it: no blank before '#' */
             "G='quoted' # comment\n"
             "H=\"quoted\"# comment\n",
             &list);
    expect(&list, "A", "value");
    expect(&list, "B", "value");
    expect(&list, "C", "no#comment");
    expect(&list, "D", "a");
    expect(&list, "E", "x");
    expect(&list, "F", "#looks like a comment");
    expect(&list, "G", "quoted");
    expect(&list, "H", "quoted");
    ft_dotenv_free(&list);
}

static void test_single_quotes(void **state)
{
    (void)state;
    ft_dotenv list = {0};
    parse_ok("A='  spaced # not a comment  '\n"
             "B='it\\'s'\n"
             "C='a\\nb'\n"
             "D='back\\\\slash'\n"
             "E=''\n"
             "F='say \"hi\"'\n",
             &list);
    expect(&list, "A", "  spaced # not a comment  ");
    expect(&list, "B", "it's");
    expect(&list, "C", "a\\nb"); /* no \n escape in single quotes */
    expect(&list, "D", "back\\slash");
    expect(&list, "E", "");
    expect(&list, "F", "say \"hi\"");
    ft_dotenv_free(&list);
}

static void test_double_quotes(void **state)
{
    (void)state;
    ft_dotenv list = {0};
    parse_ok("A=\"line\\nbreak\"\n"
             "B=\"say \\\"hi\\\"\"\n"
             "C=\"back\\\\slash\"\n"
             "D=\"tab\\there\"\n"
             "E=\"unknown \\x escape\"\n"
             "F=\"\"\n"
             "G=\"C:\\\\dir\\\\\"\n"
             "H=\"first\n"
             "second\"\n"
             "I=after\n",
             &list);
    expect(&list, "A", "line\nbreak");
    expect(&list, "B", "say \"hi\"");
    expect(&list, "C", "back\\slash");
    expect(&list, "D", "tab\there");
    expect(&list, "E", "unknown \\x escape");
    expect(&list, "F", "");
    expect(&list, "G", "C:\\dir\\");
    expect(&list, "H", "first\nsecond"); /* quotes span lines */
    expect(&list, "I", "after");
    ft_dotenv_free(&list);
}

static void test_repeated_key(void **state)
{
    (void)state;
    ft_dotenv list = {0};
    parse_ok("A=1\nB=2\nA=3\n", &list);
    assert_int_equal(list.count, 2);
    expect(&list, "A", "3");
    assert_string_equal(list.pairs[0].key, "A");
    ft_dotenv_free(&list);
}

static void test_line_ends(void **state)
{
    (void)state;
    ft_dotenv list = {0};
    parse_ok("A=1\r\nB=two \r\n\r\nC='3'\r\nD=4\rE=5", &list);
    expect(&list, "A", "1");
    expect(&list, "B", "two");
    expect(&list, "C", "3");
    expect(&list, "D", "4");
    expect(&list, "E", "5");
    ft_dotenv_free(&list);
    /* Line numbers count "\r\n" once. */
    FAILS("A=1\r\n\r\nbad\r\n", "t.env:3: expected KEY=VALUE");
}

static void test_malformed(void **state)
{
    (void)state;
    FAILS("A=1\n\nJUSTAKEY\n", "t.env:3: expected KEY=VALUE");
    FAILS("TWO WORDS=1\n", "t.env:1: expected KEY=VALUE");
    FAILS("=value\n", "t.env:1: expected KEY=VALUE");
    FAILS("'KEY'=1\n", "t.env:1: expected KEY=VALUE");
    FAILS("export \n", "t.env:1: expected KEY=VALUE");
    FAILS("A=1\nB=\"open\nC=2\n", "t.env:2: unterminated quoted value");
    FAILS("A='open\n", "t.env:1: unterminated quoted value");
    FAILS("A=\"x\" junk\n", "t.env:1: unexpected text after the closing quote");
    FAILS("A='x'y\n", "t.env:1: unexpected text after the closing quote");
    /* A line after a value spanning two lines is numbered right. */
    FAILS("A=\"1\n2\"\nB\n", "t.env:3: expected KEY=VALUE");
    FAILS("A=1\nB=x\0y\n", "t.env:2: NUL byte");
}

static void test_load_file(void **state)
{
    fixture *fx = *state;
    static const char text[] = "# settings\nexport STEP5_TEST_DOTENV_KEY=\"from file\"\n";
    write_file(fx->path, text, sizeof text - 1);
    unsetenv("STEP5_TEST_DOTENV_KEY");
    ft_dotenv list = {0};
    char err[256] = "x";
    assert_int_equal(ft_dotenv_load(fx->path, &list, err, sizeof err), FT_OK);
    assert_string_equal(err, "");
    assert_int_equal(list.count, 1);
    expect(&list, "STEP5_TEST_DOTENV_KEY", "from file");
    assert_null(getenv("STEP5_TEST_DOTENV_KEY")); /* the environment is not touched */

    /* Loading again replaces the list. */
    write_file(fx->path, "B=2\n", 4);
    assert_int_equal(ft_dotenv_load(fx->path, &list, NULL, 0), FT_OK);
    assert_int_equal(list.count, 1);
    expect(&list, "B", "2");
    ft_dotenv_free(&list);

    /* Empty file: no pairs. */
    write_file(fx->path, "", 0);
    assert_int_equal(ft_dotenv_load(fx->path, &list, err, sizeof err), FT_OK);
    assert_int_equal(list.count, 0);
}

static void test_load_errors(void **state)
{
    fixture *fx = *state;
    ft_dotenv list = {0};
    char err[256], want[320];

    char missing[160];
    snprintf(missing, sizeof missing, "%s/missing.env", fx->dir);
    assert_int_equal(ft_dotenv_load(missing, &list, err, sizeof err), FT_ERR_NOT_FOUND);
    snprintf(want, sizeof want, "%s: cannot open: No such file or directory", missing);
    assert_string_equal(err, want);

    char dir[160];
    snprintf(dir, sizeof dir, "%s/folder.env", fx->dir);
    assert_int_equal(mkdir(dir, 0755), 0);
    assert_int_equal(ft_dotenv_load(dir, &list, err, sizeof err), FT_ERR_IO);
    snprintf(want, sizeof want, "%s: is a folder, not a file", dir);
    assert_string_equal(err, want);

    /* A malformed line names the file as given. */
    write_file(fx->path, "A=1\nB\n", 6);
    assert_int_equal(ft_dotenv_load(fx->path, &list, err, sizeof err), FT_ERR_FORMAT);
    snprintf(want, sizeof want, "%s:2: expected KEY=VALUE", fx->path);
    assert_string_equal(err, want);
    assert_int_equal(list.count, 0);

    /* Over 1 MiB is no .env file; exactly 1 MiB still is. */
    size_t size = (size_t)1 << 20;
    char *big = malloc(size + 1);
    assert_non_null(big);
    memset(big, '#', size + 1);
    big[size - 1] = '\n';
    write_file(fx->path, big, size);
    assert_int_equal(ft_dotenv_load(fx->path, &list, err, sizeof err), FT_OK);
    write_file(fx->path, big, size + 1);
    assert_int_equal(ft_dotenv_load(fx->path, &list, err, sizeof err), FT_ERR_FORMAT);
    free(big);

    assert_int_equal(ft_dotenv_load(NULL, &list, err, sizeof err), FT_ERR_INVALID_ARG);
    assert_int_equal(ft_dotenv_load(fx->path, NULL, err, sizeof err), FT_ERR_INVALID_ARG);
    assert_null(ft_dotenv_get(NULL, "A"));
    assert_null(ft_dotenv_get(&list, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_lines),
        cmocka_unit_test(test_inline_comments),
        cmocka_unit_test(test_single_quotes),
        cmocka_unit_test(test_double_quotes),
        cmocka_unit_test(test_repeated_key),
        cmocka_unit_test(test_line_ends),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test_setup_teardown(test_load_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
