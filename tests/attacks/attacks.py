#!/usr/bin/python3
"""Attacks on a running dx-broker by authenticated but hostile members.

Every attack is one entry in ATTACKS: a function that gets the exchange
(Ctx) and returns None when dx held, or a string saying what leaked or
went wrong. The client is tests/attacks/hostile.py, which shares no code
with dx. tests/integration/attacks.sh prepares the exchange (keys, the
policy with the extra rules below, a broker) and runs this file.

    attacks.py [NAME...]      run all attacks, or the named ones

To add one: write a function a_something(ctx), add it to ATTACKS.
"""
import base64
import hashlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import traceback

import zmq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hostile import (CTX_DELIVERY, CTX_VIEW, ERR, REPLY, REQ, Conn, Member, error_of, f_bytes, f_int, f_lying,  # noqa: E402
                     fetch, key, msg, one, parse, publish, text, varint)

# The rules attacks.sh appends to the example policy set.
EXTRA_RULES = """
  - id: stats-reads-probe
    effect: allow
    actions: [read, list]
    members: [statistics]
    datasets: ["health/probe/**"]
    purposes: [research]

  - id: rotated-lists
    effect: allow
    actions: [list]
    members: [rotated]
    datasets: ["health/vaccination/**"]
    max_classification: restricted

  - id: health-reads-open
    effect: allow
    actions: [read]
    members: [health]
    datasets: ["health/open/**"]
    max_classification: restricted
"""


class Ctx:
    def __init__(self):
        self.ep = os.environ["DX_EP"]
        self.keys = os.environ["DX_KEYS"]
        self.bin = os.environ["DX_BIN"]
        self.tmp = os.environ["DX_TMP"]
        self.broker_log = os.environ["DX_BROKER_LOG"]
        self.members = {}
        self.conns = []

    def member(self, mid):
        if mid not in self.members:
            self.members[mid] = Member(self.keys, mid)
        return self.members[mid]

    def conn(self, mid, timeout=10.0):
        c = Conn(self.ep, self.member(mid), timeout)
        self.conns.append(c)
        return c

    def run(self, prog, who, *args, timeout=60):
        cmd = [os.path.join(self.bin, prog), "--broker", self.ep, "--broker-pub",
               os.path.join(self.keys, "broker.pub"), "--key", os.path.join(self.keys, who + ".key"),
               "--timeout", "10", *args]
        return subprocess.run(cmd, capture_output=True, timeout=timeout)

    def records(self, *args):
        """The audit log as the auditor's dx-audit prints it (JSON)."""
        p = self.run("dx-audit", "auditor", "query", "--format", "json", *args)
        if p.returncode != 0:
            raise RuntimeError("dx-audit query failed: " + p.stderr.decode(errors="replace"))
        return [json.loads(l) for l in p.stdout.decode().splitlines() if l.strip()]

    def close(self):
        for c in self.conns:
            c.close()


def unique(prefix):
    return f"{prefix}-{os.urandom(4).hex()}"


# ---- the filter: nothing of an excluded column leaves ----

def leak_attempt(ctx, content, content_type="text/csv", name=None):
    """health publishes content under the vaccination rule (exclude
    national_id); statistics fetches it. Returns a failure or None: the
    content must be refused at publish by the views' strict reader (rule
    content-format: then nothing is stored to leak, and statistics must not
    find the name), or the view must be refused; either way no byte of a
    SECRET value may have arrived."""
    name = name or unique("health/vaccination/leak")
    h = ctx.conn("health")
    r = publish(h, name, content, "restricted", content_type)
    if error_of(r):
        if error_of(r)[2] != "content-format":
            return f"the publish itself was refused: {error_of(r)}"
        s = ctx.conn("statistics")
        _, data, err = fetch(s, name, "statistics")
        if data or err is None or any(b"SECRET" in raw for raw in s.raw_replies):
            return "refused at publish, yet something of it was fetched"
        return None
    s = ctx.conn("statistics")
    _, data, err = fetch(s, name, "statistics")
    if any(b"SECRET" in raw for raw in s.raw_replies):
        return "SECRET bytes reached the consumer"
    if err is None and data:
        return "a view was delivered (the filter did not fail closed)"
    return None


def a_csv_bare_cr(ctx):
    return leak_attempt(ctx, b"region,national_id,doses\rnorth,SECRET1,2\rsouth,SECRET2,3\r")


def a_csv_tab_separated(ctx):
    return leak_attempt(ctx, b"region\tnational_id\tdoses\nnorth\tSECRET1\t2\nsouth\tSECRET2\t3\n")


def a_csv_semicolon_separated(ctx):
    return leak_attempt(ctx, b"region;national_id;doses\nnorth;SECRET1;2\n")


def a_csv_nul_in_header(ctx):
    return leak_attempt(ctx, b"region,national_id\0,doses\nnorth,SECRET1,2\n")


def a_csv_header_absent(ctx):
    return leak_attempt(ctx, b"north,SECRET1,2\nsouth,SECRET2,3\n", "text/csv; header=absent")


def a_csv_near_miss_names(ctx):
    for header in (b"region,National_ID,doses", b"region,national id,doses", b"region, national_id,doses",
                   b"region,national_id\xe2\x80\x8b,doses", b"region,\"national_id \",doses"):
        why = leak_attempt(ctx, header + b"\nnorth,SECRET1,2\n")
        if why:
            return f"{header!r}: {why}"
    return None


def a_csv_invalid_utf8(ctx):
    return leak_attempt(ctx, b"region,national_id,doses\nnorth\xff,SECRET1,2\n")


def a_jsonl_escaped_key(ctx):
    return leak_attempt(ctx, b'{"region":"north","national_id\\u0000":"SECRET1"}\n', "application/x-ndjson")


def a_jsonl_escaped_spelling(ctx):
    return leak_attempt(ctx, b'{"region":"north","nation\\u0061l_id":"SECRET1"}\n', "application/x-ndjson")


def a_jsonl_invalid_utf8_key(ctx):
    return leak_attempt(ctx, b'{"region":"north","national_id\xc0\x80":"SECRET1"}\n', "application/x-ndjson")


def a_jsonl_duplicate_key(ctx):
    return leak_attempt(ctx, b'{"region":"north","region":"SECRET1"}\n'
                        b'{"national_id":"x","National_Id":"SECRET2"}\n', "application/x-ndjson")


def a_jsonl_line_separator(ctx):
    return leak_attempt(ctx, b'{"region":"north"}\xe2\x80\xa8{"national_id2":"SECRET1"}\n', "application/x-ndjson")


# ---- what else the reply reveals ----

