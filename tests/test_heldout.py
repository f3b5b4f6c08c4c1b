"""Held-out means held out: every generated test set is disjoint from what the model trains on (or
the overlap is measured), under each generator's own notion of "the same instance"."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from repro.core.seeding import generator
from repro.data.heldout import distinct_excluding, draw_excluding, overlap, row_keys
from repro.data.pathstar import PathStar

STEPS = 300  # fresh-draw training streams are checked over this many steps


def same_batches(fn_a, fn_b, steps=range(0, STEPS, 37)) -> bool:
    return all(all(torch.equal(a, b) for a, b in zip(fn_a(s), fn_b(s))) for s in steps)


# ---- the helpers ------------------------------------------------------------------------------------

def _ints(n, gen):
    return (torch.randint(0, 5, (n, 2), generator=gen),)


def test_draw_excluding_redraws_hits_deterministically_and_changes_nothing_else():
    key = lambda b: row_keys(b[0])  # noqa: E731
    plain = _ints(64, generator(0, 3))[0]
    assert torch.equal(draw_excluding(_ints, key, 64, generator(0, 3), set())[0], plain)
    exclude = set(row_keys(torch.tensor([[0, 0], [1, 2], [4, 4]])))
    out = draw_excluding(_ints, key, 64, generator(0, 3), exclude)[0]
    assert not set(row_keys(out)) & exclude
    kept = [i for i, k in enumerate(row_keys(plain)) if k not in exclude]
    assert torch.equal(out[kept], plain[kept])  # only the hits were redrawn
    assert torch.equal(out, draw_excluding(_ints, key, 64, generator(0, 3), exclude)[0])
    with pytest.raises(RuntimeError, match="excluded"):
        draw_excluding(_ints, key, 4, generator(0), set(row_keys(torch.cartesian_prod(torch.arange(5), torch.arange(5)))),
                       max_rounds=20)


def test_distinct_excluding_dedupes_and_overlap_counts_test_rows():
    key = lambda b: row_keys(b[0])  # noqa: E731
    out = distinct_excluding(_ints, key, 20, generator(1))[0]
    assert len(set(row_keys(out))) == 20
    with pytest.raises(RuntimeError, match="distinct"):
        distinct_excluding(_ints, key, 26, generator(1), max_rounds=50)  # only 25 instances exist
    assert overlap([b"a", b"a", b"b", b"c"], [b"a", b"z"]) == 0.5 and overlap([], [b"a"]) == 0.0


# ---- path-star (ntp_pitfalls) ----------------------------------------------------------------------

SMALL = {"deg": 2, "path_len": 3, "num_nodes": 6}  # 6·5·4·3·2 = 720 labelled graphs


def test_pathstar_key_is_source_goal_and_edge_set():
    spec = PathStar(**SMALL)
    prefix, _ = spec.sample(8, generator(0))
    n, E = len(prefix), spec.n_edges
    body = prefix[:, : 3 * E - 1]
    triples = torch.cat([body, torch.full((n, 1), spec.sep)], 1).view(n, E, 3)
    shuffled = triples[:, torch.randperm(E, generator=generator(1))].reshape(n, -1)[:, :-1]
    reordered = torch.cat([shuffled, prefix[:, 3 * E - 1:]], 1)
    assert not torch.equal(reordered, prefix) and spec.keys(reordered) == spec.keys(prefix)
    other_goal = prefix.clone()
    other_goal[:, -2] = prefix[:, -3]  # the source as goal: a different instance
    assert all(a != b for a, b in zip(spec.keys(other_goal), spec.keys(prefix)))
    # the key space is exactly the labelled graphs: 720 distinct keys over many draws
    assert len(set(spec.keys(spec.sample(20000, generator(2))[0]))) == 720


def _ntp_data(tmp_path, n_train: int):
    from repro.papers.ntp_pitfalls.data import load_split, make_data

    params = SMALL | {"n_train": n_train, "n_test": 100, "seed": 7}
    make_data(params, {}, {"data": str(tmp_path / "data")}, 1)
    test = load_split(tmp_path / "data", "test")
    return PathStar(**SMALL), test, (load_split(tmp_path / "data", "train") if n_train else None)


def test_ntp_pitfalls_fresh_training_draws_never_equal_a_test_graph(tmp_path):
    from repro.papers.ntp_pitfalls.data import batch_fn

    spec, (test_prefix, _), _ = _ntp_data(tmp_path, 0)
    test_keys = set(spec.keys(test_prefix))
    assert len(test_keys) == len(test_prefix) == 100  # the test set is deduplicated
    fn = batch_fn(spec, "ntp", 16, 0, None, exclude=test_keys)
    seen = set()
    for step in range(STEPS):
        inputs, _ = fn(step)
        prefix = inputs[:, : spec.prefix_len]
        seen.update(spec.keys(prefix))
    assert not seen & test_keys
    assert len(seen) > 500  # the stream still covers the rest of the 720 graphs
    plain = batch_fn(spec, "ntp", 16, 0, None)
    collided = sum(bool(set(spec.keys(plain(s)[0][:, : spec.prefix_len])) & test_keys) for s in range(STEPS))
    assert collided > 0  # without exclusion, this stream would have trained on test graphs
    # bitwise repeatable, for every arm
    for arm in ("ntp", "teacherless", "reverse"):
        assert same_batches(batch_fn(spec, arm, 16, 0, None, exclude=test_keys),
                            batch_fn(spec, arm, 16, 0, None, exclude=set(test_keys)))


def test_ntp_pitfalls_fixed_train_split_excludes_the_test_graphs(tmp_path):
    from repro.papers.ntp_pitfalls.data import batch_fn

    spec, (test_prefix, _), (train_prefix, train_path) = _ntp_data(tmp_path, 2000)
    test_keys = set(spec.keys(test_prefix))
    assert len(train_prefix) == 2000 and overlap(spec.keys(test_prefix), spec.keys(train_prefix)) == 0.0
    fn = batch_fn(spec, "ntp", 16, 0, (train_prefix, train_path))
    assert not any(set(spec.keys(fn(s)[0][:, : spec.prefix_len])) & test_keys for s in range(50))
    assert same_batches(fn, batch_fn(spec, "ntp", 16, 0, (train_prefix, train_path)))


def test_ntp_pitfalls_exclusion_changes_only_the_batches_that_hit_a_test_graph(tmp_path):
    from repro.papers.ntp_pitfalls.data import batch_fn

    spec, (test_prefix, _), _ = _ntp_data(tmp_path, 0)
    test_keys = set(spec.keys(test_prefix))
    plain, excl = batch_fn(spec, "ntp", 16, 0, None), batch_fn(spec, "ntp", 16, 0, None, exclude=test_keys)
    for step in range(100):
        a, b = plain(step)[0], excl(step)[0]
        hit = [k in test_keys for k in spec.keys(a[:, : spec.prefix_len])]
        same_row = (a == b).all(1).tolist()
        assert [not h for h in hit] == same_row  # exactly the test graphs were redrawn


# ---- creativity ------------------------------------------------------------------------------------

@pytest.mark.parametrize("arm", ["ntp", "diffusion", "ntp_nohash"])
def test_creativity_test_prompts_are_not_training_prompts(arm):
    from repro.papers.creativity.tasks import Sibling
    from repro.papers.creativity.train import data

    p = {"parents": 2, "children": 4, "hash_symbols": 3, "hash_len": 3, "n_train": 20, "n_test": 7}
    task = Sibling(p)
    answers, train_hashes, test_hashes = data(task, p, arm, 0)
    measured = overlap(row_keys(test_hashes), row_keys(train_hashes))
    assert measured == (1.0 if arm == "ntp_nohash" else 0.0)  # constant prompt by design in the no-hash arm
    again = data(task, p, arm, 0)
    assert all(np.array_equal(a, b) for a, b in zip((answers, train_hashes, test_hashes), again))


# ---- downscaling -------------------------------------------------------------------------------------

TINY_MIX = {"subjects": 6, "relations": 2, "objects": 2, "keys": 4, "modulus": 3, "pairs": 2, "queries": 1,
            "fact_seed": 0, "mix": [1, 1, 1]}  # 96 retrieval and 54 ICL instances


def test_downscaling_keys_ignore_listing_order_only():
    from repro.papers.downscaling.tasks import Mixture

    m = Mixture(TINY_MIX)
    x = m.retrieval_x(50, generator(0))
    swapped = x.clone()
    swapped[:, 1:3], swapped[:, 3:5] = x[:, 3:5], x[:, 1:3]  # the two context pairs listed the other way
    assert m.keys("retrieval", swapped) == m.keys("retrieval", x)
    assert m.keys("retrieval", x[:, :-1]) == m.keys("retrieval", x)  # inputs alone identify the instance
    x = m.icl_x(50, generator(1))
    swapped = x.clone()
    swapped[:, 1:3], swapped[:, 3:5] = x[:, 3:5], x[:, 1:3]  # the two exemplars swapped
    assert m.keys("icl", swapped) == m.keys("icl", x)
    query = x.clone()
    query[:, 5:7] = x[:, 1:3]  # a different query: a different instance (where it differs)
    differs = (x[:, 5] != x[:, 1]).tolist()
    assert [a != b for a, b in zip(m.keys("icl", query), m.keys("icl", x))] == differs


@pytest.mark.parametrize("spec", [TINY_MIX, TINY_MIX | {"subject_tokens": 2, "alphabet": 3, "icl": "threshold"}],
                         ids=["one-token names, shift", "two-token names, threshold"])
def test_downscaling_training_never_shows_an_in_context_test_sequence(spec):
    from repro.papers.downscaling.tasks import FAMILIES, HELD_OUT, Mixture

    m = Mixture(spec)
    tests = m.test_sets(20, seed=0)
    exclude = m.test_keys(tests)
    assert all(len(exclude[f]) > 10 for f in HELD_OUT)
    size = dict(zip(FAMILIES, m.sizes(12)))
    for step in range(STEPS):
        inputs, _ = m.batch(12, generator(0, step), exclude)
        rows = dict(zip(FAMILIES, inputs.split([size[f] for f in FAMILIES])))
        for f in HELD_OUT:
            assert not set(m.keys(f, rows[f])) & exclude[f]
    measured = m.overlaps(tests, 0, STEPS, 12)
    assert measured["retrieval"] == measured["icl"] == 0.0
    assert measured["fact"] == 1.0  # facts are memorised by design: every test fact was trained on
    # without exclusion, the same stream would have trained on in-context test sequences
    assert any(set(m.keys("icl", m.draw("icl", size["icl"], generator(0, s))[0])) & exclude["icl"]
               for s in range(STEPS))
    assert same_batches(lambda s: m.batch(12, generator(0, s), exclude),
                        lambda s: Mixture(spec).batch(12, generator(0, s), m.test_keys(m.test_sets(20, 0))))


# ---- pause_tokens and catch_your_breath --------------------------------------------------------------

TINY_PT = {"n_digits": 2, "window": 1, "per_sequence": 3, "tasks": ["late_op", "late_count"], "batch_size": 8,
           "n_test": 60, "seed": 0}  # 400 late_op and 1000 late_count prompts


def test_pause_task_key_is_the_prompt_in_order():
    from repro.papers.pause_tokens.tasks import Vocab, example_keys, examples

    x = examples("late_op", 30, Vocab(2), 1, generator(0))
    flipped = torch.cat([x[:, 1:2], x[:, :1], x[:, 2:]], 1)  # digits read in another order: another prompt
    differs = (x[:, 0] != x[:, 1]).tolist()
    assert [a != b for a, b in zip(example_keys(flipped), example_keys(x))] == differs
    other_answer = x.clone()
    other_answer[:, -1] += 1
    assert example_keys(other_answer) == example_keys(x)  # the answer is not part of the instance


def test_pause_tokens_pretraining_and_finetuning_exclude_the_test_examples():
    from repro.papers.pause_tokens.tasks import Vocab, corpus, corpus_examples, example_keys, test_examples
    from repro.papers.pause_tokens.train import SyntheticTask

    p, v = TINY_PT, Vocab(TINY_PT["n_digits"])
    exclude = {k for t in p["tasks"] for k in example_keys(test_examples(t, p["n_test"], v, p["window"], p["seed"]))}
    pretrain = lambda s: (corpus(p["batch_size"], p["per_sequence"], p["tasks"], v, p["window"],  # noqa: E731
                                 generator(p["seed"], s), exclude),)
    assert not any(set(example_keys(corpus_examples(pretrain(s)[0], v))) & exclude for s in range(STEPS))
    assert any(set(example_keys(corpus_examples(corpus(p["batch_size"], p["per_sequence"], p["tasks"], v, p["window"],
                                                       generator(p["seed"], s)), v))) & exclude for s in range(STEPS))
    assert same_batches(pretrain, pretrain)
    for name in p["tasks"]:
        task = SyntheticTask(p | {"task": name})
        assert task.test_keys == set(example_keys(test_examples(name, p["n_test"], v, p["window"], p["seed"])))
        for step in range(STEPS):
            inputs, _ = task.batch(step, 0)
            assert not set(example_keys(torch.cat([inputs, inputs[:, :1]], 1))) & task.test_keys
        assert same_batches(lambda s: task.batch(s, 2), lambda s: SyntheticTask(p | {"task": name}).batch(s, 2))


def test_catch_your_breath_training_excludes_the_test_examples():
    from repro.papers.catch_your_breath.train import Data
    from repro.papers.pause_tokens.tasks import corpus_examples, example_keys

    data = Data(TINY_PT | {"corpus": "synthetic"}, {})
    assert data.exclude == set(example_keys(corpus_examples(data.test, data.v)))
    for step in range(STEPS):
        x = data.sample(8, generator(0, step))
        assert not set(example_keys(corpus_examples(x, data.v))) & data.exclude
    other = Data(TINY_PT | {"corpus": "synthetic"}, {})
    assert same_batches(lambda s: (data.sample(8, generator(0, s)),), lambda s: (other.sample(8, generator(0, s)),))


# ---- geometric_memory --------------------------------------------------------------------------------

def test_geometric_memory_held_out_leaves_are_never_path_queries_in_training():
    from repro.papers.geometric_memory.star import StarTask, batch_fn, held_out_overlap

    task = StarTask(deg=8, arm_len=3, seed=0, train_share=0.75)
    test_keys = set(task.query_keys(task.path_examples(task.test_arms)[0]))
    assert len(test_keys) == 2 and held_out_overlap(task) == 0.0
    fn = batch_fn(task, 64, 0.5, 0)
    assert not any(set(task.query_keys(fn(s)[0])) & test_keys for s in range(STEPS))
    assert same_batches(fn, batch_fn(task, 64, 0.5, 0))


# ---- rl_decision_trees: measured, not excluded -------------------------------------------------------

def test_stagger_overlap_is_measured():
    from repro.papers.rl_decision_trees.streams import stagger_drift

    _, X, _, X_test, _, _ = stagger_drift({"n": 300, "drift_at": 150, "width": 10, "concepts": [0, 2], "n_test": 50}, 0)
    assert overlap(row_keys(X_test), row_keys(X)) == 1.0  # 27 possible examples: all of them seen
