"""The papers' own data files (repro.data.files): each reader on files written here in the official
formats (round trips where we also write the format, malformed lines named by file and line), the stages
that use them, the config schema, and a smoke run with a file-based source for each of the three papers."""
from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import torch
import yaml
from jsonschema import Draft202012Validator

from conftest import REPO, SMOKE, snakemake
from repro.core.seeding import generator
from repro.data.files import (DataFileError, read_ase_level, read_ase_map, read_edges_file, read_pathstar_file,
                              read_paths_file, read_star_files, read_tiny_graph, token_map, write_ase_level,
                              write_ase_map, write_edges_file, write_pathstar_file, write_paths_file)
from repro.data.pathstar import PathStar

CONFIG = yaml.safe_load((REPO / "config/config.yaml").read_text())
SE = CONFIG["safe_exploration"]["envs"]


def write(path, text: str):
    path.write_text(text)
    return path


def raises_at(path, line, match):
    """pytest.raises for a DataFileError naming `path` and `line` (None: the whole file)."""
    prefix = f"{path}:{line}: " if line is not None else f"{path}: "
    return pytest.raises(DataFileError, match=f"^{_escape(prefix)}.*{match}")


def _escape(s: str) -> str:
    return re.escape(s)


# ---- path-star graphs ---------------------------------------------------------------------------------

SPEC = PathStar(deg=2, path_len=3, num_nodes=10)
GOOD = "3,7|7,1|3,9|9,4/3,4=3,9,4"  # the invented example: deg 2, path length 3


def test_pathstar_reader_reads_the_format_into_our_tokens(tmp_path):
    f = write(tmp_path / "g.txt", GOOD + "\n2,8|5,2|5,9|9,3/5,8=5,2,8\n\n")  # trailing empty lines are fine
    prefix, path = read_pathstar_file(f, SPEC)
    assert prefix.shape == (2, SPEC.prefix_len) and path.shape == (2, SPEC.path_len)
    assert SPEC.decode(prefix[0].tolist()) == "3 7 | 7 1 | 3 9 | 9 4 / 3 4 ="
    assert path[0].tolist() == [3, 9, 4]
    assert read_pathstar_file(f, SPEC, limit=1)[0].shape[0] == 1
    with raises_at(f, None, "has 2 graphs, but 3 were asked for"):
        read_pathstar_file(f, SPEC, limit=3)


@pytest.mark.parametrize("deg, path_len, num_nodes", [(2, 3, 10), (3, 5, 50), (5, 2, 12)])
def test_pathstar_round_trip(tmp_path, deg, path_len, num_nodes):
    spec = PathStar(deg, path_len, num_nodes)
    prefix, path = spec.sample(200, generator(0))
    write_pathstar_file(tmp_path / "g.txt", prefix, path, spec)
    back = read_pathstar_file(tmp_path / "g.txt", spec)
    assert torch.equal(back[0], prefix) and torch.equal(back[1], path)
    assert not list(tmp_path.glob(".*"))  # the atomic write left no temporary behind