def a_filtered_fetch_reveals_no_source_hash(ctx):
    """A low-entropy excluded column: with the source's hash, 2^n guesses
    would recover it. No hash, size or signature over the source may
    arrive; what arrives must verify."""
    content = b"region,national_id,doses\n" + b"".join(
        b"r%d,%s,%d\n" % (i, b"yes" if i % 3 else b"no", i) for i in range(14))
    sha = hashlib.sha256(content).digest()
    name = unique("health/vaccination/lowentropy")
    if error_of(publish(ctx.conn("health"), name, content, "restricted")):
        return "publish refused"
    s = ctx.conn("statistics")
    ready, data, err = fetch(s, name, "statistics")
    if err or not data:
        return f"the view was not delivered: {err}"
    for raw in s.raw_replies:
        for form in (sha, sha.hex().encode(), base64.b64encode(sha)):
            if form in raw:
                return "the source's SHA-256 reached the consumer"
    fr = parse(one(ready, REPLY["fetch_ready"]))
    entry = parse(one(fr, 2, b""))
    leaked = [n for n in (3, 4, 5, 6, 7, 8, 10, 11) if n in entry]
    if leaked:
        return f"the filtered consumer's catalog entry has source fields {leaked}"
    view = b"".join(one(d, 3, b"") for d in data)
    if b"national_id" in view or len(data) != 1:
        return f"the view is wrong: {len(data)} messages, {view[:80]!r}"
    signed = parse(one(data[-1], 5, b""))
    body, sig = one(signed, 1, b""), one(signed, 2, b"")
    if not s.member.broker_signed(CTX_VIEW, body, sig):
        return "the view's provenance is not signed by the broker"
    vm = parse(body)
    if 3 in vm or one(vm, 4) != hashlib.sha256(view).digest() or len(one(vm, 13, b"")) != 32:
        return "the view's provenance names the source's content hash, or not the view's"
    return None


def a_info_and_list_reveal_no_hash(ctx):
    content = b"region,national_id\nnorth,yes\n"
    sha = hashlib.sha256(content).digest()
    name = unique("health/vaccination/info")
    if error_of(publish(ctx.conn("health"), name, content, "restricted")):
        return "publish refused"
    s = ctx.conn("statistics")
    info = s.call(REQ["info"], msg(f_bytes(1, name)))
    lst = s.call(REQ["list"], msg(f_bytes(1, "health/vaccination/*")))
    if error_of(info) or error_of(lst):
        return f"info or list refused: {error_of(info) or error_of(lst)}"
    if any(sha in raw or sha.hex().encode() in raw for raw in s.raw_replies):
        return "a member that may not see the whole content got its hash"
    d = parse(one(info, REPLY["info"]))
    if 5 in d or 6 in d:
        return "info carries hash or size to a non-publisher"
    # the publisher still sees its own
    h = ctx.conn("health")
    own = parse(one(h.call(REQ["info"], msg(f_bytes(1, name))), REPLY["info"], b""))
    if one(own, 5) != sha:
        return "the publisher no longer sees its own hash"
    return None


def a_audit_records_are_salted(ctx):
    """Signed heads show record leaf hashes to every member: a record that
    holds a guessable value must hold a random salt too."""
    a = ctx.conn("auditor")
    r = a.call(REQ["audit_read"], msg(f_int(1, 0)))
    recs = [parse(x) for x in parse(one(r, REPLY["audit"], b"")).get(1, [])]
    if not recs:
        return "no records"
    bad = [one(x, 1) for x in recs if len(one(x, 15, b"")) != 16]
    return f"records without a 16-byte salt: {bad[:5]}" if bad else None


def a_view_provenance_ties_in_the_log(ctx):
    content = b"region,national_id\nnorth,1\nsouth,2\n"
    name = unique("health/vaccination/prov")
    h = ctx.conn("health")
    if error_of(publish(h, name, content, "restricted")):
        return "publish refused"
    s = ctx.conn("statistics")
    _, data, err = fetch(s, name, "statistics")
    if err or not data:
        return f"no view: {err}"
    view = b"".join(one(d, 3, b"") for d in data)
    vm = parse(one(parse(one(data[-1], 5, b"")), 1, b""))
    msha = one(vm, 13, b"").hex()
    recs = ctx.records("--dataset", name)
    pub = [r for r in recs if r["event"] == "publish" and r["decision"] == "allow"]
    reads = [r for r in recs if r["event"] == "read" and r["member"] == "statistics"]
    if not pub or pub[0]["manifest_sha256"] != msha:
        return "the publish record does not carry the manifest hash the view names"
    if not any(r["decision"] == "allow" and r["purpose"] == "statistics" for r in reads):
        return "no read record"
    if not any(r["decision"] == "ok" and r["view_sha256"] == hashlib.sha256(view).hexdigest()
               and r["manifest_sha256"] == msha for r in reads):
        return "no record ties the delivered view's hash to the source"
    return None


# ---- no probing ----

def norm(err, *names):
    if err is None:
        return None
    code, message, rule = err
    for n in names:
        message = message.replace(n, "NAME")
    message = re.sub(r"NAME@\d+", "NAME", message)
    return code, message, rule


def a_probe_existence_and_classification(ctx):
    hidden, shown = unique("health/probe/hidden"), unique("health/probe/open")
    absent = unique("health/probe/absent")
    h = ctx.conn("health")
    if error_of(publish(h, hidden, b"a\n1\n", "restricted")) or error_of(publish(h, shown, b"a\n1\n", "internal")):
        return "publish refused"
    s = ctx.conn("statistics")
    answers = {}
    for label, name, version in (("restricted", hidden, 0), ("absent", absent, 0), ("restricted@1", hidden, 1),
                                 ("missing version", shown, 9), ("absent@1", absent, 1)):
        _, _, err = fetch(s, name, "research", version=version)
        answers["fetch " + label] = norm(err, hidden, shown, absent)
        info = s.call(REQ["info"], msg(f_bytes(1, name), f_int(2, version) if version else b""))
        answers["info " + label] = norm(error_of(info), hidden, shown, absent)
    for kind in ("fetch", "info"):
        got = {k: v for k, v in answers.items() if k.startswith(kind)}
        if len(set(got.values())) != 1 or None in got.values():
            return f"{kind} answers differ: {got}"
    # a wrong purpose is refused the same way whether the name exists or not
    _, _, e1 = fetch(s, hidden, "marketing")
    _, _, e2 = fetch(s, absent, "marketing")
    if norm(e1, hidden, absent) != norm(e2, hidden, absent):
        return f"a wrong purpose answers differently: {e1} / {e2}"
    lst = parse(one(s.call(REQ["list"], msg(f_bytes(1, "health/probe/**"))), REPLY["list"], b""))
    names = [text(parse(d), 1) for d in lst.get(1, [])]
    if hidden in names or shown not in names:
        return f"list shows {names}"
    # timing, reported not asserted (machines here are noisy)
    t = {}
    for label, name in (("exists", hidden), ("absent", absent)):
        samples = []
        for _ in range(15):
            t0 = time.perf_counter()
            s.call(REQ["info"], msg(f_bytes(1, name)))
            samples.append(time.perf_counter() - t0)
        t[label] = statistics.median(samples)
    print(f"# probe timing: info on a hidden name {t['exists'] * 1e3:.2f} ms, on an absent one "
          f"{t['absent'] * 1e3:.2f} ms (medians of 15; ratio {t['exists'] / t['absent']:.2f})")
    return None


# ---- purpose ----

def a_read_without_purpose(ctx):
    name = unique("health/open/data")
    h = ctx.conn("health")
    if error_of(publish(h, name, b"a,b\n1,2\n")):
        return "publish refused"
    for purpose in (None, "", "Bad Purpose", "x\0y", "-x", "a" * 65):
        _, data, err = fetch(h, name, purpose)
        if data or not err or err[0] != ERR["BAD_REQUEST"]:
            return f"purpose {purpose!r} was not refused as a bad request: {err}"
    _, data, err = fetch(h, name, "operations")
    if err or not data:
        return f"a read with a purpose under a rule without purposes failed: {err}"
    empty = [r["seq"] for r in ctx.records("--action", "read") if r["purpose"] == ""]
    return f"read records without a purpose: {empty}" if empty else None


