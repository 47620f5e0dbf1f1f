#!/usr/bin/python3
"""Differential test of dx's field filter against readers dx did not write.

Generated and mutated CSV and JSON Lines documents (line endings, quoting,
separators, byte-order marks, escapes, Unicode, invalid UTF-8, duplicate and
near-miss names, chunk boundaries) go through dx's filter (dx-filter
--batch, libdx's own code) and through Python's csv and json modules.
Whenever dx delivers a view:
  - Python must read the source without error, as UTF-8, the same way
    whichever line splitting it uses;
  - the rows Python sees in the source, minus the excluded fields, must
    equal the rows Python sees in the view;
  - no excluded name is in the view, by exact name or as a C string (cut
    at NUL), and no value planted in an excluded field ("SECRET...")
    appears anywhere in the view's bytes unless Python itself reads it in
    a kept field of the source.
A refusal is always allowed: the filter fails closed.

usage: filter_diff.py DX_FILTER CASES [SEED]
With DX_DIFF_SECONDS set, runs batches of CASES with fresh seeds for that
long (make fuzz). Prints PASS/FAIL lines for tests/run.sh; each failure is written to
$DX_DIFF_FOUND (default /tmp) as a case file that dx-filter --batch reads.
"""
import csv
import io
import json
import os
import random
import subprocess
import sys

TOOL = sys.argv[1]
CASES = int(sys.argv[2])
SEED = int(sys.argv[3]) if len(sys.argv) > 3 else random.randrange(1 << 30)
FOUND = os.environ.get("DX_DIFF_FOUND", "/tmp")
rng = random.Random(SEED)

NAMES = ["region", "national_id", "name", "doses", "birth_year", "note", "Région", "名前", "vaccinated",
         "id", "a b", "x.y", "count"]
EXCLUDABLE = ["national_id", "name", "birth_year", "id"]
VALUES = ["north", "south", "", " ", "yes", "no", "1987", "3", "Doe, Jane", 'O"Brien', "two\nlines",
          "crlf\r\nin", "tab\there", "ünïcødé", "名前", "emoji 😀", "=1+1", "'quoted'", "a;b", "x|y",
          "\\back", "trailing ", "NULL", "-0.5e3"]
HOSTILE = [b"\x00", b"\r", b"\n", b"\r\n", b"\t", b'"', b",", b";", b" ", b"\xc2\x85", b"\xe2\x80\xa8",
           b"\xe2\x80\xa9", b"\xef\xbb\xbf", b"\xff", b"\xc0\x80", b"\xed\xa0\x80", b"\x1e", b"\\",
           b"\\u0000", b"\\u006e", b"{", b"}", b":", b"\xc2\xa0", b"\xe2\x80\x8b", b"\x7f", b"\xc3"]
STEPS = [1, 2, 3, 7, 64, 4096, 1 << 20]
SECRET = "SECRET"


def secret_value(i):
    return f"{SECRET}{i}"


# ---- CSV ----

def csv_quote(v, force):
    if force or any(c in v for c in ',"\r\n') or v != v.strip(" ") or "\t" in v:
        return '"' + v.replace('"', '""') + '"'
    return v


def gen_csv():
    ncols = rng.randint(1, 6)
    header = rng.sample(NAMES, ncols)
    mode = rng.choice(["include", "exclude"])
    if mode == "exclude":
        present = [n for n in header if n in EXCLUDABLE] or [rng.choice(header)]
        fields = rng.sample(present, rng.randint(1, len(present)))
        if rng.random() < 0.1:
            fields.append(rng.choice(EXCLUDABLE))
    else:
        fields = rng.sample(NAMES, rng.randint(1, 3))
    excluded = set(fields) if mode == "exclude" else set(header) - set(fields)
    eol = rng.choice(["\n", "\r\n"])
    rows = [[csv_quote(h, rng.random() < 0.2) for h in header]]
    k = 0
    for _ in range(rng.randint(0, 8)):
        row = []
        for h in header:
            if h in excluded:
                k += 1
                v = secret_value(k)
            else:
                v = rng.choice(VALUES)
            row.append(csv_quote(v, rng.random() < 0.2))
        rows.append(row)
    text = ""
    for r in rows:
        text += ",".join(r) + (eol if rng.random() < 0.95 else "\r\n")
        if rng.random() < 0.05:
            text += eol  # a blank line
    if rng.random() < 0.2:
        text = text[: -len(eol)]  # no final line end
    data = text.encode()
    if rng.random() < 0.1:
        data = b"\xef\xbb\xbf" + data
    return "csv", mode, fields, mutate(data, "csv")


def read_csv(data):
    """Python's reading: rows without blank lines; raises when it cannot."""
    text = data.decode("utf-8")  # strict
    if text.startswith("\ufeff"):
        text = text[1:]
    return [r for r in csv.reader(io.StringIO(text, newline=""), strict=True) if r != []]