@pytest.mark.parametrize("line, what", [
    ("3,7|7,1|3,9|9,4/3,4", "one '/', then one '='"),
    ("3,7|7,1|3,9|9,4=3,9,4/3,4", "one '/', then one '='"),
    ("3,7|7,x|3,9|9,4/3,4=3,9,4", "node 'x' is not an integer"),
    ("3,7,1|7,1|3,9|9,4/3,4=3,9,4", "is not 'u,v'"),
    ("3,7|7,1|3,9/3,1=3,7,1", "3 edges, but deg 2 and path_len 3 give 4"),
    ("3,7|7,1|3,9|9,12/3,12=3,9,12", "node 12 is outside 0..9"),
    ("3,7|7,1|3,9|9,4/3,4=3,9", "the path has 2 nodes, expected path_len = 3"),
    ("3,7|3,7|3,9|9,4/3,4=3,9,4", "listed twice"),
    ("7,3|7,1|3,9|9,4/3,4=3,9,4", "source 3 has an incoming edge"),
    ("3,7|3,1|3,9|9,4/3,4=3,9,4", "source 3 has 3 outgoing edges, expected deg = 2"),
    ("3,7|7,1|3,9|7,4/3,4=3,7,4", "node 7 has 2 outgoing edges"),
    ("3,7|7,1|3,9|5,4/3,1=3,7,1", "the arm through 9 has 1 nodes"),
    ("3,7|7,1|3,9|9,4/3,9=3,9,9", "goal 9 is not the end of an arm"),
    ("3,7|7,1|3,9|9,4/3,4=3,7,4", "is not the arm from source 3 to goal 4"),
    ("3,7|7,1|3,9|9,4/3,4=9,9,4", "is not the arm from source 3 to goal 4"),
])
def test_pathstar_malformed_line_is_named(tmp_path, line, what):
    f = write(tmp_path / "bad.txt", f"{GOOD}\n{line}\n{GOOD}\n")
    with raises_at(f, 2, _escape(what)):
        read_pathstar_file(f, SPEC)


def test_pathstar_file_level_errors(tmp_path):
    with raises_at(tmp_path / "none.txt", None, "no such file"):
        read_pathstar_file(tmp_path / "none.txt", SPEC)
    with raises_at(write(tmp_path / "empty.txt", "\n\n"), None, "empty file"):
        read_pathstar_file(tmp_path / "empty.txt", SPEC)
    with raises_at(write(tmp_path / "gap.txt", f"{GOOD}\n\n{GOOD}\n"), 2, "empty line"):
        read_pathstar_file(tmp_path / "gap.txt", SPEC)
    # the same line is a different shape's error: deg, path length and node count are checked
    with raises_at(write(tmp_path / "shape.txt", GOOD), 1, _escape("for G(deg=3, path_len=3, num_nodes=10)")):
        read_pathstar_file(tmp_path / "shape.txt", PathStar(3, 3, 10))
    with raises_at(tmp_path / "shape.txt", 1, "node 7 is outside 0..4"):
        read_pathstar_file(tmp_path / "shape.txt", PathStar(2, 3, 5))


def _graphs(spec, n, seed):
    return spec.sample(n, generator(seed))


def test_ntp_make_data_from_files_keeps_the_test_set_held_out(tmp_path):
    from repro.papers.ntp_pitfalls.data import batch_fn, has_train_split, load_split, make_data

    spec = PathStar(2, 3, 8)
    test = _graphs(spec, 40, 1)
    train = _graphs(spec, 300, 2)
    train = (torch.cat([train[0], test[0][:5]]), torch.cat([train[1], test[1][:5]]))  # 5+ test graphs leak in
    write_pathstar_file(tmp_path / "test.txt", *test, spec)
    write_pathstar_file(tmp_path / "train.txt", *train, spec)
    params = {"deg": 2, "path_len": 3, "num_nodes": 8, "seed": 0, "n_test": 30,
              "train_file": "train.txt", "test_file": "test.txt"}
    assert has_train_split(params)
    inputs = {"train_file": tmp_path / "train.txt", "test_file": tmp_path / "test.txt"}
    make_data(params, inputs, {"data": tmp_path / "both"}, 1)
    t_prefix, t_path = load_split(tmp_path / "both", "test")
    assert torch.equal(t_prefix, test[0][:30]) and torch.equal(t_path, test[1][:30])  # first n_test, in file order
    tr_prefix, _ = load_split(tmp_path / "both", "train")
    test_keys = set(spec.keys(t_prefix))
    assert not test_keys & set(spec.keys(tr_prefix))
    spec_json = json.loads((tmp_path / "both" / "spec.json").read_text())
    assert spec_json["train_excluded"] == len(train[0]) - len(tr_prefix) >= 5
    assert spec_json["test_file"].endswith("test.txt")
    fn = batch_fn(spec, "ntp", 16, 0, (tr_prefix, load_split(tmp_path / "both", "train")[1]))
    assert not any(set(spec.keys(fn(s)[0][:, : spec.prefix_len])) & test_keys for s in range(20))

    # a file test set with generated training: fresh graphs and a fixed set both avoid the test graphs
    make_data(params | {"n_train": 400} | {"train_file": None}, {"test_file": inputs["test_file"]},
              {"data": tmp_path / "gen_train"}, 1)
    gen_train = load_split(tmp_path / "gen_train", "train")[0]
    assert len(gen_train) == 400 and not set(spec.keys(gen_train)) & set(spec.keys(test[0][:30]))
    # a file training set with a generated test set: the test graphs are drawn around the training graphs
    make_data(params | {"test_file": None}, {"train_file": inputs["train_file"]}, {"data": tmp_path / "gen_test"}, 1)
    gen_test = load_split(tmp_path / "gen_test", "test")[0]
    assert len(gen_test) == 30 and not set(spec.keys(gen_test)) & set(spec.keys(train[0]))

    write_pathstar_file(tmp_path / "only_test.txt", test[0][:3], test[1][:3], spec)
    with pytest.raises(ValueError, match="every training graph is a test graph"):
        make_data(params | {"n_test": 3}, {"train_file": tmp_path / "only_test.txt", "test_file": tmp_path / "only_test.txt"},
                  {"data": tmp_path / "nothing"}, 1)
    assert not (tmp_path / "nothing").exists()  # nothing half-written