# ---- every read of audit records is recorded ----

def a_audit_cursor_is_recorded(ctx):
    a = ctx.conn("auditor")
    tag = os.urandom(3).hex()
    cursors = (3, 5, (1 << 63) + 7)
    for c in cursors:
        r = a.call(REQ["audit_query"], msg(f_bytes(3, "statistics"), f_int(7, 2), f_int(8, c)))
        if error_of(r):
            return f"query refused: {error_of(r)}"
        r = a.call(REQ["audit_read"], msg(f_int(1, c)))
        if error_of(r):
            return f"read refused: {error_of(r)}"
    recs = [r for r in ctx.records("--member", "auditor") if r["event"] == "audit"]
    for c in cursors:
        for action in ("query", "verify"):
            if not any(r["action"] == action and f"page after seq {c}:" in r["reason"] for r in recs):
                return f"a {action} page after seq {c} left no audit record"
    del tag
    return None


# ---- strings: what was signed is what is stored ----

def a_nul_in_signed_name(ctx):
    h = ctx.conn("health")
    base = unique("health/vaccination/nul")
    r = publish(h, base.encode() + b"\0evil", b"a\n1\n", "restricted")
    if not error_of(r):
        return "a name with a NUL was accepted"
    info = h.call(REQ["info"], msg(f_bytes(1, base)))
    if not error_of(info):
        return "the name cut at the NUL was catalogued"
    return None


def a_invalid_utf8_strings_in_manifest(ctx):
    h = ctx.conn("health")
    for ctype in (b"text/csv\xff", b"text/csv; charset=\xc3\xa9", b"text/csv\0", b"text/csv\n", b"not a type"):
        r = publish(h, unique("health/vaccination/ctype"), b"a\n1\n", "restricted", ctype)
        if not error_of(r):
            return f"content type {ctype!r} was accepted"
    # every string in every list reply a standard decoder can read
    for who in ("health", "statistics"):
        lst = parse(one(ctx.conn(who).call(REQ["list"], msg()), REPLY["list"], b""))
        for d in lst.get(1, []):
            d = parse(d)
            for n in (1, 4, 7):
                text(d, n)  # raises on bad UTF-8
    p = ctx.run("dx-audit", "auditor", "query", "--format", "json")
    p.stdout.decode("utf-8")  # raises on bad UTF-8
    for line in p.stdout.decode().splitlines():
        json.loads(line)
    return None


def a_hostile_request_strings(ctx):
    s = ctx.conn("statistics")
    cases = {
        "list pattern not UTF-8": (REQ["list"], msg(f_bytes(1, b"health/\xff"))),
        "fetch name with NUL": (REQ["fetch_begin"], msg(f_bytes(1, b"health/vaccination/a\0b"), f_bytes(3, "statistics"))),
        "fetch purpose overlong UTF-8": (REQ["fetch_begin"], msg(f_bytes(1, "health/x"), f_bytes(3, b"st\xc0\xaf"))),
        "info surrogate": (REQ["info"], msg(f_bytes(1, b"health/\xed\xa0\x80"))),
        "audit member C1": (REQ["audit_query"], msg(f_bytes(3, b"stat\xc2\x85"))),
    }
    for what, (num, body) in cases.items():
        e = error_of(s.call(num, body))
        if not e or e[0] != ERR["BAD_REQUEST"]:
            return f"{what}: not refused as a bad request ({e})"
    return None


# ---- transfers ----

def a_other_members_transfer_ids(ctx):
    name = unique("health/vaccination/transfer")
    if error_of(publish(ctx.conn("health"), name, b"region,national_id\nnorth,1\n", "restricted")):
        return "publish refused"
    s = ctx.conn("statistics")
    ready = s.call(REQ["fetch_begin"], msg(f_bytes(1, name), f_bytes(3, "statistics")))
    session = one(parse(one(ready, REPLY["fetch_ready"], b"")), 1)
    if not session:
        return f"no session: {error_of(ready)}"
    e = ctx.conn("education")
    theirs = error_of(e.call(REQ["fetch_more"], msg(f_int(1, session))))
    random_id = error_of(e.call(REQ["fetch_more"], msg(f_int(1, int.from_bytes(os.urandom(8), "big") | 1))))
    h = ctx.conn("health")
    chunk_theirs = error_of(h.call(REQ["publish_chunk"], msg(f_int(1, session), f_int(2, 0), f_bytes(3, b"x"))))
    chunk_random = error_of(h.call(REQ["publish_chunk"], msg(f_int(1, 12345), f_int(2, 0), f_bytes(3, b"x"))))
    if theirs != random_id or chunk_theirs != chunk_random or theirs is None:
        return f"another member's id answers differently: {theirs} / {random_id}; {chunk_theirs} / {chunk_random}"
    # the rightful owner still gets its view
    s.request(REQ["fetch_more"], msg(f_int(1, session)))
    got = s.recv()
    if error_of(got) or b"national_id" in one(parse(one(got, REPLY["fetch_data"], b"")), 3, b""):
        return f"the owner's transfer was disturbed: {error_of(got)}"
    with open(ctx.broker_log) as f:
        if "transfer-probe member=education" not in f.read():
            return "the probe was not logged"
    recs = [r for r in ctx.records("--member", "education") if r["rule"] == "transfer"]
    if not recs:
        return "the probe was not audited"
    if not [r for r in ctx.records("--member", "health") if r["rule"] == "transfer" and r["event"] == "publish"]:
        return "the publish-chunk probe was not audited"
    return None


def a_large_rows_in_a_view(ctx):
    """A row over 2 MiB (under the 4 MiB row limit): each message stays
    within a frame, and dx-agent completes the fetch."""
    path = os.path.join(ctx.tmp, "wide.csv")
    with open(path, "wb") as f:
        f.write(b"region,national_id,note\n")
        for i in range(3):
            f.write(b"north,SECRET%d,%s\n" % (i, b"x" * (3 << 20)))
    name = unique("health/vaccination/wide")
    p = ctx.run("dx-agent", "health", "publish", name, path, "--classification", "restricted")
    if p.returncode != 0:
        return "publish failed: " + p.stderr.decode(errors="replace")
    out = os.path.join(ctx.tmp, "wide.out")
    p = ctx.run("dx-agent", "statistics", "fetch", name, "--purpose", "statistics", "-o", out, timeout=120)
    if p.returncode != 0:
        return "dx-agent fetch failed: " + p.stderr.decode(errors="replace")
    with open(out, "rb") as f:
        view = f.read()
    if b"SECRET" in view or view.count(b"\n") != 4:
        return "the view is wrong"
    s = ctx.conn("statistics", timeout=30)
    _, data, err = fetch(s, name, "statistics")
    if err or max(len(one(d, 3, b"")) for d in data) > (1 << 20):
        return f"a view message is over 1 MiB, or failed: {err}"
    return None


