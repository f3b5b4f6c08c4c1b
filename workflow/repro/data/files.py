"""Readers (and writers) for the plain-text data files the papers' official repositories ship, so the
pipeline can run on the paper's own data as well as on data it generates. Written from the format
descriptions (issue 23), not from the repositories' code.

Every reader checks every line and raises `DataFileError` naming the file, the line (1-based) and what
is wrong; trailing empty lines are ignored, an empty line elsewhere is an error. Writers go through
`repro.core.io.atomic_path`, so a killed job never leaves a half-written file.

- Path-star graphs (Next-Token-Failures; ntp_pitfalls): one graph per line,
  `u,v|u,v|...|u,v/s,g=s,n1,...,g`: the directed edges, then source and goal, then the source → goal path.
- ASE grid maps (locuslab/ase; safe_exploration lava_grid): one row per line, top row first:
  `l` lava, `-` empty, `s` known-safe empty cell, `a` agent start, `g` goal, `w` wall.
- ASE platformer levels (safe_exploration platformer): one row per line, top row first: `0` air,
  `1`/`2`/`3` sand / ice / concrete, `a` player start, `s` known-safe cell, `G` goal.
- Graph files (Geometric_Memory; geometric_memory): edges `u=v` (one per line), and path queries
  `t=n1,...,t` (the target, then the path from the root to it).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np
import torch
from torch import Tensor

from repro.core.io import atomic_path
from repro.data.pathstar import PathStar

_INT = re.compile(r"\s*-?[0-9]+\s*")


class DataFileError(ValueError):
    """A data file that does not follow its format: `<file>:<line>: <what is wrong>`."""

    def __init__(self, path: str | Path, line: int | None, what: str):
        self.path, self.line, self.what = Path(path), line, what
        super().__init__(f"{path}:{line}: {what}" if line is not None else f"{path}: {what}")


def _lines(path: str | Path, kind: str) -> list[tuple[int, str]]:
    """(line number, text without its line ending and trailing blanks) for each line up to the last
    non-empty one; an empty line before it is an error, as is a file with no lines at all."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataFileError(path, None, f"no such file (expected {kind})") from None
    except UnicodeDecodeError as e:
        raise DataFileError(path, None, f"not a UTF-8 text file ({e.reason} at byte {e.start})") from None
    rows = [line.rstrip() for line in text.splitlines()]
    while rows and not rows[-1]:
        rows.pop()
    if not rows:
        raise DataFileError(path, None, f"empty file (expected {kind})")
    for i, row in enumerate(rows, 1):
        if not row:
            raise DataFileError(path, i, f"empty line (expected {kind})")
    return list(enumerate(rows, 1))


def _int(text: str, what: str) -> int:
    if not _INT.fullmatch(text):
        raise ValueError(f"{what} {text.strip()!r} is not an integer")
    return int(text)


def _ints(text: str, what: str) -> list[int]:
    return [_int(t, what) for t in text.split(",")]


def _write_lines(path: str | Path, lines: Iterable[str]) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")


# ---- path-star graphs (ntp_pitfalls) ---------------------------------------------------------------