# ---- ASE grid maps -------------------------------------------------------------------------------------

def test_ase_map_round_trip_and_reading(tmp_path):
    write_ase_map(tmp_path / "m.txt", SE["lava_grid"]["map"])
    assert read_ase_map(tmp_path / "m.txt") == SE["lava_grid"]["map"]
    f = write(tmp_path / "tiny.txt", "lgl\nl-l\nwsw\nlal\nlll\n")
    assert read_ase_map(f) == ["LGL", "L.L", "WsW", "LAL", "LLL"]


def test_walls_are_never_entered():
    from repro.rl.envs import DISPLACEMENTS, MOVES, lava_grid_model

    m = lava_grid_model(["LLLLL", "L.G.L", "LWsWL", "L.A.L", "LLLLL"], slip=0.0, analogy_radius=1)
    W = 5
    start, up, jump_up = 3 * W + 2, MOVES.index((0, -1)), MOVES.index((0, -2))
    right = MOVES.index((1, 0))
    s = 2 * W + 2  # the safe cell between the walls: moving right bumps into the wall and stays
    assert m.next_state[s, right, DISPLACEMENTS.index((1, 0))] == s
    assert m.next_state[start, up, DISPLACEMENTS.index((0, -1))] == s
    assert m.next_state[start, jump_up, DISPLACEMENTS.index((0, -2))] == 1 * W + 2  # jumps over, onto the goal
    walls = [2 * W + 1, 2 * W + 3]
    assert not np.isin(m.next_state[[i for i in range(25) if i not in walls]], walls).any()


@pytest.mark.parametrize("text, line, what", [
    ("lll\nll\nlal\nlgl\n", 2, "row has 2 cells, but line 1 has 3"),
    ("lll\nlxl\nlal\nlgl\n", 2, "column 2: unknown cell 'x'"),
    ("lll\nlal\nlal\nlgl\n", 3, "expected exactly one start 'a', found 2"),
    ("lll\nlll\nlsl\nlgl\n", None, "expected exactly one start 'a', found 0"),
    ("lll\nlal\nlsl\nlll\n", None, "no goal 'g'"),
    ("lll\n\nlal\nlgl\n", 2, "empty line"),
])
def test_ase_map_malformed(tmp_path, text, line, what):
    f = write(tmp_path / "m.txt", text)
    with raises_at(f, line, _escape(what)):
        read_ase_map(f)