def a_view_messages_follow_the_view(ctx):
    """A 3 MiB source whose view is a few KiB: the number and size of the
    messages may not tell how much was removed."""
    path = os.path.join(ctx.tmp, "mostly-secret.csv")
    with open(path, "wb") as f:
        f.write(b"region,national_id\n")
        for i in range(3000):
            f.write(b"north,SECRET%d%s\n" % (i, b"x" * 1000))
    name = unique("health/vaccination/mostly")
    p = ctx.run("dx-agent", "health", "publish", name, path, "--classification", "restricted")
    if p.returncode != 0:
        return "publish failed: " + p.stderr.decode(errors="replace")
    s = ctx.conn("statistics", timeout=30)
    ready, data, err = fetch(s, name, "statistics", credit=8)
    if err or not data:
        return f"no view: {err}"
    extra = s.drain(0.5)  # answers to credit past the end, if any
    if len(data) != 1 or any(one(r, REPLY["fetch_data"]) for r in extra):
        return f"{len(data)} data messages for a view of {len(one(data[0], 3, b''))} bytes"
    if any(b"SECRET" in raw for raw in s.raw_replies):
        return "SECRET bytes reached the consumer"
    return None


# ---- malformed, but authenticated ----

def a_malformed_frames(ctx):
    s = ctx.conn("statistics", timeout=5)
    header = msg(f_int(1, 2), f_int(2, 77))
    frames = {
        "string field as a varint": header + key(12, 2) + varint(3) + f_int(1, 5),
        "body as a varint": header + f_int(12, 5),
        "length prefix past the end": header + f_lying(12, msg(f_bytes(1, "health/x")), 1000),
        "nested length prefix lies": header + f_bytes(12, f_lying(1, b"health/x", 90)),
        "overlong varint": header + key(13, 2) + varint(11) + key(1, 0) + b"\xff" * 10,
        "wire type 3": header + key(12, 3),
        "field number 0": header + b"\x02\x00",
        "audit proof 0..0": header + f_bytes(19, msg(f_int(1, 0), f_int(2, 0))),
        "audit proof backwards": header + f_bytes(19, msg(f_int(1, 9), f_int(2, 3))),
        "consistency old > new": header + f_bytes(20, msg(f_int(1, 1 << 40), f_int(2, 3))),
        "heads after 2^64-1": header + f_bytes(21, msg(f_int(1, (1 << 64) - 1))),
        "two bodies": header + f_bytes(14, msg()) + f_bytes(15, msg(f_bytes(1, "health/x"))),
        "negative version": header + f_bytes(15, msg(f_bytes(1, "health/x"), f_int(2, -1))),
        "chunk of 2 MiB": header + f_bytes(11, msg(f_int(1, 1), f_bytes(3, b"x" * (1 << 20)))),
    }
    for what, frame in frames.items():
        s.send_raw(frame)
        try:
            r = s.recv()
        except TimeoutError:
            return f"{what}: no answer"
        if one(r, REPLY["id"], 0) not in (0, 77):
            return f"{what}: an answer to something else"
        if what not in ("heads after 2^64-1", "two bodies") and not error_of(r):
            return f"{what}: accepted"
    # and the broker goes on serving
    if error_of(ctx.conn("health").call(REQ["list"], msg())):
        return "the broker stopped serving"
    return None


def a_origin_names(ctx):
    """--origin takes exactly signed-note key names."""
    bad = ["dx/no\u00a0break", "dx/ideo\u3000space", "dx/plus+", "dx/tab\t", "", "dx/" + "a" * 200]
    for origin in bad + [b"dx/\xff"]:
        d = tempfile.mkdtemp(dir=ctx.tmp)
        data = os.path.join(d, "data")
        arg = origin if isinstance(origin, bytes) else origin.encode()
        p = subprocess.run([os.path.join(ctx.bin, "dx-broker"), "--listen", "tcp://127.0.0.1:*", "--data", data,
                            "--policies", os.environ["DX_POLICIES"], "--key", os.path.join(ctx.keys, "broker.key"),
                            b"--origin=" + arg], capture_output=True, timeout=20)
        if p.returncode != 2 or os.path.exists(data):
            return f"origin {origin!r}: exit {p.returncode}, data dir created: {os.path.exists(data)}"
    return None


def list_page(conn, pattern, after="", limit=0):
    """One page of list: (names, next_after) or (error, None)."""
    body = msg(f_bytes(1, pattern), f_bytes(2, after), f_int(3, limit))
    r = conn.call(REQ["list"], body)
    if error_of(r):
        return error_of(r), None
    lst = parse(one(r, REPLY["list"], b""))
    names = [one(parse(d), 1).decode() for d in lst.get(1, [])]
    return names, one(lst, 2, b"").decode()


def a_list_pages_show_exactly_what_one_may_see(ctx):
    """list is paged from a cursor: the pages of a member, put together,
    are exactly its one-page list, in order and without repeats; a member
    with no list rule sees nothing and a cursor that is not a name is
    refused; every page is recorded."""
    base = unique("health/vaccination/pages")
    names = sorted(f"{base}/{i:02d}" for i in range(7))
    h = ctx.conn("health")
    for n in names:
        if error_of(publish(h, n, b"region,count\nnorth,1\n")):
            return f"publish of {n} refused"
    s = ctx.conn("statistics")
    whole, nxt = list_page(s, base + "/*")
    if nxt is None or whole != names or nxt != "":
        return f"one page: {whole!r}, next {nxt!r}; expected {names!r}"
    before = len([r for r in ctx.records("--member", "statistics", "--action", "list")])
    got, after, pages = [], "", 0
    while pages < 20:
        page, nxt = list_page(s, base + "/*", after, 2)
        if nxt is None:
            return f"page after {after!r} refused: {page}"
        pages += 1
        got += page
        if len(page) > 2:
            return f"a page of limit 2 held {len(page)} entries"
        if not nxt:
            break
        if nxt <= after:
            return f"the cursor went back: {after!r} -> {nxt!r}"
        if not page or nxt != page[-1]:
            return f"the cursor {nxt!r} is not the last name the page showed ({page!r})"
        after = nxt
    if got != names:
        return f"the pages hold {got!r}, not {names!r}"
    recorded = len([r for r in ctx.records("--member", "statistics", "--action", "list")]) - before
    if recorded != pages:
        return f"{pages} pages, {recorded} list records"
    e = ctx.conn("education")
    page, nxt = list_page(e, "")
    if nxt is None or page or nxt:
        return f"a member with no list rule got {page!r} (next {nxt!r})"
    page, nxt = list_page(s, "", "not a name!")
    if nxt is not None:
        return "a cursor that is not a dataset name was taken"
    return None


# ---- the feed, notifications and delivery receipts ----

def feed_page(conn, after=0, patterns=(), limit=0, watch=False):
    """One feed request: (entries [(seq, name, version)], next_after, raw body) or (error, None, None)."""
    body = msg(f_int(1, after), *[f_bytes(2, p) for p in patterns], f_int(3, limit), f_int(4, 1 if watch else 0))
    r = conn.call(REQ["feed"], body)
    if error_of(r):
        return error_of(r), None, None
    raw = one(r, REPLY["feed"], b"")
    f = parse(raw)
    entries = [(one(e, 1, 0), text(e, 2), one(e, 3, 0)) for e in (parse(x) for x in f.get(1, []))]
    return entries, one(f, 2, 0), raw


def receipt_seq(reply):
    """The audit seq in a publish's signed receipt."""
    signed = parse(one(reply, REPLY["receipt"]))
    return one(parse(one(signed, 1)), 5, 0)