def parse_pathstar_line(text: str, spec: PathStar) -> tuple[list[tuple[int, int]], int, int, list[int]]:
    """(edges in listed order, source, goal, path) of one line; ValueError saying what is wrong when the
    line is not a path-star graph of the spec's shape (deg arms of path_len − 1 nodes, labels < num_nodes,
    edges directed away from the source, the path the source → goal arm)."""
    if text.count("/") != 1 or text.count("=") != 1 or text.index("/") > text.index("="):
        raise ValueError("expected 'u,v|...|u,v/source,goal=path' (one '/', then one '=')")
    edge_text, rest = text.split("/")
    ends_text, path_text = rest.split("=")
    edges = []
    for part in edge_text.split("|"):
        pair = _ints(part, "node")
        if len(pair) != 2:
            raise ValueError(f"edge {part.strip()!r} is not 'u,v'")
        edges.append((pair[0], pair[1]))
    ends = _ints(ends_text, "node")
    if len(ends) != 2:
        raise ValueError(f"{ends_text.strip()!r} is not 'source,goal'")
    source, goal = ends
    path = _ints(path_text, "node")
    nodes = {u for e in edges for u in e} | {source, goal} | set(path)
    bad = sorted(u for u in nodes if not 0 <= u < spec.num_nodes)
    if bad:
        raise ValueError(f"node {bad[0]} is outside 0..{spec.num_nodes - 1} (num_nodes = {spec.num_nodes})")
    if len(edges) != spec.n_edges:
        raise ValueError(f"{len(edges)} edges, but deg {spec.deg} and path_len {spec.path_len} give {spec.n_edges}")
    if len(set(edges)) != len(edges):
        dup = next(e for e in edges if edges.count(e) > 1)
        raise ValueError(f"edge {dup[0]},{dup[1]} is listed twice")
    if len(path) != spec.path_len:
        raise ValueError(f"the path has {len(path)} nodes, expected path_len = {spec.path_len}")
    succ: dict[int, list[int]] = {}
    indeg: dict[int, int] = {}
    for u, v in edges:
        succ.setdefault(u, []).append(v)
        indeg[v] = indeg.get(v, 0) + 1
    if indeg.get(source, 0):
        raise ValueError(f"source {source} has an incoming edge (edges must point away from the source)")
    if len(succ.get(source, [])) != spec.deg:
        raise ValueError(f"source {source} has {len(succ.get(source, []))} outgoing edges, expected deg = {spec.deg}")
    leaves = set()
    for first in succ[source]:
        arm, node = [first], first
        while node in succ:
            if len(succ[node]) > 1:
                raise ValueError(f"node {node} has {len(succ[node])} outgoing edges (only the source branches)")
            if len(arm) >= spec.path_len:
                raise ValueError(f"the arm through {first} is longer than path_len − 1 = {spec.path_len - 1} nodes "
                                 "(or loops)")
            node = succ[node][0]
            arm.append(node)
        if len(arm) != spec.path_len - 1 or any(indeg[u] != 1 for u in arm):
            raise ValueError(f"the arm through {first} has {len(arm)} nodes, expected path_len − 1 = {spec.path_len - 1} "
                             "(not a path-star graph of this shape)")
        leaves.add(arm[-1])
    if len(nodes) != spec.n_graph_nodes:
        raise ValueError(f"{len(nodes)} distinct nodes, expected 1 + deg·(path_len − 1) = {spec.n_graph_nodes}")
    if goal not in leaves:
        raise ValueError(f"goal {goal} is not the end of an arm")
    edge_set = set(edges)
    if path[0] != source or path[-1] != goal or not all((u, v) in edge_set for u, v in zip(path, path[1:])):
        raise ValueError(f"the path {','.join(map(str, path))} is not the arm from source {source} to goal {goal}")
    return edges, source, goal, path


def pathstar_tokens(edges: Sequence[tuple[int, int]], source: int, goal: int, spec: PathStar) -> list[int]:
    """The prompt tokens of repro.data.pathstar: u v | u v | ... u v / s g = (edges in the given order)."""
    out: list[int] = []
    for u, v in edges:
        out += [u, v, spec.sep]
    return out[:-1] + [spec.slash, source, goal, spec.eq]


def read_pathstar_file(path: str | Path, spec: PathStar, limit: int | None = None) -> tuple[Tensor, Tensor]:
    """The graphs of a path-star file as (prefix (n, prefix_len), path (n, path_len)) int64 tensors in
    repro.data.pathstar's tokens, in file order; `limit`: only the first `limit` graphs (the file must
    have that many). Every line read is checked against the spec's deg, path_len and num_nodes."""
    rows = _lines(path, "path-star graphs 'u,v|...|u,v/source,goal=path'")
    if limit is not None:
        if len(rows) < limit:
            raise DataFileError(path, None, f"has {len(rows)} graphs, but {limit} were asked for")
        rows = rows[:limit]
    prefixes, paths = [], []
    for i, text in rows:
        try:
            edges, source, goal, route = parse_pathstar_line(text, spec)
        except ValueError as e:
            raise DataFileError(path, i, f"{e} — for G(deg={spec.deg}, path_len={spec.path_len}, "
                                         f"num_nodes={spec.num_nodes})") from None
        prefixes.append(pathstar_tokens(edges, source, goal, spec))
        paths.append(route)
    return torch.tensor(prefixes, dtype=torch.int64), torch.tensor(paths, dtype=torch.int64)


