#!/usr/bin/python3
"""An auditor's verifier written apart from dx: it reads
`dx-audit query --with-proofs --format json` and checks, with its own code,
each record's leaf (RFC 9162: SHA-256(0x00 || leaf bytes)), its inclusion
proof up to the root of the signed head, and the head's Ed25519 signature
in the signed-note format of golang.org/x/mod/sumdb/note (key hash =
SHA-256(name || 0x0A || 0x01 || public key)[:4]; signed bytes = the text
before the blank line). It also checks that the leaf bytes decode to the
record the line shows (seq and event), so the JSON cannot say one thing and
prove another.

    audit_verify.py BROKER.pub < query.json      prints "N records verified"
"""
import base64
import hashlib
import json
import re
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def leaf_hash(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node(a, b):
    return hashlib.sha256(b"\x01" + a + b).digest()


def root_from_inclusion(index, size, leaf, proof):
    """RFC 9162 section 2.1.3.2."""
    if index >= size:
        raise ValueError("index beyond the tree")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ValueError("proof too long")
        if fn & 1 or fn == sn:
            r = node(p, r)
            if not fn & 1:
                while True:
                    fn >>= 1
                    sn >>= 1
                    if fn & 1 or fn == 0:
                        break
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ValueError("proof too short")
    return r


def read_pub(path):
    fields = {}
    for line in open(path):
        m = re.match(r'^(\w+):\s*"?([^"\n]*)"?\s*$', line)
        if m:
            fields[m.group(1)] = m.group(2)
    return base64.b64decode(fields["sign_key"].split(":", 1)[1])


def check_note(text, pub):
    """Go's note.Open, by hand: returns (origin, size, root)."""
    body, sep, sigs = text.partition("\n\n")
    if not sep:
        raise ValueError("the head is not a signed note")
    body += "\n"
    lines = body.split("\n")
    origin, size, root = lines[0], int(lines[1]), base64.b64decode(lines[2])
    keyhash = hashlib.sha256(origin.encode() + b"\n\x01" + pub).digest()[:4]
    for line in sigs.strip("\n").split("\n"):
        m = re.match(r"^\u2014 (\S+) (\S+)$", line)
        if not m or m.group(1) != origin:
            continue
        raw = base64.b64decode(m.group(2))
        if raw[:4] != keyhash:
            continue
        Ed25519PublicKey.from_public_bytes(pub).verify(raw[4:], body.encode())
        return origin, size, root
    raise ValueError("no signature by the broker's key on the head")


def varint(data, i):
    v, shift = 0, 0
    while True:
        b = data[i]
        i += 1
        v |= (b & 0x7F) << shift
        if not b & 0x80:
            return v, i
        shift += 7


def fields(data):
    """Protobuf fields of a message: {number: [values]} (varints and bytes)."""
    out, i = {}, 0
    while i < len(data):
        key, i = varint(data, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = varint(data, i)
        elif wt == 2:
            n, i = varint(data, i)
            v, i = data[i:i + n], i + n
        else:
            raise ValueError("unexpected wire type")
        out.setdefault(num, []).append(v)
    return out


def main():
    pub = read_pub(sys.argv[1])
    n = 0
    for line in sys.stdin:
        if not line.strip():
            continue
        r = json.loads(line)
        leaf = base64.b64decode(r["leaf"])
        f = fields(leaf)
        if f.get(1, [0])[0] != r["seq"] or f.get(3, [b""])[0].decode() != r["event"]:
            raise SystemExit(f"record {r['seq']}: its leaf holds another record")
        origin, size, root = check_note(r["head"], pub)
        if size != r["tree_size"]:
            raise SystemExit(f"record {r['seq']}: the proof is for {r['tree_size']}, the head of {size}")
        got = root_from_inclusion(r["seq"] - 1, size, leaf_hash(leaf), [bytes.fromhex(h) for h in r["proof"]])
        if got != root:
            raise SystemExit(f"record {r['seq']}: the proof does not reach the head's root")
        n += 1
    print(f"{n} records verified")
    return 0 if n else 1


if __name__ == "__main__":
    sys.exit(main())