def check_csv(mode, fields, src, view):
    try:
        rows = read_csv(src)
    except (UnicodeDecodeError, csv.Error) as e:
        return f"dx delivered a view of a source Python cannot read: {e}"
    if not rows:
        return None if read_csv(view) == [] else "a view of nothing that is not empty"
    header, data = rows[0], rows[1:]
    for r in data:
        if len(r) != len(header):
            return f"Python sees a row of {len(r)} fields under a header of {len(header)}"
    kept = [i for i, h in enumerate(header) if (h in fields) == (mode == "include")]
    want = [[r[i] for i in kept] for r in rows]
    try:
        got = read_csv(view)
    except (UnicodeDecodeError, csv.Error) as e:
        return f"Python cannot read the view: {e}"
    if got != want:
        return f"view rows {got[:4]!r} differ from source rows minus excluded fields {want[:4]!r}"
    if mode == "exclude":
        for h in got[0] if got else []:
            if h in fields or h.split("\0")[0] in fields:
                return f"excluded name {h!r} is in the view"
    secret_kept = any(SECRET in r[i] for r in rows for i in kept)
    if not secret_kept and SECRET.encode() in view:
        return "a value of an excluded field is in the view's bytes"
    return None


# ---- JSON Lines ----

def gen_value(depth=0):
    t = rng.random()
    if depth < 3 and t < 0.1:
        return {rng.choice(["k", "z", "v"]): gen_value(depth + 1) for _ in range(rng.randint(0, 2))}
    if depth < 3 and t < 0.2:
        return [gen_value(depth + 1) for _ in range(rng.randint(0, 3))]
    if t < 0.6:
        return rng.choice(VALUES + ["\x00", "\u2028", "\ud7ff"])
    return rng.choice([0, -1, 3.5, 1e300, True, False, None, 12345678901234567890])


def gen_jsonl():
    keys = rng.sample(NAMES, rng.randint(1, 6))
    mode = rng.choice(["include", "exclude"])
    fields = rng.sample(EXCLUDABLE + keys, rng.randint(1, 2))
    lines = []
    k = 0
    for _ in range(rng.randint(0, 6)):
        obj = {}
        for key in rng.sample(keys, rng.randint(0, len(keys))):
            excluded = (key in fields) == (mode == "exclude")
            if excluded:
                k += 1
                obj[key] = secret_value(k)
            else:
                obj[key] = gen_value()
        sep = rng.choice([(",", ":"), (", ", ": "), (" ,", " : "), (",\t", ":")])
        line = json.dumps(obj, ensure_ascii=rng.random() < 0.5, separators=sep)
        if rng.random() < 0.1:
            line = " " + line + "\t"
        lines.append(line)
        if rng.random() < 0.05:
            lines.append("")
    eol = rng.choice(["\n", "\r\n"])
    text = eol.join(lines) + (eol if rng.random() < 0.8 else "")
    return "jsonl", mode, fields, mutate(text.encode(), "jsonl")


def pairs(p):
    return p


def read_jsonl(data):
    text = data.decode("utf-8")
    split_nl = [l[:-1] if l.endswith("\r") else l for l in text.split("\n")]
    split_nl = [l for l in split_nl if l.strip(" \t")]
    by_splitlines = [l for l in text.splitlines() if l.strip(" \t")]
    if split_nl != by_splitlines:
        raise ValueError("split on line feeds and str.splitlines() disagree")
    out = []
    for l in split_nl:
        v = json.loads(l, object_pairs_hook=pairs)
        if not isinstance(v, list) or (v and not isinstance(v[0], tuple)) or (v == [] and l.strip(" \t") != "{}" and not l.strip(" \t").startswith("{")):
            raise ValueError("a line that is not an object")
        out.append(v)
    return out


def check_jsonl(mode, fields, src, view):
    try:
        objs = read_jsonl(src)
    except (UnicodeDecodeError, ValueError) as e:
        return f"dx delivered a view of a source Python reads otherwise or not at all: {e}"
    want = []
    secret_kept = False
    for o in objs:
        ks = [k for k, _ in o]
        if len(set(ks)) != len(ks):
            return "dx delivered a view of an object with a repeated key"
        kept = [(k, v) for k, v in o if (k in fields) == (mode == "include")]
        secret_kept |= SECRET in json.dumps(kept)
        want.append(kept)
    try:
        got = read_jsonl(view)
    except (UnicodeDecodeError, ValueError) as e:
        return f"Python cannot read the view: {e}"
    if got != want:
        return f"view objects {got[:3]!r} differ from source objects minus excluded keys {want[:3]!r}"
    for o in got:
        for k, _ in o:
            c = k.split("\0")[0]
            if (mode == "exclude" and (k in fields or c in fields)) or (mode == "include" and k not in fields):
                return f"key {k!r} should not be in the view"
    if not secret_kept and SECRET.encode() in view:
        return "a value of an excluded key is in the view's bytes"
    return None


# ---- mutations ----