def format_pathstar_line(prefix: Sequence[int], path: Sequence[int], spec: PathStar) -> str:
    body = list(prefix[: 3 * spec.n_edges - 1])
    edges = "|".join(f"{body[i]},{body[i + 1]}" for i in range(0, len(body), 3))
    source, goal = prefix[-3], prefix[-2]
    return f"{edges}/{source},{goal}={','.join(map(str, path))}"


def write_pathstar_file(path: str | Path, prefix: Tensor, route: Tensor, spec: PathStar) -> None:
    """Graphs in repro.data.pathstar's tokens → a path-star file (edges in prompt order)."""
    _write_lines(path, (format_pathstar_line(p, r, spec) for p, r in zip(prefix.tolist(), route.tolist())))


# ---- ASE grid maps (safe_exploration lava_grid) -----------------------------------------------------

ASE_MAP = {"l": "L", "-": ".", "s": "s", "a": "A", "g": "G", "w": "W"}  # file → repro.rl.envs lava_grid


def read_ase_map(path: str | Path) -> list[str]:
    """An ASE grid map as repro.rl.envs lava_grid rows (L lava, . ground, s known safe, A start, G goal,
    W wall). The map must be a rectangle with exactly one start and at least one goal."""
    rows = _lines(path, "a grid map (rows of l - s a g w)")
    width = len(rows[0][1])
    out = []
    for i, text in rows:
        if len(text) != width:
            raise DataFileError(path, i, f"row has {len(text)} cells, but line 1 has {width} (a map is a rectangle)")
        for j, c in enumerate(text, 1):
            if c not in ASE_MAP:
                raise DataFileError(path, i, f"column {j}: unknown cell {c!r} (expected one of {' '.join(ASE_MAP)})")
        out.append("".join(ASE_MAP[c] for c in text))
    starts = [(i, j) for i, text in rows for j, c in enumerate(text, 1) if c == "a"]
    if len(starts) != 1:
        where = "; ".join(f"line {i} column {j}" for i, j in starts)
        raise DataFileError(path, starts[1][0] if starts else None,
                            f"expected exactly one start 'a', found {len(starts)}" + (f" ({where})" if where else ""))
    if not any("g" in text for _, text in rows):
        raise DataFileError(path, None, "no goal 'g' in the map")
    return out


def write_ase_map(path: str | Path, rows: Sequence[str]) -> None:
    back = {v: k for k, v in ASE_MAP.items()}
    _write_lines(path, ("".join(back[c] for c in row) for row in rows))


# ---- ASE platformer levels (safe_exploration platformer) -------------------------------------------

ASE_SURFACE = {"0": "_", "1": "S", "2": "I", "3": "C"}  # ground row: air (a gap), sand, ice, concrete
ASE_MARKERS = {"a", "s", "G"}


def read_ase_level(path: str | Path) -> dict:
    """An ASE platformer level as repro.rl.envs platformer keys {level, start, z0_span}.

    Our platformer is one-dimensional: the bottom row is the ground (0 = a gap, 1/2/3 = sand/ice/concrete),
    the row above it holds the markers (a start, s known-safe cells, G goals; 0 air), and every row above
    those must be air. The known-safe cells and the start must form one run of columns (the initial safe
    span); a goal makes its column a goal cell."""
    rows = _lines(path, "a platformer level (rows of 0 1 2 3 a s G)")
    if len(rows) < 2:
        raise DataFileError(path, None, "a level needs at least two rows (markers above the ground row)")
    width = len(rows[0][1])
    for i, text in rows:
        if len(text) != width:
            raise DataFileError(path, i, f"row has {len(text)} cells, but line 1 has {width} (a level is a rectangle)")
        for j, c in enumerate(text, 1):
            if c not in ASE_SURFACE and c not in ASE_MARKERS:
                raise DataFileError(path, i, f"column {j}: unknown cell {c!r} (expected one of 0 1 2 3 a s G)")
    (mi, markers), (gi, ground) = rows[-2], rows[-1]
    for i, text in rows[:-2]:
        j = next((j for j, c in enumerate(text, 1) if c != "0"), None)
        if j is not None:
            raise DataFileError(path, i, f"column {j}: {text[j - 1]!r} above the row standing on the ground; our "
                                         "platformer has one ground level (only air '0' is allowed here)")
    for j, c in enumerate(ground, 1):
        if c not in ASE_SURFACE:
            raise DataFileError(path, gi, f"column {j}: {c!r} in the ground row (bottom row: 0 1 2 3 only)")
    for j, c in enumerate(markers, 1):
        if c not in ASE_MARKERS and c != "0":
            raise DataFileError(path, mi, f"column {j}: surface {c!r} above the ground row; our platformer has "
                                          "one ground level (this row: 0 a s G only)")
    starts = [j for j, c in enumerate(markers) if c == "a"]
    if len(starts) != 1:
        raise DataFileError(path, mi, f"expected exactly one start 'a', found {len(starts)}")
    start = starts[0]
    if ground[start] == "0":
        raise DataFileError(path, mi, f"column {start + 1}: the start 'a' is above a gap")
    if "G" not in markers:
        raise DataFileError(path, mi, "no goal 'G' in the row above the ground")
    safe = sorted({j for j, c in enumerate(markers) if c == "s"} | {start})
    if safe[-1] - safe[0] + 1 != len(safe):
        gap = next(a + 2 for a, b in zip(safe, safe[1:]) if b != a + 1)
        raise DataFileError(path, mi, f"the known-safe cells 's' and the start do not form one run of columns "
                                      f"(column {gap} is missing); our platformer's initial safe set is one span")
    level = "".join("G" if m == "G" else ASE_SURFACE[g] for m, g in zip(markers, ground))
    return {"level": level, "start": start, "z0_span": [safe[0], safe[-1]]}