def a_feed_and_notify_reveal_no_hidden_name(ctx):
    """A subscription is told only of versions the member may list: no
    notification for a hidden one, no feed entry, and a feed asked about a
    hidden name answers byte for byte as about a name that does not exist."""
    hidden, shown = unique("health/probe/hidden"), unique("health/probe/open")
    s, e, h = ctx.conn("statistics"), ctx.conn("education"), ctx.conn("health")
    for c, pats in ((s, ["health/probe/**"]), (e, [])):
        err, _, _ = feed_page(c, 1 << 62, pats, watch=True)
        if isinstance(err, tuple):
            return f"{c.member.id} could not subscribe: {err}"
    r1 = publish(h, hidden, b"a\n1\n", "restricted")
    r2 = publish(h, shown, b"a\n1\n", "internal")
    if error_of(r1) or error_of(r2):
        return "publish refused"
    hidden_seq, shown_seq = receipt_seq(r1), receipt_seq(r2)
    s.drain(1.0)
    e.drain(0.3)
    if hidden_seq in s.notified:
        return f"statistics was notified of the hidden version (seq {hidden_seq})"
    if shown_seq not in s.notified:
        return f"statistics was not notified of the version it may list ({s.notified}, want {shown_seq})"
    if e.notified:
        return f"education, which may list nothing under health/, was notified: {e.notified}"
    entries, _, _ = feed_page(s, hidden_seq - 1, ["health/probe/**"])
    names = [n for _, n, _ in entries] if isinstance(entries, list) else entries
    if hidden in names or shown not in names:
        return f"the feed showed {names}"
    if any(hidden.encode() in raw for raw in s.raw_replies + e.raw_replies):
        return "the hidden name reached a member that may not list it"
    _, _, a = feed_page(s, 0, [hidden])
    _, _, b = feed_page(s, 0, [unique("health/probe/absent")])
    if a != b:
        return f"a feed for a hidden name answers differently from one for an absent name: {a!r} / {b!r}"
    entries, _, _ = feed_page(e, 0)
    if entries:
        return f"education's feed showed {entries}"
    return None


def signed_delivery(member, dataset, version, sha, name=None, purpose="statistics", signer=None, filtered=True):
    body = msg(f_bytes(1, dataset), f_int(2, version), f_bytes(3, sha), f_bytes(4, name or member.id),
               f_int(5, int(time.time() * 1000)), f_bytes(6, purpose), f_int(7, 1) if filtered else b"")
    sig = (signer or member).signature(CTX_DELIVERY, body)
    return msg(f_bytes(1, body), f_bytes(2, sig))


def flip_last(data):
    return data[:-1] + bytes([data[-1] ^ 1])


def a_forged_delivery_receipts(ctx):
    """A delivery receipt must be signed by the sender's own key, name the
    sender, name a hash the broker sent it, and say what was sent (the
    purpose of the read, a filtered view or the content); anything else is
    refused and recorded, and a version it never fetched answers like one
    that does not exist. The true one is taken once."""
    name = unique("health/vaccination/delivered")
    other, absent = unique("health/vaccination/unfetched"), unique("health/vaccination/absent")
    h, s = ctx.conn("health"), ctx.conn("statistics")
    content = b"national_id,name,region\n1001,Jane,north\n"
    if error_of(publish(h, name, content, "restricted")) or error_of(publish(h, other, content, "restricted")):
        return "publish refused"
    _, data, err = fetch(s, name, "statistics")
    if err or not data:
        return f"the fetch failed: {err}"
    view_sha = hashlib.sha256(b"".join(one(d, 3, b"") for d in data)).digest()
    sm, hm = ctx.member("statistics"), ctx.member("health")
    before = len(ctx.records("--member", "statistics", "--action", "receive", "--decision", "deny"))
    cases = [
        ("signed with another member's key", signed_delivery(sm, name, 1, view_sha, signer=hm), ERR["INTEGRITY"]),
        ("naming another member", signed_delivery(sm, name, 1, view_sha, name="health"), ERR["INTEGRITY"]),
        ("the content's hash, not the view's", signed_delivery(sm, name, 1, hashlib.sha256(content).digest()),
         ERR["NOT_FOUND"]),
        ("a version never fetched", signed_delivery(sm, other, 1, view_sha), ERR["NOT_FOUND"]),
        ("a dataset that does not exist", signed_delivery(sm, absent, 1, view_sha), ERR["NOT_FOUND"]),
        ("a flipped signature", flip_last(signed_delivery(sm, name, 1, view_sha)), ERR["INTEGRITY"]),
        ("another purpose", signed_delivery(sm, name, 1, view_sha, purpose="marketing"), ERR["INTEGRITY"]),
        ("no purpose", signed_delivery(sm, name, 1, view_sha, purpose=""), ERR["INTEGRITY"]),
        ("the content, not a view", signed_delivery(sm, name, 1, view_sha, filtered=False), ERR["INTEGRITY"]),
    ]
    answers = {}
    for label, body, code in cases:
        r = s.call(REQ["delivery_receipt"], body)
        err = error_of(r)
        if err is None or err[0] != code:
            return f"{label}: answered {err}, expected code {code}"
        answers[label] = norm(err, name, other, absent)
    if answers["a version never fetched"] != answers["a dataset that does not exist"]:
        return f"a never-fetched version answers differently from an absent name: {answers}"
    after = len(ctx.records("--member", "statistics", "--action", "receive", "--decision", "deny"))
    if after - before != len(cases):
        return f"{len(cases)} refusals, {after - before} deny records"
    good = signed_delivery(sm, name, 1, view_sha)
    for attempt in range(2):
        r = s.call(REQ["delivery_receipt"], good)
        if error_of(r) or one(r, REPLY["delivery_ack"]) is None:
            return f"the true receipt was refused (attempt {attempt + 1}): {error_of(r)}"
    ok = ctx.records("--member", "statistics", "--action", "receive", "--decision", "ok", "--dataset", name)
    if len(ok) != 1:
        return f"the true receipt, sent twice, is {len(ok)} records"
    return None


def a_subscriptions_are_bounded(ctx):
    """A member holds at most 16 subscriptions (connections watching), and a
    connection that never reads the feed is sent at most a few
    notifications: the broker queues nothing for a slow subscriber."""
    conns = [ctx.conn("health") for _ in range(17)]
    results = [feed_page(c, 1 << 62, ["health/probe/**"], watch=True)[0] for c in conns]
    refused = [r for r in results if isinstance(r, tuple)]
    if len(refused) != 1 or refused[0][0] != ERR["BUSY"]:
        return f"17 subscriptions of one member: {len(refused)} refused ({refused})"
    for c in conns:
        c.close()
    ctx.conns = [c for c in ctx.conns if c not in conns]
    # the leases of the closed connections hold their places until they end:
    # a member that lost connections waits at most the lease; statistics is
    # a different member and unaffected
    slow = ctx.conn("statistics")
    err, _, _ = feed_page(slow, 1 << 62, ["health/probe/**"], watch=True)
    if isinstance(err, tuple):
        return f"another member could not subscribe: {err}"
    h = ctx.conn("health")
    for i in range(10):
        if error_of(publish(h, unique("health/probe/open"), b"a\n1\n", "internal")):
            return "publish refused"
    slow.drain(1.0)
    if not 1 <= len(slow.notified) <= 4:
        return f"a subscriber that never reads was sent {len(slow.notified)} notifications for 10 versions"
    # reading the feed makes it eligible again
    feed_page(slow, 0, ["health/probe/**"])
    if error_of(publish(h, unique("health/probe/open"), b"a\n1\n", "internal")):
        return "publish refused"
    n = len(slow.notified)
    slow.drain(1.0)
    if len(slow.notified) != n + 1:
        return "after reading the feed the subscriber was not told of the next version"
    return None


