#include "test.h"
#include "ytree.h"

#include <stdlib.h>

static int s_parse(const char *text, yt_node_t **root, yt_error_t *e)
{
    return yt_parse_buffer(text, strlen(text), root, e);
}

TEST(mapping_and_lists)
{
    yt_node_t *root = NULL;
    yt_error_t e;
    CHECK_EQ(s_parse("a: 1\nb: [x, y]\nc:\n  - d: 2\n", &root, &e), 0);
    CHECK(root && root->kind == YT_MAP && root->n == 3);
    const yt_node_t *b = yt_map_get(root, "b");
    CHECK(b && b->kind == YT_SEQ && b->n == 2);
    CHECK_STR(b->items[1]->value, "y");
    CHECK_EQ(b->line, 2);
    CHECK_EQ(b->col, 4);
    CHECK(yt_map_get(root, "zz") == NULL);
    yt_free(&root);
    CHECK(root == NULL);
}

TEST(empty_file)
{
    yt_node_t *root = (yt_node_t *)1;
    yt_error_t e;
    CHECK_EQ(s_parse("", &root, &e), 0);
    CHECK(root == NULL);
}

TEST(syntax_error_has_position)
{
    yt_node_t *root = NULL;
    yt_error_t e;
    CHECK(s_parse("a: [1, 2\nb: 3\n", &root, &e) != 0);
    CHECK(e.line >= 1 && e.col >= 1 && e.msg[0]);
    CHECK(s_parse("a: 1\n  b: 2\n", &root, &e) != 0);
    CHECK_EQ(e.line, 2);
}

TEST(aliases_refused)
{
    yt_node_t *root = NULL;
    yt_error_t e;
    CHECK(s_parse("a: &x [1]\nb: *x\n", &root, &e) != 0);
    CHECK(strstr(e.msg, "not supported") != NULL);
}

TEST(deep_nesting_refused)
{
    char text[400];
    size_t n = 0;
    for (int i = 0; i < 100; i++)
        text[n++] = '[';
    for (int i = 0; i < 100; i++)
        text[n++] = ']';
    text[n] = '\0';
    yt_node_t *root = NULL;
    yt_error_t e;
    CHECK_EQ(s_parse(text, &root, &e), DX_ERR_TOO_BIG);
    CHECK(strstr(e.msg, "deeply") != NULL);
}

TEST(size_limits)
{
    yt_node_t *root = NULL;
    yt_error_t e;
    size_t big = YT_MAX_FILE + 1;
    char *text = malloc(big + 1);
    memset(text, '#', big);
    text[big] = '\0';
    CHECK_EQ(yt_parse_buffer(text, big, &root, &e), DX_ERR_TOO_BIG);
    /* a long scalar */
    memcpy(text, "a: ", 3);
    memset(text + 3, 'x', YT_MAX_SCALAR + 10);
    text[3 + YT_MAX_SCALAR + 10] = '\0';
    CHECK_EQ(s_parse(text, &root, &e), DX_ERR_TOO_BIG);
    free(text);
}

TEST(two_documents_refused)
{
    yt_node_t *root = NULL;
    yt_error_t e;
    CHECK(s_parse("a: 1\n---\nb: 2\n", &root, &e) != 0);
}

int main(void)
{
    RUN(mapping_and_lists);
    RUN(empty_file);
    RUN(syntax_error_has_position);
    RUN(aliases_refused);
    RUN(deep_nesting_refused);
    RUN(size_limits);
    RUN(two_documents_refused);
    return TEST_EXIT();
}
