import torch

from repro.core.seeding import generator
from repro.data.pathstar import PathStar, is_valid_path, parse_edges


def test_every_graph_has_one_path_from_source_to_goal():
    spec = PathStar(deg=3, path_len=5, num_nodes=30)
    prefix, path = spec.sample(200, generator(0))
    assert prefix.shape == (200, spec.prefix_len) and path.shape == (200, spec.path_len)
    for p, q in zip(prefix.tolist(), path.tolist()):
        edges = parse_edges(p, spec)
        assert len(edges) == spec.n_edges == 3 * 4
        nodes = {u for e in edges for u in e}
        assert len(nodes) == spec.n_graph_nodes  # distinct labels
        source, goal = p[-3], p[-2]
        children = {}
        for u, v in edges:
            children.setdefault(u, []).append(v)
        assert len(children[source]) == spec.deg  # the star's centre has deg arms
        assert all(len(c) == 1 for u, c in children.items() if u != source)  # arms are chains
        # every arm has path_len - 1 nodes after the source, and exactly one ends at the goal
        ends = []
        for first in children[source]:
            arm = [first]
            while arm[-1] in children:
                arm.append(children[arm[-1]][0])
            assert len(arm) == spec.path_len - 1
            ends.append(arm[-1])
        assert ends.count(goal) == 1
        assert is_valid_path(q, p, spec)


def test_invalid_paths_are_rejected():
    spec = PathStar(2, 4, 20)
    prefix, path = spec.sample(1, generator(1))
    p, q = prefix[0].tolist(), path[0].tolist()
    assert not is_valid_path(q[::-1], p, spec)
    assert not is_valid_path(q[:1] + q[2:] + q[-1:], p, spec)


def test_prompt_format_and_tokenizer_round_trip():
    spec = PathStar(2, 5, 50)
    assert spec.prefix_len == 27 and spec.vocab_size == 54  # as in the paper's G(2,5,50)
    prefix, path = spec.sample(4, generator(2))
    for p in prefix.tolist():
        text = spec.decode(p)
        assert text.count("|") == spec.n_edges - 1 and text.endswith("=") and "/" in text
        assert spec.encode(text) == p


def test_generation_is_seeded():
    spec = PathStar(2, 4, 20)
    a, b, c = spec.sample(8, generator(5)), spec.sample(8, generator(5)), spec.sample(8, generator(6))
    assert torch.equal(a[0], b[0]) and not torch.equal(a[0], c[0])