def deliveries_page(conn, dataset, after=None, limit=0):
    """One page of deliveries: ([(version, member, sha)], more) or (error, None)."""
    cur = b""
    if after:
        cur = f_int(3, after[0]) + f_bytes(4, after[1]) + f_bytes(5, after[2])
    r = conn.call(REQ["deliveries"], msg(f_bytes(1, dataset), cur, f_int(6, limit)))
    if error_of(r):
        return error_of(r), None
    d = parse(one(r, REPLY["deliveries"], b""))
    rows = [(one(x, 2, 0), text(x, 3), one(x, 5, b"")) for x in (parse(y) for y in d.get(1, []))]
    return rows, bool(one(d, 2, 0))


def a_deliveries_pages_show_only_the_publishers_rows(ctx):
    """Who received a dataset is the publisher's to ask: its pages, put
    together, are every delivery once and in order; another member paging
    the same name, or starting from a cursor it made up, sees nothing."""
    name = unique("health/vaccination/fanout")
    h, s = ctx.conn("health"), ctx.conn("statistics")
    for _ in range(5):
        if error_of(publish(h, name, b"national_id,region\n1,north\n", "restricted")):
            return "publish refused"
    for v in range(1, 6):
        _, _, err = fetch(s, name, "statistics", version=v)
        if err:
            return f"fetch of version {v} failed: {err}"
    whole, more = deliveries_page(h, name)
    if more is None or more or len(whole) != 5:
        return f"one page: {whole!r} (more {more})"
    got, after = [], None
    for _ in range(10):
        page, more = deliveries_page(h, name, after, 2)
        if more is None:
            return f"a page was refused: {page}"
        if len(page) > 2:
            return f"a page of limit 2 held {len(page)} rows"
        got += page
        if not more:
            break
        after = page[-1]
    if got != whole:
        return f"the pages hold {got!r}, not {whole!r}"
    for who, cur in (("statistics", None), ("statistics", whole[0]), ("education", whole[1])):
        page, more = deliveries_page(ctx.conn(who), name, cur, 2)
        if more is None or page:
            return f"{who} paging the deliveries of health's dataset got {page!r}"
    return None


# ---- erasure ----

def erase(conn, name, version=0, reason="attack test"):
    return conn.call(REQ["erase"], msg(f_bytes(1, name), f_int(2, version) if version else b"",
                                       f_bytes(3, reason)))


def a_erasure_during_a_fetch_is_no_damage(ctx):
    """A version erased while a consumer is fetching it (whole, or as a
    filtered view): the consumer is told it was erased, not that the
    broker's copy is damaged, and the log records no damage."""
    o = ctx.conn("office")
    for who, purpose, filtered in (("health", "operations", False), ("statistics", "statistics", True)):
        name = unique("health/vaccination/erased-midway")
        path = os.path.join(ctx.tmp, "midway.csv")
        with open(path, "w") as f:
            f.write("national_id,region\n")
            f.writelines(f"{i},north-{i:08d}\n" for i in range(200000))  # about 4 MiB: several chunks
        p = ctx.run("dx-agent", "health", "publish", name, path, "--classification", "restricted")
        if p.returncode != 0:
            return f"the publish failed: {p.stderr.decode(errors='replace')}"
        c = ctx.conn(who)
        ready = c.call(REQ["fetch_begin"], msg(f_bytes(1, name), f_bytes(3, purpose)))
        if error_of(ready):
            return f"{who} cannot fetch: {error_of(ready)}"
        session = one(parse(one(ready, REPLY["fetch_ready"], b"")), 1)
        first = c.call(REQ["fetch_more"], msg(f_int(1, session)))
        if error_of(first) or one(first, REPLY["fetch_data"]) is None:
            return f"the first chunk did not come: {error_of(first)}"
        if error_of(erase(o, name, 1, "erased while someone reads it")):
            return "the erasure was refused"
        err = None
        for _ in range(8):
            r = c.call(REQ["fetch_more"], msg(f_int(1, session)))
            err = error_of(r)
            if err or one(parse(one(r, REPLY["fetch_data"], b"")), 4, 0):
                break
        if not err or err[0] != ERR["ERASED"] or "erased while it was being sent" not in err[1]:
            return f"{'a view' if filtered else 'a whole fetch'} of an erased version was answered {err}"
        recs = [r for r in ctx.records("--dataset", name) if r.get("event") == "read"]
        if any(r.get("rule") == "integrity" for r in recs) or not any(r.get("rule") == "erased" for r in recs):
            return f"the log of {name}: {[(r.get('decision'), r.get('rule')) for r in recs]}"
    with open(ctx.broker_log) as f:
        if "fails its integrity check" in f.read():
            return "the broker logged damage"
    return None


def a_no_reply_is_dropped_silently(ctx):
    """Many requests in flight on one connection: every one is answered,
    with its reply or with a refusal that names the limit, whether the
    client reads as it goes or reads nothing until it has sent them all."""
    body = msg(f_bytes(1, "health/vaccination/**"))
    # 1. a burst of 300 before reading anything
    c = ctx.conn("statistics", timeout=15)
    ids = [c.request(REQ["list"], body) for _ in range(300)]
    got = {}
    deadline = time.monotonic() + 30
    while len(got) < len(ids) and time.monotonic() < deadline:
        try:
            r = c.recv(max(0.05, deadline - time.monotonic()))
        except TimeoutError:
            break
        if not c._notify(r):
            got[one(r, REPLY["id"], 0)] = r
    missing = [i for i in ids if i not in got]
    if missing:
        return f"{len(missing)} of {len(ids)} requests sent in a burst got no answer"
    busy = [error_of(r) for r in got.values() if error_of(r)]
    if not busy or any(e[0] != ERR["BUSY"] or "in flight" not in e[1] for e in busy):
        return f"the requests over the limit were answered {busy[:2]}"
    # 2. 40 in flight at all times, reading as it goes, 600 in all
    c = ctx.conn("statistics", timeout=15)
    sent, answered, errors = 0, 0, 0
    for _ in range(40):
        c.request(REQ["list"], body)
        sent += 1
    deadline = time.monotonic() + 60
    while answered < sent and time.monotonic() < deadline:
        try:
            r = c.recv(5)
        except TimeoutError:
            break
        if c._notify(r):
            continue
        answered += 1
        errors += error_of(r) is not None
        if sent < 600:
            c.request(REQ["list"], body)
            sent += 1
    if answered != sent:
        return f"reading as it went, {sent - answered} of {sent} requests got no answer"
    return None