# ---- ASE platformer levels -----------------------------------------------------------------------------

def test_ase_level_round_trip_and_reading(tmp_path):
    p = SE["platformer"]
    write_ase_level(tmp_path / "l.txt", p["level"], p["start"], p["z0_span"])
    assert read_ase_level(tmp_path / "l.txt") == {k: p[k] for k in ("level", "start", "z0_span")}
    f = write(tmp_path / "inv.txt", "0000000000\n0ssas00G00\n1112220330\n")  # air rows above are fine
    assert read_ase_level(f) == {"level": "SSSIII_GC_", "start": 3, "z0_span": [1, 4]}
    assert read_ase_level(write(tmp_path / "lone.txt", "a00G\n1011")) == {"level": "S_SG", "start": 0, "z0_span": [0, 0]}


@pytest.mark.parametrize("text, line, what", [
    ("a0G\n", None, "at least two rows"),
    ("000\na0G0\n1111\n", 2, "row has 4 cells, but line 1 has 3"),
    ("0010\na00G\n1111\n", 1, "column 3: '1' above the row standing on the ground; our platformer has one ground level"),
    ("a01G\n1111\n", 1, "column 3: surface '1' above the ground row"),
    ("a00G\n1a11\n", 2, "column 2: 'a' in the ground row"),
    ("a00G\n1x11\n", 2, "column 2: unknown cell 'x'"),
    ("0a0G\n1011\n", 1, "column 2: the start 'a' is above a gap"),
    ("aa0G\n1111\n", 1, "expected exactly one start 'a', found 2"),
    ("s00G\n1111\n", 1, "expected exactly one start 'a', found 0"),
    ("sa00\n1111\n", 1, "no goal 'G'"),
    ("as0sG\n11111\n", 1, "column 3 is missing"),
])
def test_ase_level_malformed(tmp_path, text, line, what):
    f = write(tmp_path / "l.txt", text)
    with raises_at(f, line, _escape(what)):
        read_ase_level(f)


def test_safe_exploration_run_reads_the_layout_files(tmp_path):
    from repro.papers.safe_exploration.run import run

    write(tmp_path / "map.txt", "lllllll\nl--g--l\nl-----l\nlsssssl\nlsssssl\nlssassl\nlsssssl\nlsssssl\nlllllll\n")
    write(tmp_path / "level.txt", "ssas000000G0\n111122200333\n")
    knobs = {"beta": 0.5, "tau": 0.1, "gamma": 0.9, "horizon": 10, "update_every": 20, "steps": 60,
             "eps_final": 0.1, "eps_anneal_steps": 50, "eps_suboptimal": 0.01, "curve_points": 5, "seed": 0, "agent": "ase"}
    run(knobs | {"env": "lava_grid", "slip": 0.2, "analogy_radius": 2, "map": ["bogus"], "map_file": "map.txt"},
        {"map_file": tmp_path / "map.txt"}, {"run": tmp_path / "grid.json"}, 1)
    run(knobs | {"env": "platformer", "level": "bogus", "start": 99, "z0_span": [0, 0], "level_file": "level.txt"},
        {"level_file": tmp_path / "level.txt"}, {"run": tmp_path / "plat.json"}, 1)
    for name, key in [("grid", "map_file"), ("plat", "level_file")]:
        out = json.loads((tmp_path / f"{name}.json").read_text())
        assert out[key].endswith(".txt") and out["steps"] == 60 and out["safe_optimal_value"] > 0


# ---- graph files (geometric_memory) --------------------------------------------------------------------

