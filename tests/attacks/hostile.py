"""A member's client that shares no code with dx.

Its own protobuf encoder and decoder (the field numbers are written out
here from proto/dx.proto by hand), Ed25519 from python3-cryptography, CURVE
from libzmq through python3-zmq. It speaks the protocol well enough to be
a member, and badly on purpose where an attack needs it: any field, any
wire type, any bytes, any length prefix.
"""
import base64
import hashlib
import os
import re
import time

import zmq
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PROTOCOL = int(os.environ.get("DX_ATTACK_PROTOCOL", "2"))

# ---- protobuf, by hand ----


def varint(n):
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def key(num, wt):
    return varint(num << 3 | wt)


def f_int(num, v):
    """A varint field (uint32, uint64, int64, bool, enum)."""
    return key(num, 0) + varint(v)


def f_bytes(num, v):
    """A length-delimited field: bytes, string (as bytes, unchecked) or message."""
    if isinstance(v, str):
        v = v.encode()
    return key(num, 2) + varint(len(v)) + v


def f_lying(num, v, claimed):
    """A length-delimited field whose length prefix lies."""
    return key(num, 2) + varint(claimed) + v


def msg(*fields):
    return b"".join(f for f in fields if f)


def parse(data):
    """Decodes one message into {field number: [values]}; length-delimited
    values stay bytes (decode them again with parse() if they are messages).
    Raises ValueError on anything malformed."""
    out, i = {}, 0
    while i < len(data):
        k, i = _varint(data, i)
        num, wt = k >> 3, k & 7
        if num == 0:
            raise ValueError("field number 0")
        if wt == 0:
            v, i = _varint(data, i)
        elif wt == 1:
            v, i = data[i:i + 8], i + 8
        elif wt == 5:
            v, i = data[i:i + 4], i + 4
        elif wt == 2:
            n, i = _varint(data, i)
            if i + n > len(data):
                raise ValueError("length past the end")
            v, i = data[i:i + n], i + n
        else:
            raise ValueError(f"wire type {wt}")
        if i > len(data):
            raise ValueError("truncated")
        out.setdefault(num, []).append(v)
    return out


def _varint(data, i):
    v = shift = 0
    while True:
        if i >= len(data) or shift > 63:
            raise ValueError("bad varint")
        b = data[i]
        i += 1
        v |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return v, i


def one(m, num, default=None):
    return m.get(num, [default])[-1]


def text(m, num):
    """A proto3 string as a strict standard decoder reads it: UTF-8 or error."""
    return one(m, num, b"").decode("utf-8")


# dx.proto, by hand
REQ = dict(protocol=1, id=2, publish_begin=10, publish_chunk=11, fetch_begin=12, fetch_more=13, list=14,
           info=15, audit_query=16, audit_read=17, reload=18, audit_proof=19, audit_consistency=20,
           audit_heads=21, feed=22, delivery_receipt=23, deliveries=24, status=25, erase=26,
           rotate_master_key=27, audit_policy=28)
REPLY = dict(id=1, error=2, checkpoint=3, publish_ready=10, chunk_ack=11, receipt=12, fetch_ready=13,
             fetch_data=14, list=15, info=16, audit=17, reload=18, feed=22, notify=23, delivery_ack=24,
             deliveries=25, status=26, erased=27, master_key_rotated=28, audit_policy=29)
ERR = dict(BAD_REQUEST=1, DENIED=2, INTEGRITY=3, REPLAY=4, NOT_FOUND=5, STORAGE=6, BUSY=7, INTERNAL=8,
           UNSUPPORTED=9, ERASED=10, TRANSFER_GONE=11)
CLASS = dict(public=1, internal=2, restricted=3, secret=4)
CTX_MANIFEST, CTX_RECEIPT, CTX_VIEW = b"dx-manifest-v1", b"dx-receipt-v1", b"dx-view-v1"
CTX_DELIVERY = b"dx-delivery-v1"

# ---- keys ----


def read_keyfile(path):
    fields = {}
    with open(path) as f:
        for line in f:
            m = re.match(r'^(\w+):\s*"?([^"\n]*)"?\s*$', line)
            if m:
                fields[m.group(1)] = m.group(2)
    return fields


class Member:
    def __init__(self, keys_dir, member_id):
        k = read_keyfile(os.path.join(keys_dir, member_id + ".key"))
        b = read_keyfile(os.path.join(keys_dir, "broker.pub"))
        self.id = member_id
        self.sign = Ed25519PrivateKey.from_private_bytes(base64.b64decode(k["sign_secret"].split(":", 1)[1]))
        self.curve_public = k["transport_key"].split(":", 1)[1].encode()
        self.curve_secret = k["transport_secret"].split(":", 1)[1].encode()
        self.broker_curve = b["transport_key"].split(":", 1)[1].encode()
        self.broker_sign = Ed25519PublicKey.from_public_bytes(base64.b64decode(b["sign_key"].split(":", 1)[1]))

    def with_transport_key(self, public, secret):
        """The same member holding another CURVE key pair."""
        m = object.__new__(Member)
        m.__dict__.update(self.__dict__)
        m.curve_public, m.curve_secret = public, secret
        return m

    def signature(self, context, data):
        return self.sign.sign(context + b"\0" + data)

    def broker_signed(self, context, body, sig):
        try:
            self.broker_sign.verify(sig, context + b"\0" + body)
            return True
        except Exception:
            return False


