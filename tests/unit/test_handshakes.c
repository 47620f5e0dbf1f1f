/* handshakes: refused handshakes counted per key and minute, so that a
 * flood cannot fill the audit log. */
#include "handshakes.h"
#include "test.h"

#include <stdlib.h>

typedef struct {
    int n;
    char last[HANDSHAKE_NOTE_MAX];
    char member[DX_ID_MAX + 1];
} notes_t;

static void s_note(void *arg, const handshake_note_t *note)
{
    notes_t *ns = arg;
    ns->n++;
    snprintf(ns->last, sizeof ns->last, "%s", note->text);
    snprintf(ns->member, sizeof ns->member, "%s", note->member);
}

TEST(first_at_once_then_counted)
{
    handshakes_t *h = NULL;
    handshake_note_t note;
    notes_t ns = { 0 };
    uint8_t key[32] = { 1 };
    int64_t t = 1800000000000; /* a minute's start */
    CHECK_EQ(handshakes_new(&h), 0);
    CHECK(handshakes_refused(h, t + 10, key, "statistics", "member revoked", "tcp://127.0.0.1:5", &note));
    CHECK_STR(note.member, "statistics");
    CHECK(strstr(note.text, "member revoked") != NULL);
    CHECK(strstr(note.text, "key curve:") != NULL);
    for (int i = 0; i < 1000; i++)
        CHECK(!handshakes_refused(h, t + 20 + i, key, "statistics", "member revoked", "x", &note));
    handshakes_flush(h, t + 59000, false, s_note, &ns); /* the minute is not over */
    CHECK_EQ(ns.n, 0);
    handshakes_flush(h, t + 60000, false, s_note, &ns);
    CHECK_EQ(ns.n, 1);
    CHECK(strstr(ns.last, "1000 more handshakes refused") != NULL);
    CHECK_STR(ns.member, "statistics");
    /* a new minute: the first is recorded at once again */
    CHECK(handshakes_refused(h, t + 60010, key, "statistics", "member revoked", "x", &note));
    handshakes_free(&h);
}

TEST(a_flood_of_keys_is_bounded)
{
    handshakes_t *h = NULL;
    handshake_note_t note;
    notes_t ns = { 0 };
    int64_t t = 1800000000000;
    int now = 0;
    CHECK_EQ(handshakes_new(&h), 0);
    for (int i = 0; i < 10000; i++) {
        uint8_t key[32] = { 0 };
        memcpy(key, &i, sizeof i);
        now += handshakes_refused(h, t + i, key, "", "not a member key", "x", &note);
    }
    CHECK_EQ(now, HANDSHAKE_FIRSTS_MAX);
    handshakes_flush(h, t + 60000, false, s_note, &ns);
    /* the keys past the first ones, one each; then the rest together */
    CHECK_EQ(ns.n, HANDSHAKE_KEYS_MAX - HANDSHAKE_FIRSTS_MAX + 1);
    CHECK(strstr(ns.last, "9744 handshakes refused") != NULL);
    /* no key (a mechanism other than CURVE) counts as one */
    CHECK(handshakes_refused(h, t + 60001, NULL, "", "not a member key", "x", &note));
    CHECK(strstr(note.text, "key none") != NULL);
    ns.n = 0;
    handshakes_flush(h, t + 60002, true, s_note, &ns); /* at the stop: nothing more to say */
    CHECK_EQ(ns.n, 0);
    handshakes_free(&h);
}

int main(void)
{
    RUN(first_at_once_then_counted);
    RUN(a_flood_of_keys_is_bounded);
    return TEST_EXIT();
}