def test_edges_and_paths_round_trip(tmp_path):
    edges = [(4, 0), (0, 4), (17, -3), (-3, 17), (4, 17)]
    queries = [(4, [17, 4]), (0, [17, 4, 0]), (-3, [17, -3])]
    write_edges_file(tmp_path / "e.txt", edges)
    write_paths_file(tmp_path / "p.txt", queries)
    assert read_edges_file(tmp_path / "e.txt") == edges
    assert read_paths_file(tmp_path / "p.txt") == queries
    assert read_paths_file(write(tmp_path / "inv.txt", "4=0,2,4\n")) == [(4, [0, 2, 4])]  # the example
    write_edges_file(tmp_path / "dup.txt", edges + [(4, 0)])
    assert read_edges_file(tmp_path / "dup.txt") == edges  # an edge listed again counts once


@pytest.mark.parametrize("text, line, what", [
    ("1=2\n1-3\n", 2, "expected one edge 'u=v'"),
    ("1=2\n1=2=3\n", 2, "expected one edge 'u=v'"),
    ("1=2\n1=b\n", 2, "node 'b' is not an integer"),
    ("1=2\n\n3=4\n", 2, "empty line"),
])
def test_edges_malformed(tmp_path, text, line, what):
    f = write(tmp_path / "e.txt", text)
    with raises_at(f, line, _escape(what)):
        read_edges_file(f)


@pytest.mark.parametrize("text, line, what", [
    ("4=0,2,4\n5\n", 2, "expected one query 'target=n1,...,target'"),
    ("4=0,2,4\n5=0,2,6\n", 2, "the path ends at 6, not at the target 5"),
    ("4=0,2,4\n5=5\n", 2, "fewer than two nodes"),
    ("4=0,2,4\n5=0,,5\n", 2, "node '' is not an integer"),
    ("x=0,2,4\n", 1, "target 'x' is not an integer"),
])
def test_paths_malformed(tmp_path, text, line, what):
    f = write(tmp_path / "p.txt", text)
    with raises_at(f, line, _escape(what)):
        read_paths_file(f)


def star_files(tmp_path, deg=4, arm_len=2, seed=0, both_directions=True):
    """A path-star (ids shuffled and offset, as arbitrary ints) written as edges, train and test files."""
    from repro.data.graphs import path_star

    root, arms = path_star(deg, arm_len, np.random.default_rng(seed))
    ids = lambda u: 1000 + 7 * int(u)  # noqa: E731
    chains = [[ids(root), *map(ids, arm)] for arm in arms]
    edges = [(u, v) for c in chains for u, v in zip(c, c[1:])]
    write_edges_file(tmp_path / "star_pretrain.txt", edges + ([(v, u) for u, v in edges] if both_directions else []))
    queries = [(c[-1], c) for c in chains]
    n_train = (3 * deg) // 4
    write_paths_file(tmp_path / "star_train.txt", queries[:n_train])
    write_paths_file(tmp_path / "star_test.txt", queries[n_train:])
    return {k: tmp_path / f"star_{f}.txt" for k, f in [("edges_file", "pretrain"), ("train_paths_file", "train"),
                                                       ("test_paths_file", "test")]}


def test_star_files_are_checked_against_each_other_and_the_config(tmp_path):
    files = star_files(tmp_path)
    star = read_star_files(*files.values(), deg=4, arm_len=2)
    assert len(star.train) == 3 and len(star.test) == 1 and star.excluded == [] and len(star.edges) == 16
    with raises_at(files["edges_file"], None, "the root .* has 4 neighbours, but star.deg = 5"):
        read_star_files(*files.values(), deg=5, arm_len=2)
    with raises_at(files["train_paths_file"], 1, _escape("the path has 3 nodes; star.arm_len = 3 needs 4")):
        read_star_files(*files.values(), deg=4, arm_len=3)
    test_line = files["test_paths_file"].read_text()
    target, route = read_paths_file(files["test_paths_file"])[0]
    # a test query that is also a training query: dropped from training, and counted
    leaked = tmp_path / "leak.txt"
    leaked.write_text(files["train_paths_file"].read_text() + test_line)
    star = read_star_files(files["edges_file"], leaked, files["test_paths_file"], deg=4, arm_len=2)
    assert star.excluded == [target] and len(star.train) == 3
    for text, what in [(f"{target}={route[1]},{route[1]},{target}", "the path starts at"),
                       (f"{target}={route[0]},{route[2]},{target}", "is not an edge of"),
                       (f"{route[1]}={route[0]},{route[1]}", "the path has 2 nodes")]:
        f = write(tmp_path / "bad.txt", f"{test_line}{text}\n")
        with raises_at(f, 2, what):
            read_star_files(files["edges_file"], files["train_paths_file"], f, deg=4, arm_len=2)
    f = write(tmp_path / "rep.txt", test_line * 2)
    with raises_at(f, 2, f"target {target} repeats line 1"):
        read_star_files(files["edges_file"], files["train_paths_file"], f, deg=4, arm_len=2)
    with raises_at(files["train_paths_file"], None, "every training query is a test query"):
        read_star_files(files["edges_file"], files["train_paths_file"], files["train_paths_file"], deg=4, arm_len=2)