def write_ase_level(path: str | Path, level: str, start: int, z0_span: Sequence[int]) -> None:
    """repro.rl.envs platformer keys → a two-row ASE level (markers over the ground; goal columns get sand)."""
    surface = {v: k for k, v in ASE_SURFACE.items()} | {"G": "1"}
    markers = "".join("G" if c == "G" else "a" if x == start else "s" if z0_span[0] <= x <= z0_span[1] else "0"
                      for x, c in enumerate(level))
    _write_lines(path, [markers, "".join(surface[c] for c in level)])


# ---- graph files (geometric_memory) ------------------------------------------------------------------

def read_edges_file(path: str | Path, allow_self_loops: bool = True) -> list[tuple[int, int]]:
    """Directed edges `u=v`, one per line, in file order (node ids: any integers); an edge listed again
    counts once. A self-loop `u=u` is an error when not allowed."""
    edges, seen = [], set()
    for i, text in _lines(path, "edges 'u=v', one per line"):
        parts = text.split("=")
        try:
            if len(parts) != 2:
                raise ValueError(f"expected one edge 'u=v', got {text.strip()!r}")
            u, v = _int(parts[0], "node"), _int(parts[1], "node")
        except ValueError as e:
            raise DataFileError(path, i, str(e)) from None
        if u == v and not allow_self_loops:
            raise DataFileError(path, i, f"self-loop {u}={v}: this experiment needs a graph without self-loops "
                                         "(use a file without self-edges)")
        if (u, v) not in seen:
            seen.add((u, v))
            edges.append((u, v))
    return edges


def _read_paths(path: str | Path) -> list[tuple[int, int, list[int]]]:
    out = []
    for i, text in _lines(path, "path queries 't=n1,...,t', one per line"):
        parts = text.split("=")
        try:
            if len(parts) != 2:
                raise ValueError(f"expected one query 'target=n1,...,target', got {text.strip()!r}")
            target, route = _int(parts[0], "target"), _ints(parts[1], "node")
        except ValueError as e:
            raise DataFileError(path, i, str(e)) from None
        if len(route) < 2:
            raise DataFileError(path, i, f"the path {parts[1].strip()!r} has fewer than two nodes")
        if route[-1] != target:
            raise DataFileError(path, i, f"the path ends at {route[-1]}, not at the target {target}")
        out.append((i, target, route))
    return out


def read_paths_file(path: str | Path) -> list[tuple[int, list[int]]]:
    """Path queries `t=n1,...,t`, one per line: (target, path from the root to it), in file order. The
    path has at least two nodes and ends at the target."""
    return [(t, route) for _, t, route in _read_paths(path)]