# ---- the connection ----


class Conn:
    """A CURVE DEALER connection, one frame per request, bounded waits."""

    def __init__(self, endpoint, member, timeout=5.0, metadata=None):
        self.ctx = zmq.Context.instance()
        self.s = self.ctx.socket(zmq.DEALER)
        if metadata:  # connection properties of the client's own (ZMTP READY)
            self.s.setsockopt(zmq.METADATA, metadata)
        self.s.curve_secretkey = member.curve_secret
        self.s.curve_publickey = member.curve_public
        self.s.curve_serverkey = member.broker_curve
        self.s.linger = 0
        self.s.connect(endpoint)
        self.member = member
        self.timeout = timeout
        self.next_id = 1
        self.raw_replies = []   # every reply's bytes, for leak checks
        self.notified = []      # the seq of every Notify received

    def close(self):
        self.s.close(0)

    def send_raw(self, frame):
        self.s.send(frame)

    def request(self, body_num, body, protocol=PROTOCOL, rid=None):
        """Sends a request with the given body field and returns its id."""
        rid = self.next_id if rid is None else rid
        self.next_id = max(self.next_id, rid) + 1
        self.send_raw(msg(f_int(REQ["protocol"], protocol), f_int(REQ["id"], rid), f_bytes(body_num, body)))
        return rid

    def recv(self, timeout=None):
        """The next reply, parsed (raises TimeoutError)."""
        if not self.s.poll(int((timeout or self.timeout) * 1000)):
            raise TimeoutError("no reply")
        data = self.s.recv()
        self.raw_replies.append(data)
        return parse(data)

    def call(self, body_num, body, **kw):
        rid = self.request(body_num, body, **kw)
        deadline = time.monotonic() + self.timeout
        while True:
            r = self.recv(max(0.01, deadline - time.monotonic()))
            if self._notify(r):
                continue
            # a request the broker could not decode is answered with id 0
            if one(r, REPLY["id"], 0) in (rid, 0):
                return r

    def _notify(self, r):
        n = one(r, REPLY["notify"])
        if n is None or one(r, REPLY["id"], 0) != 0:
            return False
        self.notified.append(one(parse(n), 1, 0))
        return True

    def drain(self, seconds=0.3):
        got = []
        while self.s.poll(int(seconds * 1000)):
            data = self.s.recv()
            self.raw_replies.append(data)
            r = parse(data)
            if not self._notify(r):
                got.append(r)
        return got


def error_of(reply):
    e = one(reply, REPLY["error"])
    if e is None:
        return None
    e = parse(e)
    return (one(e, 1, 0), text(e, 2), text(e, 3))


# ---- messages ----


def manifest(dataset, content, publisher, content_type="text/csv", classification="internal",
             created_ms=None, nonce=None, sha=None):
    """A manifest's bytes; dataset and content_type may be str or raw bytes."""
    return msg(
        f_bytes(1, dataset),
        f_bytes(2, sha if sha is not None else hashlib.sha256(content).digest()),
        f_int(3, len(content)),
        f_bytes(4, content_type),
        f_int(5, CLASS[classification]),
        f_int(6, created_ms if created_ms is not None else int(time.time() * 1000)),
        f_bytes(7, nonce if nonce is not None else os.urandom(16)),
        f_bytes(8, publisher),
    )


def publish(conn, dataset, content, classification="internal", content_type="text/csv", **kw):
    """Publishes content (at most 1 MiB, inline); returns the reply."""
    m = manifest(dataset, content, conn.member.id, content_type, classification, **kw)
    body = msg(f_bytes(1, m), f_bytes(2, conn.member.signature(CTX_MANIFEST, m)), f_bytes(3, content),
               f_int(4, 1))
    return conn.call(REQ["publish_begin"], body)


def fetch(conn, dataset, purpose, version=0, credit=4):
    """Fetches dataset; returns (ready reply, [FetchData messages], final error or None).
    Everything received is also in conn.raw_replies."""
    fb = msg(f_bytes(1, dataset), f_int(2, version) if version else b"", f_bytes(3, purpose) if purpose is not None else b"")
    ready = conn.call(REQ["fetch_begin"], fb)
    if error_of(ready):
        return ready, [], error_of(ready)
    fr = parse(one(ready, REPLY["fetch_ready"]))
    session = one(fr, 1)
    data, err = [], None
    for _ in range(credit):
        conn.request(REQ["fetch_more"], f_int(1, session))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        r = conn.recv()
        if error_of(r):
            err = error_of(r)
            break
        fd = one(r, REPLY["fetch_data"])
        if fd is None:
            continue
        fd = parse(fd)
        data.append(fd)
        if one(fd, 4, 0):
            break
        conn.request(REQ["fetch_more"], f_int(1, session))
    return ready, data, err
