/* agent_run: `dx-agent run`, the agent as a service in the foreground.
 *
 * One connection, one loop. Each turn: publish what the outboxes hold,
 * renew the subscription (the broker's watch on this connection) when due
 * or after a reconnection, and read the feed of each subscription when
 * told of something new, or every FEED_POLL_MS anyway. Between turns it
 * waits on the connection (notifications) and on inotify (files dropped).
 * A broker that cannot be reached is tried again with a backoff of 1 s
 * doubling to 60 s, on a fresh connection; nothing is lost meanwhile.
 * SIGTERM and SIGINT stop it after the transfer under way; SIGHUP rereads
 * the config file (a broken one is reported and the old one kept). */
#include "agent.h"
#include "dxtime.h"
#include "fileio.h"
#include "log.h"
#include "signals.h"
#include "witness.h"
#include "wire.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 60000
#define BACKOFF_LOCAL_MAX_MS 10000 /* a local fault: a full disk, an unwritable inbox */
#define RENEW_MS 30000          /* the broker's lease is 90 s */
#define FEED_POLL_MS 30000      /* the feed is read this often, notified or not */
#define RESCAN_MS 5000          /* outboxes are rescanned this often, inotify or not */
#define FEED_PAGES 10           /* pages per subscription per turn */
#define HALTED_CHECK_MS 5000    /* a rolled-back log is looked at again this often */

typedef struct {
    agent_config_t *cfg;
    const char *config_path;
    agent_link_t link;
    dx_cli_conn_t *conn;
    int inotify;
    unsigned connects;          /* dx_client_connects when the watch was renewed */
    int64_t renew_at, feed_at, scan_at, retry_at;
    int backoff_ms;
    bool scan, read;
    bool reported;              /* the broker being unreachable was said once */
    bool halted;                /* the broker's log does not extend the saved head */
} run_t;

static void s_watch_dirs(run_t *r)
{
    if (r->inotify >= 0)
        close(r->inotify);
    r->inotify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    for (size_t i = 0; r->inotify >= 0 && i < r->cfg->noutboxes; i++) {
        const char *dir = r->cfg->outboxes[i].dir;
        if (dx_mkdirs(dir, 0750) != 0 ||
            inotify_add_watch(r->inotify, dir, IN_MOVED_TO | IN_CLOSE_WRITE) < 0)
            dx_warn("outbox-not-watched",
                    "outbox %s: cannot watch it (%s): rescanned every %d s", dir, strerror(errno),
                    RESCAN_MS / 1000);
    }
}

static void s_drain_inotify(run_t *r)
{
    char buf[4096];
    while (r->inotify >= 0 && read(r->inotify, buf, sizeof buf) > 0)
        ;
}

/* The watch: one feed request over the patterns of every subscription,
 * from past the end (it returns nothing), with watch set. */
static int s_renew(run_t *r, char err[DX_ERRMSG])
{
    char *patterns[AGENT_PATTERNS_MAX];
    size_t n = 0;
    for (size_t i = 0; i < r->cfg->nsubs; i++)
        for (size_t j = 0; j < r->cfg->subs[i].npatterns && n < AGENT_PATTERNS_MAX; j++)
            patterns[n++] = r->cfg->subs[i].patterns[j];
    Dx__Request req = DX__REQUEST__INIT;
    Dx__FeedRequest fr = DX__FEED_REQUEST__INIT;
    Dx__Reply *reply = NULL;
    fr.after = UINT64_MAX;
    fr.patterns = patterns;
    fr.n_patterns = n;
    fr.limit = 1;
    fr.watch = true;
    req.body_case = DX__REQUEST__BODY_FEED;
    req.feed = &fr;
    int rv = dx_client_call(r->link.c, &req, &reply, err);
    wire_reply_free(&reply);
    return rv;
}

const dx_signer_t *agent_signer(const agent_link_t *l)
{
    if (l->next && l->c && dx_equal(dx_client_key(l->c)->pub.sign, l->next->pub.sign, DX_ED25519_LEN))
        return l->next_signer;
    return l->signer;
}

static int s_connect(run_t *r, char err[DX_ERRMSG])
{
    dx_client_t *c = NULL;
    /* a rotation: the next key first, the current one while the broker
     * does not take the next yet */
    int rv = dx_client_new(r->conn->broker, r->link.next ? r->link.next : r->link.me, r->link.broker,
                           r->conn->timeout_ms, &c, err);
    if (rv != 0)
        return rv;
    if (r->link.next) {
        dx_client_set_fallback(c, r->link.me);
        if ((rv = dx_client_handshake(c, err)) != 0) {
            dx_client_destroy(&c);
            return rv;
        }
    }
    r->link.c = c;
    r->connects = 0;
    r->renew_at = 0;
    return 0;
}

/* One turn of work. Whatever fails is reported and tried again after the
 * backoff: a service does not give up. */
