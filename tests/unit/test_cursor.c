/* cursor: a sealed position opens for the member and request it was made
 * for, and for nothing else; every token has the same length. */
#include "cursor.h"
#include "err.h"
#include "test.h"

#include <string.h>

TEST(a_cursor_opens_only_where_it_was_made)
{
    uint8_t secret[DX_ED25519_LEN] = { 7 }, key[DX_AEAD_KEY_LEN], other[DX_AEAD_KEY_LEN];
    uint8_t a[CURSOR_LEN], b[CURSOR_LEN], pos[CURSOR_POS_MAX];
    size_t len = 0;
    CHECK_EQ(cursor_key(secret, key), 0);
    secret[0] = 8;
    CHECK_EQ(cursor_key(secret, other), 0);
    CHECK_EQ(cursor_seal(key, CURSOR_LIST, "statistics", "health/x", 8, a), 0);
    CHECK_EQ(cursor_seal(key, CURSOR_LIST, "statistics", "health/a-much-longer-name/y", 27, b), 0);
    CHECK_EQ(cursor_open(key, CURSOR_LIST, "statistics", a, sizeof a, pos, &len), 0);
    CHECK(len == 8 && memcmp(pos, "health/x", 8) == 0);
    /* another member, another request, another broker, altered, cut */
    CHECK_EQ(cursor_open(key, CURSOR_LIST, "education", a, sizeof a, pos, &len), DX_ERR_INVALID);
    CHECK_EQ(cursor_open(key, CURSOR_DELIVERIES, "statistics", a, sizeof a, pos, &len), DX_ERR_INVALID);
    CHECK_EQ(cursor_open(other, CURSOR_LIST, "statistics", a, sizeof a, pos, &len), DX_ERR_INVALID);
    a[40] ^= 1;
    CHECK_EQ(cursor_open(key, CURSOR_LIST, "statistics", a, sizeof a, pos, &len), DX_ERR_INVALID);
    CHECK_EQ(cursor_open(key, CURSOR_LIST, "statistics", b, sizeof b - 1, pos, &len), DX_ERR_INVALID);
    /* a position too long to seal */
    uint8_t big[CURSOR_POS_MAX + 1] = { 0 };
    CHECK_EQ(cursor_seal(key, CURSOR_LIST, "statistics", big, sizeof big, a), DX_ERR_TOO_BIG);
}

int main(void)
{
    RUN(a_cursor_opens_only_where_it_was_made);
    return TEST_EXIT();
}
