/* journal: a store's position in its group's journal, as kept in meta
 * "journal" (the journal itself, in a pool, is integration/rados_group's
 * and rados_catchup's, on a real cluster). */
#include "journal.h"
#include "test.h"

#include <string.h>

TEST(position_round_trip)
{
    journal_pos_t p = { .position = 0x0102030405060708ull, .epoch = 7, .part = 3, .offset = 1u << 30 };
    journal_pos_t q;
    uint8_t bytes[JOURNAL_POS_LEN];
    memset(p.hash, 0xab, sizeof p.hash);
    journal_pos_encode(&p, bytes);
    CHECK(journal_pos_decode(bytes, sizeof bytes, &q));
    CHECK(q.position == p.position && q.epoch == 7 && q.part == 3 && q.offset == (1u << 30));
    CHECK(memcmp(q.hash, p.hash, sizeof q.hash) == 0);
    CHECK(!journal_pos_decode(bytes, sizeof bytes - 1, &q));
    CHECK(!journal_pos_decode(bytes, 0, &q));
}

int main(void)
{
    RUN(position_round_trip);
    return TEST_EXIT();
}