static void s_turn(run_t *r, int64_t now)
{
    char err[DX_ERRMSG] = "";
    int rv;
    if (!r->link.c && (rv = s_connect(r, err)) != 0)
        goto fail;
    if (dx_client_take_notify(r->link.c))
        r->read = true;
    bool renew = r->cfg->nsubs && (now >= r->renew_at || dx_client_connects(r->link.c) != r->connects);
    if (!renew && !r->scan && now < r->scan_at && !r->read && now < r->feed_at)
        return; /* nothing due */
    /* A restored broker numbers versions again from where its backup ends:
     * nothing is published or read until its log is accepted (resync). */
    if ((rv = dx_witness_current(r->link.c, r->link.broker, r->link.state, err)) == DX_ERR_INTEGRITY) {
        if (!r->halted)
            dx_error("broker-log-rolled-back",
                     "subscriptions and outboxes stopped, nothing is skipped or lost: %s", err);
        r->halted = true;
        r->retry_at = dx_mono_ms() + HALTED_CHECK_MS;
        return;
    }
    if (rv == DX_ERR_IO)
        dx_error("state-unusable", "%s", err); /* the state directory: said here, retried sooner */
    if (rv != 0)
        goto fail;
    if (r->halted) {
        dx_info("broker-log-accepted",
                "the broker's log extends the saved head again (resync): subscriptions and "
                "outboxes resume");
        r->halted = false;
        r->read = r->scan = true;
        r->renew_at = 0;
    }
    if (renew) {
        unsigned connects = dx_client_connects(r->link.c);
        if ((rv = s_renew(r, err)) != 0)
            goto fail;
        r->connects = connects ? connects : dx_client_connects(r->link.c);
        r->renew_at = now + RENEW_MS;
        r->read = true; /* after a reconnection something may have been missed */
    }
    if (r->scan || now >= r->scan_at) {
        r->scan = false;
        r->scan_at = now + RESCAN_MS;
        for (size_t i = 0; i < r->cfg->noutboxes && !dx_signal_stop; i++) {
            size_t n = 0;
            if ((rv = agent_outbox_run(&r->link, &r->cfg->outboxes[i], &n)) != 0) {
                snprintf(err, DX_ERRMSG, "%s", dx_strerror(rv));
                r->scan = true;
                goto fail;
            }
            if (n == AGENT_SCAN_MAX)
                r->scan = true; /* more waiting */
        }
    }
    if (r->read || now >= r->feed_at) {
        r->read = false;
        r->feed_at = now + FEED_POLL_MS;
        for (size_t i = 0; i < r->cfg->nsubs && !dx_signal_stop; i++) {
            size_t n = 0;
            bool more = false;
            if ((rv = agent_inbox_run(&r->link, &r->cfg->subs[i], FEED_PAGES, &n, &more)) != 0) {
                snprintf(err, DX_ERRMSG, "%s", dx_strerror(rv));
                r->read = true;
                goto fail;
            }
            if (more)
                r->read = true;
        }
    }
    if (r->reported)
        dx_info("broker-reachable", "broker %s reachable again", r->conn->broker);
    r->reported = false;
    r->backoff_ms = BACKOFF_MIN_MS;
    return;
fail:;
    /* A local fault (a full disk, an inbox that cannot be written) was said
     * where it happened; it is retried sooner, on the same connection. */
    bool local = rv == DX_ERR_IO || rv == DX_ERR_FULL || rv == DX_ERR_NOMEM;
    int max = local ? BACKOFF_LOCAL_MAX_MS : BACKOFF_MAX_MS;
    if (r->backoff_ms > max)
        r->backoff_ms = max;
    if (!local && (!r->reported || r->backoff_ms >= BACKOFF_MAX_MS))
        dx_warn("broker-unreachable",
                "broker %s: %s; trying again in %d s", r->conn->broker, err[0] ? err : dx_strerror(rv),
                r->backoff_ms / 1000);
    if (!local) {
        r->reported = true;
        dx_client_destroy(&r->link.c); /* a fresh connection next time: nothing stale queued */
    }
    r->retry_at = dx_mono_ms() + r->backoff_ms;
    r->backoff_ms = r->backoff_ms * 2 > max ? max : r->backoff_ms * 2;
}

static void s_reload_config(run_t *r)
{
    char err[DX_ERRMSG];
    agent_config_t *next = malloc(sizeof *next);
    if (!next || agent_config_load(r->config_path, next, err) != 0) {
        dx_error("config-not-reloaded",
                 "config not reloaded, the old one stays: %s", next ? err : "out of memory");
        free(next);
        return;
    }
    free(r->cfg);
    r->cfg = next;
    s_watch_dirs(r);
    r->scan = r->read = true;
    r->renew_at = 0;
    dx_info("config-reloaded",
            "config reloaded from %s: %zu outboxes, %zu subscriptions", r->config_path,
            next->noutboxes, next->nsubs);
}

