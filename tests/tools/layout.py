#!/usr/bin/env python3
"""The broker's file graph: which file takes functions from which (from the
objects' symbol tables, nm), and which includes which header. Prints every
circle among them, and every function a header declares that its own
module does not define; exits 1 if there is one. A module split across
files (MODULES) counts as one node.

Usage: layout.py OBJ_DIR SRC_DIR
"""
import os
import re
import subprocess
import sys

# files that are one module: name -> the files' stems
MODULES = {
    "filter": {"filter", "filter_csv", "filter_jsonl", "filter_rows"},
}


def node(stem):
    for name, stems in MODULES.items():
        if stem in stems:
            return name
    return stem


def sccs(graph):
    """Tarjan's strongly connected components (iterative)."""
    index, low, on, stack, out, n = {}, {}, set(), [], [], [0]
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = n[0]
        n[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        x = stack.pop()
                        on.discard(x)
                        comp.append(x)
                        if x == v:
                            break
                    if len(comp) > 1:
                        out.append(sorted(comp))
                continue
            if w not in graph:
                continue
            if w not in index:
                index[w] = low[w] = n[0]
                n[0] += 1
                stack.append(w)
                on.add(w)
                work.append((w, iter(sorted(graph[w]))))
            elif w in on:
                low[v] = min(low[v], index[w])
    return out


def path(graph, comp):
    """One circle through the component, for the message."""
    comp = set(comp)
    start = min(comp)
    prev, queue = {start: None}, [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(graph[v]):
            if w == start:
                walk = [v]
                while prev[walk[-1]] is not None:
                    walk.append(prev[walk[-1]])
                return " -> ".join(reversed(walk)) + " -> " + start
            if w in comp and w not in prev:
                prev[w] = v
                queue.append(w)
    return " ".join(sorted(comp))


DEFINED = {}
SRC = "broker"


def functions(objdir):
    defined, used = DEFINED, {}
    for dirpath, _, files in os.walk(objdir):
        for f in files:
            if not f.endswith(".o"):
                continue
            # an object whose source is gone (a file moved since) is not the tree's
            rel = os.path.relpath(os.path.join(dirpath, f[:-2] + ".c"), objdir)
            if not os.path.exists(os.path.join(SRC, rel)):
                continue
            stem = node(f[:-2])
            if stem == "main":
                continue
            out = subprocess.run(["nm", os.path.join(dirpath, f)], capture_output=True, text=True,
                                 check=True).stdout
            used.setdefault(stem, set())
            for line in out.splitlines():
                parts = line.split()
                if len(parts) == 3 and parts[1] in "TDRB":
                    defined[parts[2]] = stem
                elif len(parts) == 2 and parts[0] == "U":
                    used[stem].add(parts[1])
    graph = {s: set() for s in used}
    for s, syms in used.items():
        for sym in syms:
            t = defined.get(sym)
            if t and t != s:
                graph[s].add(t)
    return graph


def includes(srcdir):
    files = {}
    for dirpath, _, names in os.walk(srcdir):
        for f in names:
            if f.endswith((".c", ".h")):
                files[os.path.join(dirpath, f)] = node(f.rsplit(".", 1)[0])
    stems = set(files.values())
    graph = {s: set() for s in stems if s != "main"}
    for p, s in files.items():
        if s == "main":
            continue
        for m in re.finditer(r'^#include "([^"]+)\.h"', open(p).read(), re.M):
            t = node(os.path.basename(m.group(1)))
            if t in stems and t != s:
                graph[s].add(t)
    return graph


def foreign(srcdir):
    """Functions a header declares that its own module does not define."""
    out = []
    for dirpath, _, names in os.walk(srcdir):
        for f in names:
            if not f.endswith(".h"):
                continue
            own = node(f[:-2])
            text = re.sub(r"/\*.*?\*/", "", open(os.path.join(dirpath, f)).read(), flags=re.S)
            text = re.sub(r"\(\*\w+\)\s*\(", "(", text)  # function pointer types
            for m in re.finditer(r"^[a-zA-Z_][\w \*]*?\b(\w+)\(", text, re.M):
                name = m.group(1)
                if name in DEFINED and DEFINED[name] != own:
                    out.append(f"{f} declares {name}, which is {DEFINED[name]}'s")
    return out


def main():
    global SRC
    objdir, srcdir = sys.argv[1], sys.argv[2]
    SRC = srcdir
    bad = 0
    for what, graph in (("functions", functions(objdir)), ("includes", includes(srcdir))):
        for comp in sccs(graph):
            print(f"circle of {what}: {path(graph, comp)}")
            bad += 1
    for line in foreign(srcdir):
        print(line)
        bad += 1
    print(f"{bad} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