def test_file_star_task_maps_ids_to_tokens_and_holds_out_the_test_leaves(tmp_path):
    from repro.papers.geometric_memory.star import FileStarTask, StarTask, held_out_overlap, training_set

    files = star_files(tmp_path, deg=8, arm_len=3, both_directions=False)
    task = FileStarTask(files, deg=8, arm_len=3, seed=5)
    assert task.n == 1 + 8 * 3 and task.vocab_size == task.n + 4
    X, Y, n_edges = training_set(task)
    assert n_edges == 8 * 3  # exactly the listed edges (one direction here)
    assert X.max() < task.vocab_size and X[:n_edges, 1:3].max() < task.n
    assert len(task.train_arms) == 6 and len(task.test_arms) == 2 and held_out_overlap(task) == 0.0
    assert X.shape[1] == StarTask(8, 3, 0, 0.75).seq_len
    again = FileStarTask(files, deg=8, arm_len=3, seed=5)
    assert torch.equal(training_set(again)[0], X)
    assert not torch.equal(training_set(FileStarTask(files, deg=8, arm_len=3, seed=6))[0], X)
    m = token_map([5, -2, 900, 5], seed=1)
    assert sorted(m) == [-2, 5, 900] and sorted(m.values()) == [0, 1, 2] and m == token_map([900, -2, 5], seed=1)


def test_train_star_stage_on_files(tmp_path):
    from repro.papers.geometric_memory.star import train_star

    files = star_files(tmp_path, deg=4, arm_len=2)
    p = {"seed": 0, "deg": 4, "arm_len": 2, "train_share": 0.75, "path_share": 0.5, "batch_size": 8, "eval_every": 5,
         "model": {"n_layer": 1, "n_head": 1, "d_model": 8}, "optim": {"steps": 5, "warmup": 1, "log_every": 5}}
    train_star(p, files, {"metrics": tmp_path / "out" / "m.json"}, 1)
    out = json.loads((tmp_path / "out" / "m.json").read_text())
    assert out["n_train_leaves"] == 3 and out["n_test_leaves"] == 1 and out["train_test_overlap"] == 0.0
    assert out["edges_file"].endswith("star_pretrain.txt") and out["train_queries_excluded"] == 0


