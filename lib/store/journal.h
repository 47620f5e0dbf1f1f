/* journal: a broker group's journal and leader lease, in the content pool
 * (DESIGN §10; the broker's side is broker/group/).
 *
 * Objects:
 *   dx.leader                     the lease: a RADOS exclusive lock "leader"
 *                                 with a duration; xattr "active" = the
 *                                 holder's epoch and endpoint ("7 tcp://...")
 *   dx.journal.<epoch>.<part>     16 and 8 hex digits: the entries appended
 *                                 by the active of that epoch, end to end;
 *                                 xattrs "sealed" ("0" open, "r" rolled: the
 *                                 next part follows, "1" sealed: the epoch
 *                                 ended) and "next" (the next entry's
 *                                 position, 20 decimal digits)
 *
 * An entry: "DXJ1", payload length u32 BE, position u64 BE (1, 2, ...
 * across every epoch), epoch u64 BE, the previous entry's hash (32), the
 * payload (store.h's operations), its hash: SHA-256 of all before it,
 * and the broker key's Ed25519 signature of that hash (context
 * "dx-journal-v1"): every broker of a group holds the key, and a standby
 * applies nothing else, so write access to the pool is not enough to
 * change what a standby's store will hold.
 *
 * Fencing, without clocks: an append is one RADOS operation that compares
 * "sealed" with "0" and "next" with its own position, appends and sets
 * "next"; RADOS runs it atomically on the object. A new active seals every
 * part of the epochs before its own (a part not yet created is created
 * sealed), reads them to their end, and only then begins its epoch: an old
 * active's next append, or its next part, fails, whatever its clock says. */
#ifndef DX_JOURNAL_H
#define DX_JOURNAL_H

#include "crypto.h"
#include "err.h"
#include "pool.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JOURNAL_PART_MAX (32u << 20)   /* a part rolls over past this */
#define JOURNAL_HEAD 56
#define JOURNAL_OVERHEAD (JOURNAL_HEAD + 32 + 64)

typedef struct journal journal_t;

/* Where a store is in the journal: the last entry it has (position, its
 * hash), and where the next one is read (epoch, part, offset). */
typedef struct {
    uint64_t position;
    uint8_t hash[32];
    uint64_t epoch;
    uint32_t part;
    uint64_t offset;
} journal_pos_t;
#define JOURNAL_POS_LEN 60
void journal_pos_encode(const journal_pos_t *p, uint8_t out[JOURNAL_POS_LEN]);
/* false when in is not a position */
bool journal_pos_decode(const uint8_t *in, size_t len, journal_pos_t *p);

/* pub: the broker key, whose signature every entry read must carry (NULL:
 * a tool that reads no entry). */
int journal_open(pool_t *pool, const uint8_t pub[DX_ED25519_LEN], journal_t **out);
void journal_close(journal_t **j_p);

/* Takes or renews the lease for seconds, naming endpoint and epoch as the
 * active's: 0, DX_ERR_BUSY (another broker holds it), or the cluster's
 * error. */
int journal_lease(journal_t *j, int seconds, uint64_t epoch, const char *endpoint);
/* Lets the lease go (a clean stop: a standby takes over at once). */
void journal_lease_release(journal_t *j);
/* The active's endpoint and epoch, as it wrote them ("" when none). */
int journal_active(journal_t *j, char endpoint[256], uint64_t *epoch);

/* One entry read: its position and epoch, and its payload (valid during
 * the call). fn's non-zero return stops the read and is returned. */
typedef int (*journal_entry_fn)(void *arg, uint64_t position, uint64_t epoch,
                                const uint8_t *payload, size_t len);
/* Reads the entries after pos, at most max, calling fn for each and then
 * advancing pos past it; follows rolled parts and ended epochs. *more: the
 * journal may hold more than was read (max reached). An entry that does
 * not check (its hash, its signature, its position, its link to
 * pos->hash) is DX_ERR_INTEGRITY with err. */
int journal_read(journal_t *j, journal_pos_t *pos, size_t max, journal_entry_fn fn, void *arg,
                 bool *more, char err[DX_ERRMSG]);
/* Seals every part from pos->epoch on; *next: the first epoch with no
 * segment, the one to begin. */
int journal_fence(journal_t *j, const journal_pos_t *pos, uint64_t *next);
/* Creates the epoch's first part (exclusively: DX_ERR_EXISTS when it is
 * there) and moves pos to it. */
int journal_begin(journal_t *j, journal_pos_t *pos, uint64_t epoch);
/* Appends payload as the entry after pos, and advances pos. DX_ERR_FENCED:
 * another broker sealed the part; DX_ERR_UNAVAILABLE: the cluster did not
 * answer (the entry may or may not be there: journal_landed tells). */
int journal_append(journal_t *j, journal_pos_t *pos, const uint8_t *payload, size_t len,
                   const dx_signer_t *signer);
/* The last position appended to the part pos reads (a standby's lag). */
int journal_tail(journal_t *j, const journal_pos_t *pos, uint64_t *last);
/* ---- members and trimming ----
 *
 * dx.members holds one xattr per broker of the group (its name: 16 hex
 * digits of SHA-256 of the broker's endpoint): "position backup ms
 * endpoint", the last entry its store has, the position of the newest
 * backup taken of its store (0: none known), and when it said so. Parts
 * whose every entry is at or before both the newest backup of any member
 * and every live member's position can go: every standby has them, and a
 * new one starts from that backup. dx.leader's xattr "floor" ("epoch part
 * position") is where the journal now starts, after the entries removed. */
#define JOURNAL_MEMBERS_MAX 16
/* In a member's data directory: "position ms path" of the newest backup
 * dx-admin backup took of it. */
#define JOURNAL_BACKUP_FILE "journal-backup"
#define JOURNAL_MEMBER_LIVE_MS (3600 * 1000LL)  /* silent longer: not waited for */
typedef struct {
    char id[17];
    char endpoint[256];
    uint64_t position, backup;
    int64_t at_ms;
} journal_member_t;
int journal_report(journal_t *j, const char *endpoint, uint64_t position, uint64_t backup,
                   int64_t now_ms);
int journal_members(journal_t *j, journal_member_t *out, size_t cap, size_t *n);
/* Where trimming may go up to, from the members' reports (and a backup's
 * position the caller knows of, 0: none): *keep_after, and why in words. */
int journal_trim_point(journal_t *j, int64_t now_ms, uint64_t backup, uint64_t *keep_after,
                       char why[DX_ERRMSG]);

typedef struct {
    uint64_t epoch;
    uint32_t part;
    char state;               /* '0' open, 'r' rolled, '1' sealed */
    uint64_t last;            /* its last entry's position (0: none) */
    uint64_t bytes;
    int64_t mtime;
} journal_part_t;
/* The parts from the floor on, in order, at most cap. */
int journal_parts(journal_t *j, journal_part_t *out, size_t cap, size_t *n);
/* Removes the parts (never the open one) whose last entry is at most
 * keep_after, from the floor on, and moves the floor. */
int journal_trim(journal_t *j, uint64_t keep_after, uint64_t *parts, uint64_t *bytes);
/* Where the journal starts: the position of the last entry removed (0:
 * none), and the first part left. */
int journal_floor(journal_t *j, uint64_t *position, uint64_t *epoch, uint32_t *part);

/* After a failed append: whether the part's "next" moved past pos (the
 * entry landed), 0 or the cluster's error. */
int journal_landed(journal_t *j, const journal_pos_t *pos, bool *landed);

#endif