def a_feed_work_is_bounded(ctx):
    """A feed request looks at a bounded span of the log (4,096 sequence
    numbers), whatever the log holds; a member that no rule lets list
    anything is answered without a look, as far as the log goes."""
    tools = os.path.join(os.path.dirname(ctx.bin), "tests", "tools")
    p = subprocess.run([os.path.join(tools, "dx-load"), "fill", "5000", "64", "--broker", ctx.ep,
                        "--broker-pub", os.path.join(ctx.keys, "broker.pub"),
                        "--key", os.path.join(ctx.keys, "health.key")], capture_output=True, timeout=120)
    if p.returncode != 0:
        return f"could not fill the log: {p.stderr.decode(errors='replace')}"
    entries, nxt, raw = feed_page(ctx.conn("statistics"), 0)
    if not isinstance(entries, list):
        return f"statistics' feed was refused: {entries}"
    if nxt > 4096 or not one(parse(raw), 3, 0):
        return f"one feed request looked up to seq {nxt} (more: {one(parse(raw), 3, 0)})"
    entries, nxt, raw = feed_page(ctx.conn("education"), 0)
    if entries or nxt < 5000 or one(parse(raw), 3, 0):
        return f"education (no rights) got {entries[:3]}, next {nxt}, more {one(parse(raw), 3, 0)}"
    return None


def a_forged_cursors(ctx):
    """A list or deliveries cursor is the broker's sealed token: made up,
    altered or oversized ones are refused as bad requests, alike, and a
    well-formed list page still answers after them."""
    s = ctx.conn("health")
    for label, cur in (("random", os.urandom(286)), ("short", b"x"), ("zeroed", b"\0" * 286)):
        e = error_of(s.call(REQ["list"], msg(f_bytes(1, "health/**"), f_bytes(4, cur))))
        if not e or e[0] != ERR["BAD_REQUEST"]:
            return f"a {label} list cursor was answered {e}"
        e = error_of(s.call(REQ["deliveries"], msg(f_bytes(1, "health/vaccination/x"), f_bytes(7, cur))))
        if not e or e[0] != ERR["BAD_REQUEST"]:
            return f"a {label} deliveries cursor was answered {e}"
    e = error_of(s.call(REQ["list"], msg(f_bytes(1, "health/**"), f_bytes(4, os.urandom(4096)))))
    if not e or e[0] != ERR["BAD_REQUEST"]:
        return f"an oversized cursor was answered {e}"
    if error_of(s.call(REQ["list"], msg(f_bytes(1, "health/**")))):
        return "a list after forged cursors was refused"
    return None


def reload_policies(ctx):
    r = ctx.conn("office").call(REQ["reload"], b"")
    if error_of(r) or not one(parse(one(r, REPLY["reload"], b"")), 1, 0):
        raise RuntimeError(f"the office's reload failed: {error_of(r)}")


def a_replaced_transport_key_is_refused_on_open_connections(ctx):
    """The office replaces a member's transport_key and reloads: a
    connection opened with the old key can do nothing more (as after a
    revocation), its subscription is told nothing, a new connection with
    the old key is refused, and one with the new key works."""
    path = os.path.join(os.environ["DX_POLICIES"], "members.yaml")
    listing = msg(f_bytes(1, "health/vaccination/**"))
    public, secret = zmq.curve_keypair()
    old = ctx.conn("rotated")
    # one that claims, in properties of its own, the key it will not have
    liar = Conn(ctx.ep, ctx.member("rotated"), metadata=b"X-Transport-Key:" + public)
    ctx.conns.append(liar)
    if error_of(old.call(REQ["list"], listing)) or error_of(liar.call(REQ["list"], listing)):
        return "the member could not list before the rotation"
    if not isinstance(feed_page(old, 1 << 62, ["health/vaccination/**"], watch=True)[0], list):
        return "the member could not subscribe before the rotation"
    before = open(path).read()
    after = re.sub(r'(- id: rotated\n(?:    .*\n)*?    transport_key: )"curve:[^"]*"',
                   lambda m: m.group(1) + '"curve:' + public.decode() + '"', before)
    if after == before:
        return "could not rewrite the member's key in members.yaml"
    try:
        with open(path, "w") as f:
            f.write(after)
        reload_policies(ctx)
        old.notified.clear()
        asks = {"list": (REQ["list"], listing),
                "info": (REQ["info"], msg(f_bytes(1, "health/vaccination/x"))),
                "fetch": (REQ["fetch_begin"], msg(f_bytes(1, "health/vaccination/x"), f_bytes(3, "statistics"))),
                "feed": (REQ["feed"], msg(f_int(1, 0))),
                "audit heads": (REQ["audit_heads"], b"")}
        for what, (num, body) in asks.items():
            e = error_of(old.call(num, body))
            if not e or e[0] != ERR["DENIED"] or "transport key" not in e[1]:
                return f"{what} on a connection opened with the replaced key was answered {e}"
        e = error_of(liar.call(REQ["list"], listing))
        if not e or e[0] != ERR["DENIED"]:
            return f"a connection that claimed the new key in its own properties was answered {e}"
        name = unique("health/vaccination/rotation")
        if error_of(publish(ctx.conn("health"), name, b"region\nnorth\n", "restricted")):
            return "the publish after the rotation was refused"
        old.drain(1.0)
        if old.notified:
            return f"the old key's subscription was notified of {old.notified}"
        new = Conn(ctx.ep, ctx.member("rotated").with_transport_key(public, secret))
        ctx.conns.append(new)
        if error_of(new.call(REQ["list"], listing)):
            return f"the new key cannot list: {error_of(new.call(REQ['list'], listing))}"
        fresh = ctx.conn("rotated", timeout=1.5)
        try:
            fresh.call(REQ["list"], listing)
            return "a new connection with the replaced key was answered"
        except TimeoutError:
            pass
        recs = [r for r in ctx.records("--member", "rotated") if "transport key" in r.get("reason", "")]
        if len(recs) < len(asks) + 1:
            return f"the refusals were not all recorded: {len(recs)} records"
    finally:
        with open(path, "w") as f:
            f.write(before)
        reload_policies(ctx)
    return None