def test_tiny_graph_from_an_edges_file(tmp_path):
    from repro.papers.geometric_memory.tiny import edges_input, tiny

    cycle = [(10 * u + 3, 10 * ((u + 1) % 6) + 3) for u in range(6)]
    write_edges_file(tmp_path / "c.txt", cycle + [(v, u) for u, v in cycle])
    g = read_tiny_graph(tmp_path / "c.txt")
    assert nx.is_isomorphic(g, nx.cycle_graph(6)) and g.nodes[0]["position"] == 3
    with raises_at(write(tmp_path / "split.txt", "1=2\n2=3\n7=8\n"), None, "not connected"):
        read_tiny_graph(tmp_path / "split.txt")
    with raises_at(write(tmp_path / "loop.txt", "1=2\n2=3\n3=1\n2=2\n"), 4, "self-loop 2=2"):
        read_tiny_graph(tmp_path / "loop.txt")
    p = {"seed": 0, "graphs": [{"name": "mine", "edges_file": "c.txt"}], "model": {"n_layer": 1, "n_head": 1, "d_model": 8},
         "lr": 0.01, "epochs": 3, "n_eigenvectors": 2}
    tiny(p, {edges_input("mine"): tmp_path / "c.txt"}, {"metrics": tmp_path / "t.json"}, 1)
    rows = json.loads((tmp_path / "t.json").read_text())["rows"]
    assert {r["graph"] for r in rows} == {"mine"} and len(rows) == 3
    assert {int(d) for d in rows[0]["cosine_by_distance"]} == {1, 2, 3}


# ---- the config schema ---------------------------------------------------------------------------------

SCHEMA = yaml.safe_load((REPO / "workflow/schemas/config.schema.yaml").read_text())


def errors(cfg) -> list[str]:
    return [e.message for e in Draft202012Validator(SCHEMA).iter_errors(cfg)]


def test_schema_accepts_file_sources_and_rejects_incomplete_ones():
    assert not errors(CONFIG)
    cfg = copy.deepcopy(CONFIG)
    cfg["ntp_pitfalls"]["graphs"] = [
        {"name": "paper", "deg": 2, "path_len": 5, "num_nodes": 50, "train_file": "tr.txt", "test_file": "te.txt"},
        {"name": "paper_test", "deg": 2, "path_len": 5, "num_nodes": 50, "n_train": 0, "test_file": "te.txt", "n_test": 100}]
    cfg["safe_exploration"]["envs"]["lava_grid"]["map_file"] = "five_lava_island.txt"
    cfg["safe_exploration"]["envs"]["platformer"]["level_file"] = "level7.txt"
    cfg["geometric_memory"]["tiny"]["graphs"].append({"name": "paper_cycle", "edges_file": "cycle_pretrain.txt"})
    cfg["geometric_memory"]["star"] |= {"edges_file": "e.txt", "train_paths_file": "tr.txt", "test_paths_file": "te.txt"}
    assert not errors(cfg)
    c = copy.deepcopy(cfg)
    for k in ("level", "start", "z0_span"):
        del c["safe_exploration"]["envs"]["platformer"][k]
    del c["safe_exploration"]["envs"]["lava_grid"]["map"]
    assert not errors(c)  # level_file stands in for level, start and z0_span; map_file for map
    del c["safe_exploration"]["envs"]["platformer"]["level_file"]
    assert errors(c)

    bad = [
        (["ntp_pitfalls", "graphs", 0, "n_train"], 0),         # a training file with 0 graphs taken
        (["ntp_pitfalls", "graphs", 0, "test_file"], None),    # no test file and no n_test
        (["geometric_memory", "star", "test_paths_file"], None),
        (["geometric_memory", "tiny", "graphs", 3, "kind"], "cycle"),  # kind and size, or a file: not both
        (["safe_exploration", "envs", "lava_grid", "map_file"], ""),
    ]
    for where, value in bad:
        c = copy.deepcopy(cfg)
        target = c
        for k in where[:-1]:
            target = target[k]
        if value is None:
            del target[where[-1]]
        else:
            target[where[-1]] = value
        if where[-1] == "kind":
            target["size"] = 4
        assert errors(c), where


# ---- the workflow: a dry run and a smoke run with a file source for each paper ---------------------------

