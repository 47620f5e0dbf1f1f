/* handshakes: refused handshakes counted per key and minute (see
 * handshakes.h). */
#include "handshakes.h"
#include "dxtime.h"
#include "encode.h"
#include "err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MINUTE_MS 60000

typedef struct {
    uint8_t key[32];
    bool has_key;
    char member[DX_ID_MAX + 1];
    char why[64];
    char address[64];
    uint64_t count;
    bool recorded;           /* the first one went to the log at once */
    int64_t first_ms, last_ms;
} entry_t;

struct handshakes {
    int64_t minute;          /* the start of the minute counted, 0: none yet */
    entry_t entries[HANDSHAKE_KEYS_MAX];
    size_t n, firsts;
    uint64_t others;         /* refusals of keys past the table */
    int64_t others_first, others_last;
};

int handshakes_new(handshakes_t **out)
{
    return (*out = calloc(1, sizeof **out)) ? 0 : DX_ERR_NOMEM;
}

void handshakes_free(handshakes_t **h_p)
{
    free(*h_p);
    *h_p = NULL;
}

static void s_key_text(const entry_t *e, char out[48])
{
    if (!e->has_key) {
        snprintf(out, 48, "none");
        return;
    }
    memcpy(out, "curve:", 6);
    dx_z85_encode32(e->key, out + 6);
}

bool handshakes_refused(handshakes_t *h, int64_t now_ms, const uint8_t *key, const char *member,
                        const char *why, const char *address, handshake_note_t *note)
{
    int64_t minute = now_ms - now_ms % MINUTE_MS;
    if (h->minute != minute && h->n == 0 && h->others == 0)
        h->minute = minute;
    entry_t *e = NULL;
    for (size_t i = 0; i < h->n && !e; i++)
        if (h->entries[i].has_key == (key != NULL) && (!key || memcmp(h->entries[i].key, key, 32) == 0))
            e = &h->entries[i];
    if (!e && h->n == HANDSHAKE_KEYS_MAX) {
        if (h->others++ == 0)
            h->others_first = now_ms;
        h->others_last = now_ms;
        return false;
    }
    if (!e) {
        e = &h->entries[h->n++];
        memset(e, 0, sizeof *e);
        if (key) {
            memcpy(e->key, key, 32);
            e->has_key = true;
        }
        snprintf(e->member, sizeof e->member, "%s", member ? member : "");
        snprintf(e->why, sizeof e->why, "%s", why);
        snprintf(e->address, sizeof e->address, "%s", address);
        e->first_ms = now_ms;
    }
    e->count++;
    e->last_ms = now_ms;
    if (e->count > 1 || h->firsts == HANDSHAKE_FIRSTS_MAX)
        return false;
    h->firsts++;
    e->recorded = true;
    char k[48], t[DX_TIME_TEXT];
    s_key_text(e, k);
    dx_time_format(now_ms, t);
    snprintf(note->member, sizeof note->member, "%s", e->member);
    snprintf(note->text, sizeof note->text,
             "handshake refused at %s from %s: key %s: %s (further refusals of this key this "
             "minute are counted in one record)", t, e->address, k, e->why);
    return true;
}

void handshakes_flush(handshakes_t *h, int64_t now_ms, bool force, handshake_note_fn fn, void *arg)
{
    if (!force && now_ms - now_ms % MINUTE_MS == h->minute)
        return;
    handshake_note_t note;
    char k[48], t1[DX_TIME_TEXT], t2[DX_TIME_TEXT];
    for (size_t i = 0; i < h->n; i++) {
        const entry_t *e = &h->entries[i];
        uint64_t rest = e->count - (e->recorded ? 1 : 0);
        if (rest == 0)
            continue;
        s_key_text(e, k);
        dx_time_format(e->first_ms, t1);
        dx_time_format(e->last_ms, t2);
        snprintf(note.member, sizeof note.member, "%s", e->member);
        snprintf(note.text, sizeof note.text, "%llu %shandshake%s refused between %s and %s, first "
                 "from %s: key %s: %s", (unsigned long long)rest, e->recorded ? "more " : "",
                 rest == 1 ? "" : "s", t1, t2, e->address, k, e->why);
        fn(arg, &note);
    }
    if (h->others) {
        dx_time_format(h->others_first, t1);
        dx_time_format(h->others_last, t2);
        note.member[0] = '\0';
        snprintf(note.text, sizeof note.text, "%llu handshakes refused between %s and %s with keys "
                 "beyond the %d counted one by one this minute (a flood of keys?)",
                 (unsigned long long)h->others, t1, t2, HANDSHAKE_KEYS_MAX);
        fn(arg, &note);
    }
    h->n = h->firsts = 0;
    h->others = 0;
    h->minute = now_ms - now_ms % MINUTE_MS;
}