def a_erasure_is_for_admins_and_probes_nothing(ctx):
    hidden, shown = unique("health/probe/ehidden"), unique("health/probe/eopen")
    absent = unique("health/probe/eabsent")
    content = b"a,b\n" + os.urandom(8).hex().encode() + b",1\n"
    h, s, o = ctx.conn("health"), ctx.conn("statistics"), ctx.conn("office")
    if error_of(publish(h, hidden, content, "restricted")) or error_of(publish(h, shown, content, "internal")):
        return "publish refused"
    # nobody but an admin erases, nor rotates the master key
    for who, conn in (("health", h), ("statistics", s)):
        err = error_of(erase(conn, shown))
        if not err or err[0] != ERR["DENIED"]:
            return f"{who}'s erase was answered {err}"
        err = error_of(conn.call(REQ["rotate_master_key"], b""))
        if not err or err[0] != ERR["DENIED"]:
            return f"{who}'s master key rotation was answered {err}"
    _, data, err = fetch(s, shown, "research")
    if err or b"".join(one(d, 3, b"") for d in data) != content:
        return f"after refused erasures the version does not fetch whole: {err}"
    # hostile reasons: refused on the record, nothing erased
    for reason in ("", "two\nlines", "\x1b[31mred", "x" * 501):
        err = error_of(erase(o, shown, 1, reason))
        if not err or err[0] != ERR["BAD_REQUEST"]:
            return f"a reason {reason[:10]!r} was answered {err}"
    err = error_of(erase(o, shown, 1, "y" * 5000))
    if not err:
        return "an oversized reason was accepted"
    for name in (hidden, shown):
        r = erase(o, name, 1, "SECRET-REASON-of-a-court-order")
        if error_of(r):
            return f"the admin's erase of {name} was refused: {error_of(r)}"
    # a member that may not read a name learns nothing from its erasure
    answers = {}
    for label, name in (("erased hidden", hidden), ("absent", absent)):
        _, _, err = fetch(s, name, "research")
        answers["fetch " + label] = norm(err, hidden, absent)
        info = s.call(REQ["info"], msg(f_bytes(1, name)))
        answers["info " + label] = norm(error_of(info), hidden, absent)
    for kind in ("fetch", "info"):
        got = {k: v for k, v in answers.items() if k.startswith(kind)}
        if len(set(got.values())) != 1 or None in got.values():
            return f"{kind} answers differ after an erasure: {got}"
    # a reader is told it was erased, and not by whom or why
    s.raw_replies.clear()
    _, data, err = fetch(s, shown, "research")
    if not err or err[0] != ERR["ERASED"] or data:
        return f"the fetch of an erased version was answered {err} with {len(data or b'')} bytes"
    info = s.call(REQ["info"], msg(f_bytes(1, shown)))
    raw = b"".join(s.raw_replies)
    if b"SECRET-REASON" in raw or b"office" in raw or hashlib.sha256(content).digest() in raw:
        return "the erasure's reason, its author or the content's hash reached a consumer"
    if content in raw:
        return "the content reached a consumer after its erasure"
    # the second erasure of the same version is refused, and recorded
    if not error_of(erase(o, shown, 1, "again")):
        return "a second erasure was accepted"
    recs = [r for r in ctx.records("--dataset", shown) if r.get("event") == "erase"]
    if sorted(r.get("decision") for r in recs).count("ok") != 1 or len(recs) < 4:
        return f"the erasure records of {shown}: {recs}"
    return None


def a_owner_and_publisher_rights_probe_nothing(ctx):
    """A version's publisher and its namespace's owner may see it without a
    rule (rule owner); the broker looks the name up to tell. Anyone else
    must get the same answer for a name that exists and one that does not,
    and a member that is not an auditor reads no kept policy set."""
    there, absent = unique("health/registry/there"), unique("health/registry/absent")
    h = ctx.conn("health")
    if error_of(publish(h, there, b"a,b\n1,2\n", "restricted")):
        return "health's publish refused"
    info = h.call(REQ["info"], msg(f_bytes(1, there)))
    if error_of(info):
        return f"the owner may not see its own version: {error_of(info)}"
    for who in ("statistics", "education"):
        c = ctx.conn(who)
        answers = {}
        for label, name in (("there", there), ("absent", absent)):
            answers["info " + label] = norm(error_of(c.call(REQ["info"], msg(f_bytes(1, name)))), there, absent)
            _, _, err = fetch(c, name, "statistics")
            answers["fetch " + label] = norm(err, there, absent)
        for kind in ("info", "fetch"):
            got = {k: v for k, v in answers.items() if k.startswith(kind)}
            if len(set(got.values())) != 1 or None in got.values():
                return f"{who}: {kind} answers differ: {got}"
    # a kept policy set is an auditor's to read, whoever asks by hash
    for who in ("health", "statistics", "office"):
        err = error_of(ctx.conn(who).call(REQ["audit_policy"], msg(f_bytes(1, os.urandom(32)))))
        if not err or err[0] != ERR["DENIED"]:
            return f"{who} asking for a policy set was answered {err}"
    return None


def a_erasure_reasons_stay_with_the_publisher(ctx):
    """An erasure reaches subscribers through the feed; why it was erased
    (a case number, a court order) is told only to the version's publisher,
    as info and fetch tell it."""
    name, why = unique("health/probe/ereason"), "case " + os.urandom(6).hex()
    h, s, o = ctx.conn("health"), ctx.conn("statistics"), ctx.conn("office")
    r = publish(h, name, b"a,b\n1,2\n", "internal")
    if error_of(r):
        return f"publish refused: {error_of(r)}"
    before = receipt_seq(r) - 1
    if error_of(erase(o, name, 1, why)):
        return "the erasure was refused"
    for who, conn, told in (("statistics", s, False), ("health", h, True)):
        err, _, raw = feed_page(conn, before, [name])
        if raw is None:
            return f"{who}'s feed was refused: {err}"
        entries = [parse(x) for x in parse(raw).get(1, [])]
        erasures = [e for e in entries if one(e, 4, 0)]
        if len(erasures) != 1:
            return f"{who}'s feed shows {len(erasures)} erasures of {name}"
        if (why.encode() in raw) != told:
            return f"{who} was {'not ' if told else ''}told why: {raw!r}"
        if any(not one(e, 4, 0) for e in entries):
            return f"{who}'s feed still offers the erased version to fetch"
    return None


ATTACKS = [
    a_csv_bare_cr,
    a_csv_tab_separated,
    a_csv_semicolon_separated,
    a_csv_nul_in_header,
    a_csv_header_absent,
    a_csv_near_miss_names,
    a_csv_invalid_utf8,
    a_jsonl_escaped_key,
    a_jsonl_escaped_spelling,
    a_jsonl_invalid_utf8_key,
    a_jsonl_duplicate_key,
    a_jsonl_line_separator,
    a_filtered_fetch_reveals_no_source_hash,
    a_info_and_list_reveal_no_hash,
    a_audit_records_are_salted,
    a_view_provenance_ties_in_the_log,
    a_probe_existence_and_classification,
    a_read_without_purpose,
    a_audit_cursor_is_recorded,
    a_nul_in_signed_name,
    a_invalid_utf8_strings_in_manifest,
    a_hostile_request_strings,
    a_other_members_transfer_ids,
    a_large_rows_in_a_view,
    a_view_messages_follow_the_view,
    a_malformed_frames,
    a_origin_names,
    a_list_pages_show_exactly_what_one_may_see,
    a_feed_and_notify_reveal_no_hidden_name,
    a_forged_delivery_receipts,
    a_subscriptions_are_bounded,
    a_deliveries_pages_show_only_the_publishers_rows,
    a_erasure_is_for_admins_and_probes_nothing,
    a_replaced_transport_key_is_refused_on_open_connections,
    a_erasure_during_a_fetch_is_no_damage,
    a_no_reply_is_dropped_silently,
    a_forged_cursors,
    a_feed_work_is_bounded,
    a_owner_and_publisher_rights_probe_nothing,
    a_erasure_reasons_stay_with_the_publisher,
]


def main():
    wanted = sys.argv[1:]
    ctx = Ctx()
    failed = 0
    for attack in ATTACKS:
        name = attack.__name__[2:].replace("_", "-")
        if wanted and name not in wanted:
            continue
        try:
            why = attack(ctx)
        except Exception as e:  # an attack that crashes is a failure, with where
            tb = traceback.extract_tb(e.__traceback__)[-1]
            why = f"{type(e).__name__}: {e} (attacks line {tb.lineno})"
        if why:
            failed += 1
            print(f"FAIL attack {name}: {why}")
        else:
            print(f"PASS attack {name}")
        sys.stdout.flush()
    ctx.close()
    return 1 if failed else 0


sys.exit(main())