def overlay(tmp_path: Path) -> Path:
    """Files in the official formats under tmp_path/data, and an overlay pointing the three papers at them."""
    data = tmp_path / "data"
    data.mkdir(parents=True)
    spec = PathStar(2, 3, 10)
    write_pathstar_file(data / "d2_l3_n10_train.txt", *spec.sample(200, generator(11)), spec)
    write_pathstar_file(data / "d2_l3_n10_test.txt", *spec.sample(40, generator(12)), spec)
    write(data / "island.txt", "lllllll\nl--g--l\nl-----l\nlw---wl\nlsssssl\nlsssssl\nlssassl\nlsssssl\nlsssssl\nlllllll\n")
    write(data / "level.txt", "0000000000000\nsssas0000000G\n1112220033311\n")
    files = star_files(data, deg=4, arm_len=2)
    cycle = [(u, (u + 1) % 8) for u in range(8)]
    write_edges_file(data / "cycle_pretrain.txt", [(100 + u, 100 + v) for u, v in cycle])
    cfg = {
        "ntp_pitfalls": {"seeds": [0, 1], "graphs": [
            {"name": "paper_d2_l3_n10", "deg": 2, "path_len": 3, "num_nodes": 10, "n_test": 32,
             "train_file": str(data / "d2_l3_n10_train.txt"), "test_file": str(data / "d2_l3_n10_test.txt")}]},
        "safe_exploration": {"envs": {"lava_grid": {"map_file": str(data / "island.txt")},
                                      "platformer": {"level_file": "data/level.txt"}}},  # relative to --directory
        "geometric_memory": {"tiny": {"graphs": [{"name": "paper_cycle", "edges_file": str(data / "cycle_pretrain.txt")}]},
                             "star": {"deg": 4, "arm_len": 2} | {k: str(v) for k, v in files.items()}},
    }
    path = tmp_path / "files.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


TARGETS = ["ntp_pitfalls", "safe_exploration", "geometric_memory"]


@pytest.mark.slow
def test_dry_run_plans_file_sources_and_a_missing_file_is_named(tmp_path):
    cfg = overlay(tmp_path)
    out = snakemake(*TARGETS, "-n", "--cores", "1", "--configfile", str(cfg), workdir=tmp_path).stdout
    assert "d2_l3_n10_test.txt" in out and "island.txt" in out and "star_pretrain.txt" in out
    (tmp_path / "data" / "level.txt").unlink()
    failed = snakemake(*TARGETS, "-n", "--cores", "1", "--configfile", str(cfg), workdir=tmp_path, check=False)
    assert failed.returncode != 0 and "level.txt" in failed.stdout + failed.stderr


@pytest.mark.slow
def test_smoke_run_on_file_sources(tmp_path):
    cfg = overlay(tmp_path)
    snakemake(*TARGETS, "--cores", "2", "--configfile", SMOKE, str(cfg), workdir=tmp_path)
    for paper in TARGETS:
        assert (tmp_path / "paper_figures" / paper / "claims.json").stat().st_size > 0
    data_spec = json.loads((tmp_path / "results/ntp_pitfalls/data/paper_d2_l3_n10/spec.json").read_text())
    assert data_spec["test_file"].endswith("d2_l3_n10_test.txt") and data_spec["train_file"].endswith("train.txt")
    metrics = json.loads((tmp_path / "results/ntp_pitfalls/metrics/paper_d2_l3_n10/ntp/seed0.json").read_text())
    assert metrics["n_test"] == 32 and metrics["train_test_overlap"] == 0.0
    grid = json.loads((tmp_path / "results/safe_exploration/lava_grid/ase/seed0.json").read_text())
    assert grid["map_file"].endswith("island.txt")
    plat = json.loads((tmp_path / "results/safe_exploration/platformer/ase/seed0.json").read_text())
    assert plat["level_file"] == "data/level.txt"
    star = json.loads((tmp_path / "results/geometric_memory/star/seed0.json").read_text())
    assert star["edges_file"].endswith("star_pretrain.txt") and star["n_test_leaves"] == 1
    tiny = json.loads((tmp_path / "results/geometric_memory/tiny/seed0.json").read_text())
    assert {r["graph"] for r in tiny["rows"]} == {"paper_cycle"}