def mutate(data, fmt):
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
        m = rng.random()
        if m < 0.35 and data:
            i = rng.randrange(len(data) + 1)
            data = data[:i] + rng.choice(HOSTILE) + data[i:]
        elif m < 0.45 and data:
            i = rng.randrange(len(data))
            data = data[:i] + data[i + 1:]
        elif m < 0.55:
            data = data.replace(b"\r\n", b"\n").replace(b"\n", rng.choice([b"\r", b"\r\n", b"\n\r"]))
        elif m < 0.62 and fmt == "csv":
            data = data.replace(b",", rng.choice([b"\t", b";", b"|", b", "]))
        elif m < 0.75:
            # respell a name: case, separators, spaces, escapes, NUL
            for n in EXCLUDABLE:
                nb = n.encode()
                if nb in data:
                    alt = rng.choice([nb.upper(), nb.replace(b"_", b" "), nb.replace(b"_", b"-"), b" " + nb,
                                      nb + b" ", nb + b"\\u0000", nb[:1] + b"\\u00" + b"%02x" % nb[1] + nb[2:],
                                      nb + b"\xe2\x80\x8b", nb.title(), nb + b"\x00"])
                    data = data.replace(nb, alt, 1)
                    break
        elif m < 0.82 and fmt == "jsonl" and b'":' in data:
            # a repeated key
            i = data.find(b"{")
            if i >= 0:
                data = data[: i + 1] + b'"' + rng.choice(EXCLUDABLE).encode() + b'":"' + SECRET.encode() + b'X",' + data[i + 1:]
        elif m < 0.9 and data:
            i = rng.randrange(len(data))
            data = data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1:]
        else:
            data = b"\xef\xbb\xbf" + data
    return data


# ---- running ----

def run(cases):
    stdin = bytearray()
    for fmt, mode, fields, data, step in cases:
        stdin += f"{fmt} {mode} {step} {len(fields)} {len(data)}\n".encode()
        for f in fields:
            stdin += f.encode() + b"\n"
        stdin += data
    p = subprocess.run([TOOL, "--batch"], input=bytes(stdin), capture_output=True, timeout=600)
    if p.returncode != 0:
        raise RuntimeError(f"dx-filter exited with {p.returncode}: {p.stderr.decode(errors='replace')[:3000]}")
    out = p.stdout
    results, at = [], 0
    while at < len(out):
        nl = out.index(b"\n", at)
        head = out[at:nl].decode(errors="replace")
        at = nl + 1
        if head.startswith("OK "):
            n = int(head[3:])
            results.append(("ok", out[at:at + n]))
            at += n
        else:
            results.append(("err", head))
    return results


def batch():
    cases = []
    for i in range(CASES):
        fmt, mode, fields, data = gen_csv() if i % 2 == 0 else gen_jsonl()
        cases.append((fmt, mode, fields, data, rng.choice(STEPS)))
    try:
        results = run(cases)
    except RuntimeError as e:
        print(f"FAIL filter differential: {e}")
        return 1
    if len(results) != len(cases):
        print(f"FAIL filter differential: {len(results)} results for {len(cases)} cases")
        return 1
    stats = {"csv": [0, 0], "jsonl": [0, 0]}
    failures = 0
    for (fmt, mode, fields, data, step), (status, view) in zip(cases, results):
        if status != "ok":
            stats[fmt][1] += 1
            continue
        stats[fmt][0] += 1
        why = (check_csv if fmt == "csv" else check_jsonl)(mode, fields, data, view)
        if why:
            failures += 1
            path = os.path.join(FOUND, f"dx-filter-diff-{SEED}-{failures}.case")
            with open(path, "wb") as f:
                f.write(f"{fmt} {mode} {step} {len(fields)} {len(data)}\n".encode())
                for fl in fields:
                    f.write(fl.encode() + b"\n")
                f.write(data)
            print(f"FAIL filter differential ({fmt} {mode} {fields}): {why}; input {data[:200]!r}; case in {path}")
            if failures >= 10:
                break
    for fmt, (ok, refused) in stats.items():
        # both outcomes must be exercised, or the generator tests nothing
        if ok == 0 or refused == 0:
            print(f"FAIL filter differential {fmt}: {ok} delivered, {refused} refused: the generator is off")
            failures += 1
        else:
            print(f"PASS filter differential {fmt}: {ok} views agree with Python's {fmt} reader, "
                  f"{refused} inputs refused (seed {SEED})")
    if failures == 0:
        print(f"PASS filter differential: no view differs from Python's reading in {CASES} cases")
    return 1 if failures else 0


def main():
    global SEED, rng
    seconds = float(os.environ.get("DX_DIFF_SECONDS", "0"))
    if seconds <= 0:
        return batch()
    import time
    end, total, status = time.monotonic() + seconds, 0, 0
    while time.monotonic() < end and status == 0:
        status = batch()
        total += CASES
        SEED = random.randrange(1 << 30)
        rng = random.Random(SEED)
    print(f"{'FAIL' if status else 'PASS'} filter differential: {total} cases in {seconds:.0f} s")
    return status


sys.exit(main())
