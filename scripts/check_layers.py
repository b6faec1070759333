#!/usr/bin/env python3
"""No #include points upward: checks the layers of the tree (stdlib only).

    scripts/check_layers.py [ROOT]      (ROOT: the source tree, default: this script's ../)

The folders in layers, lowest first (a row is one rank):

    autograd                        tape, ops, gradient checker
    io                              files, .npy, bounded text reads, the machine's memory
    data   layers                   tokens, corpora, tasks | embeddings, dense, cells
    metrics                         BLEU, sacreBLEU, alignment error rate
    models   optim                  encoder-decoder, variants, checkpoints | optimizers
    training   report               trainer, evaluation | SVG charts, statistics
    run                             compare and train as a library (being written)
    cli                             the attnlab program
    attnlab.hpp                     the umbrella header
    examples  tests  bench  fuzz    programs on top of it all

A file may include files of its own folder or of a lower rank; a folder may
include another of its own rank unless that one (directly or through others of
the rank) includes it back. Within a folder the include graph must be acyclic,
a header and its .cpp counting as one node (x.hpp and x.cpp are "x"), so a .cpp
that includes a header which includes its own header is a cycle. Includes,
"..." or <...>, are resolved against the including file's folder, the tree's
root and tests/ (the include paths CMake gives); those found nowhere in the
tree (system, third-party, generated headers such as version.hpp) are not
checked. Prints each violation as `file:line: includes X (...)`, exits 1 on any.
"""
import os
import re
import sys

RANKS = [
    ["autograd"],
    ["io"],
    ["data", "layers"],
    ["metrics"],
    ["models", "optim"],
    ["training", "report"],
    ["run"],
    ["cli"],
    ["attnlab.hpp"],
    ["examples", "tests", "bench", "fuzz"],
]
RANK = {folder: r for r, row in enumerate(RANKS) for folder in row}
SOURCE = re.compile(r"\.(hpp|cpp|h|cc)$")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def sources(root):
    for here, dirs, files in os.walk(root):
        # hidden folders and build trees (any folder holding a CMakeCache.txt)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and
                         not os.path.exists(os.path.join(here, d, "CMakeCache.txt")))
        for f in sorted(files):
            if SOURCE.search(f):
                yield os.path.relpath(os.path.join(here, f), root).replace(os.sep, "/")


def resolve(root, path, quote, name):
    bases = [os.path.dirname(path)] if quote == '"' else []
    bases += ["", "tests"]
    for base in bases:
        candidate = os.path.normpath(os.path.join(base, name)).replace(os.sep, "/")
        if not candidate.startswith("..") and os.path.isfile(os.path.join(root, candidate)):
            return candidate
    return None


def folder(path):
    return path.split("/", 1)[0]


def node(path):
    return SOURCE.sub("", path)


def cycles(edges):
    """The strongly connected components of more than one node (Tarjan's, iterative)."""
    graph = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            v, children = work[-1]
            w = next(children, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                component = set()
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.add(w)
                    if w == v:
                        break
                if len(component) > 1:
                    found.append(component)
    return found


def describe(f):
    return "rank %d: %s" % (RANK[f], f)


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                           os.path.join(os.path.dirname(__file__), ".."))
    includes = []  # (file, line, included file)
    for path in sources(root):
        with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
            for n, text in enumerate(f, 1):
                m = INCLUDE.match(text)
                target = m and resolve(root, path, m.group(1), m.group(2))
                if target and target != path:
                    includes.append((path, n, target))

    violations = []
    same_rank, same_folder = [], []
    for path, n, target in includes:
        a, b = folder(path), folder(target)
        if a not in RANK or b not in RANK:
            missing = a if a not in RANK else b
            violations.append((path, n, "includes %s (%s is in no rank: add it to RANKS in "
                               "scripts/check_layers.py)" % (target, missing)))
        elif a == b:
            if node(path) != node(target):
                same_folder.append((path, n, target))
        elif RANK[b] > RANK[a]:
            violations.append((path, n, "includes %s (%s, above %s)" %
                               (target, describe(b), describe(a))))
        elif RANK[b] == RANK[a]:
            same_rank.append((path, n, target))

    # folders of one rank that include each other, directly or around a loop
    loops = cycles({(folder(p), folder(t)) for p, _, t in same_rank})
    for path, n, target in same_rank:
        for loop in loops:
            if folder(path) in loop and folder(target) in loop:
                violations.append((path, n, "includes %s (%s, and %s includes %s back)" %
                                   (target, describe(folder(target)), " and ".join(
                                       sorted(loop - {folder(path)})), folder(path))))

    # files of one folder that include each other (a header and its .cpp one node)
    loops = cycles({(node(p), node(t)) for p, _, t in same_folder})
    for path, n, target in same_folder:
        for loop in loops:
            if node(path) in loop and node(target) in loop:
                violations.append((path, n, "includes %s (%s, in an include cycle of %s)" %
                                   (target, describe(folder(target)), ", ".join(sorted(loop)))))

    for path, n, message in sorted(violations):
        print("%s:%d: %s" % (path, n, message))
    if violations:
        print("%d include(s) against the layers (the ranks: scripts/check_layers.py)" %
              len(violations), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