/* Waits for a notification, a file, a signal or the next due time. */
static void s_wait(run_t *r, int64_t now)
{
    int64_t due = r->retry_at > now ? r->retry_at : now + 1000;
    if (r->scan || r->read)
        due = r->retry_at > now ? r->retry_at : now;
    int timeout = (int)(due - now);
    if (timeout > 1000)
        timeout = 1000;
    bool fd_ready = false;
    char err[DX_ERRMSG];
    if (r->link.c && r->retry_at <= now) {
        if (dx_client_poll(r->link.c, r->inotify, timeout, &fd_ready, err) != 0)
            dx_debug("poll-failed", "poll: %s", err);
    } else {
        struct pollfd p = { r->inotify, POLLIN, 0 };
        fd_ready = poll(&p, r->inotify >= 0 ? 1 : 0, timeout) > 0;
    }
    if (fd_ready) {
        s_drain_inotify(r);
        r->scan = true;
    }
}

int agent_run(dx_cli_conn_t *conn, const char *config)
{
    char err[DX_ERRMSG];
    dx_keypair_t me;
    dx_pubkeys_t broker;
    run_t r = { .config_path = config, .conn = conn, .inotify = -1, .backoff_ms = BACKOFF_MIN_MS,
                .scan = true, .read = true };
    int rv;
    if (!(r.cfg = malloc(sizeof *r.cfg)))
        return DX_ERR_NOMEM;
    if ((rv = agent_config_load(config, r.cfg, err)) != 0)
        goto fail;
    if (!conn->broker[0] || !conn->broker_pub[0] || !conn->key[0]) {
        snprintf(err, sizeof err, "%s: broker:, broker_pub: and key: are needed to run", config);
        rv = DX_ERR_USAGE;
        goto fail;
    }
    dx_signer_t *signer = NULL, *next_signer = NULL;
    dx_keypair_t next;
    memset(&next, 0, sizeof next);
    if ((rv = dx_keys_read_public(conn->broker_pub, &broker, err)) != 0 ||
        (rv = dx_keys_read_secret(conn->key, &me, err)) != 0)
        goto fail;
    if ((rv = dx_cli_signer(conn, &me, &signer, err)) != 0)
        goto wipe;
    if (conn->next_key[0] &&
        ((rv = dx_keys_read_secret(conn->next_key, &next, err)) != 0 ||
         (rv = dx_cli_signer(conn, &next, &next_signer, err)) != 0))
        goto wipe;
    if (conn->next_key[0] && strcmp(next.pub.id, me.pub.id) != 0) {
        snprintf(err, sizeof err, "next_key %s is member %s's, not %s's", conn->next_key, next.pub.id, me.pub.id);
        rv = DX_ERR_USAGE;
        goto wipe;
    }
    if (!conn->state[0]) {
        snprintf(err, sizeof err, "%s: state: (the agent's own directory) is needed to run", config);
        rv = DX_ERR_USAGE;
        goto wipe;
    }
    if (dx_mkdirs(conn->state, 0700) != 0) {
        snprintf(err, sizeof err, "cannot create the state directory %s: %s", conn->state, strerror(errno));
        rv = DX_ERR_IO;
        goto wipe;
    }
    /* the config file's log settings, unless the environment says otherwise */
    const char *fenv = getenv("DX_LOG_FORMAT"), *lenv = getenv("DX_LOG_LEVEL");
    if (conn->log_format[0] && !(fenv && fenv[0]))
        dx_log_set_format(strcmp(conn->log_format, "json") == 0 ? DX_LOG_JSON : DX_LOG_TEXT);
    if (conn->log_level[0] && !(lenv && lenv[0]))
        dx_log_set_level(strcmp(conn->log_level, "debug") == 0  ? DX_LOG_DEBUG
                         : strcmp(conn->log_level, "warn") == 0 ? DX_LOG_WARN
                         : strcmp(conn->log_level, "error") == 0 ? DX_LOG_ERROR
                                                                 : DX_LOG_INFO);
    if ((rv = dx_signals_install()) != 0) {
        snprintf(err, sizeof err, "cannot set up signals");
        goto wipe;
    }
    r.link = (agent_link_t){ .me = &me, .signer = signer, .next = conn->next_key[0] ? &next : NULL,
                             .next_signer = next_signer, .broker = &broker, .stop = &dx_signal_stop };
    snprintf(r.link.state, sizeof r.link.state, "%s", conn->state);
    s_watch_dirs(&r);
    dx_info("agent-started",
            "dx-agent running as %s: broker %s, %zu outboxes, %zu subscriptions, state %s", me.pub.id,
            conn->broker, r.cfg->noutboxes, r.cfg->nsubs, conn->state);
    while (!dx_signal_stop) {
        if (dx_signal_reload) {
            dx_signal_reload = 0;
            s_reload_config(&r);
        }
        int64_t now = dx_mono_ms();
        if (now >= r.retry_at)
            s_turn(&r, now);
        if (!dx_signal_stop)
            s_wait(&r, dx_mono_ms());
    }
    dx_info("agent-stopped", "dx-agent stopped");
    dx_client_destroy(&r.link.c);
    if (r.inotify >= 0)
        close(r.inotify);
    rv = 0;
wipe:
    dx_signer_destroy(&signer);
    dx_signer_destroy(&next_signer);
    dx_keypair_wipe(&me);
    dx_keypair_wipe(&next);
fail:
    if (rv != 0)
        fprintf(stderr, "dx-agent: %s\n", err);
    free(r.cfg);
    return rv;
}