def read_tiny_graph(path: str | Path) -> nx.Graph:
    """The undirected graph of an edges file, for the tiny-graph geometry: nodes 0..n−1 in the order of
    their ids (attribute `position` = the file's id); `u=v` and `v=u` are the same edge. The graph must be
    connected, with at least three nodes and no self-loops."""
    edges = read_edges_file(path, allow_self_loops=False)
    ids = sorted({u for e in edges for u in e})
    index = {u: i for i, u in enumerate(ids)}
    g = nx.Graph()
    g.add_nodes_from((i, {"position": u}) for i, u in enumerate(ids))
    g.add_edges_from((index[u], index[v]) for u, v in edges)
    if len(ids) < 3:
        raise DataFileError(path, None, f"the graph has {len(ids)} nodes; the geometry needs at least 3")
    if not nx.is_connected(g):
        parts = sorted(nx.connected_components(g), key=len)
        raise DataFileError(path, None, f"the graph is not connected ({len(parts)} components; node "
                                        f"{ids[min(parts[0])]} is cut off from node {ids[min(parts[-1])]})")
    return g


@dataclass
class StarFiles:
    """An in-weights path-star read from its files (node ids as in the files)."""
    edges: list[tuple[int, int]]          # as listed (the edge examples trained on)
    root: int
    train: list[tuple[int, list[int]]]    # (target, path) queries trained on, test targets removed
    test: list[tuple[int, list[int]]]     # held-out queries
    excluded: list[int]                   # training targets dropped because they are test targets


def read_star_files(edges_path: str | Path, train_path: str | Path, test_path: str | Path,
                    deg: int, arm_len: int) -> StarFiles:
    """The edges and path-query files of one in-weights path-star, checked against each other and the
    config: every query starts at the same root, has arm_len + 1 nodes, walks along listed edges (either
    direction) and names a target no other query of its file names; the root has `deg` neighbours. A
    training query whose target is a test target is dropped from training (held out stays held out)."""
    edges = read_edges_file(edges_path)
    undirected = {frozenset(e) for e in edges}
    queries = {"train": _read_paths(train_path), "test": _read_paths(test_path)}
    paths = {"train": Path(train_path), "test": Path(test_path)}
    root = queries["train"][0][2][0]
    for split, rows in queries.items():
        seen: dict[int, int] = {}
        for i, target, route in rows:
            where = paths[split]
            if route[0] != root:
                raise DataFileError(where, i, f"the path starts at {route[0]}, but {paths['train']} line 1 starts at "
                                              f"{root} (one star: every query starts at its root)")
            if len(route) != arm_len + 1:
                raise DataFileError(where, i, f"the path has {len(route)} nodes; star.arm_len = {arm_len} needs "
                                              f"{arm_len + 1} (the root and arm_len more)")
            hop = next(((u, v) for u, v in zip(route, route[1:]) if frozenset((u, v)) not in undirected), None)
            if hop is not None:
                raise DataFileError(where, i, f"the hop {hop[0]} → {hop[1]} is not an edge of {edges_path}")
            if target in seen:
                raise DataFileError(where, i, f"target {target} repeats line {seen[target]} (a query is its target)")
            seen[target] = i
    neighbours = {v for e in undirected if root in e for v in e if v != root}
    if len(neighbours) != deg:
        raise DataFileError(edges_path, None, f"the root {root} has {len(neighbours)} neighbours, but star.deg = {deg}")
    test_targets = {t for _, t, _ in queries["test"]}
    train = [(t, r) for _, t, r in queries["train"] if t not in test_targets]
    excluded = [t for _, t, _ in queries["train"] if t in test_targets]
    if not train:
        raise DataFileError(train_path, None, f"every training query is a test query of {test_path}; nothing is left "
                                              "to train on")
    return StarFiles(edges=edges, root=root, train=train, test=[(t, r) for _, t, r in queries["test"]],
                     excluded=excluded)


def write_edges_file(path: str | Path, edges: Iterable[tuple[int, int]]) -> None:
    _write_lines(path, (f"{u}={v}" for u, v in edges))


def write_paths_file(path: str | Path, queries: Iterable[tuple[int, Sequence[int]]]) -> None:
    _write_lines(path, (f"{t}={','.join(map(str, route))}" for t, route in queries))


def token_map(ids: Iterable[int], seed: int) -> dict[int, int]:
    """Node id → token 0..n−1 by a random permutation drawn from `seed` (ids carry no information into
    the model, as for our own relabelled graphs); the same ids and seed always give the same map."""
    ordered = sorted(set(ids))
    perm = np.random.default_rng(seed).permutation(len(ordered))
    return {u: int(t) for u, t in zip(ordered, perm)}
