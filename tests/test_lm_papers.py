"""Key computations of the five language-model papers: pause tokens and the CYB losses, masked
diffusion, pruning, the graph tasks and their geometry metrics, creativity scoring, and the
down-scaling mixture."""
from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import torch

from repro.core.seeding import generator
from repro.data.graphs import directed_edges, laplacian_spectrum, path_star, star_graph, tiny_graph
from repro.nn.diffusion import MaskedDiffusion, mask_answers
from repro.nn.gpt import GPT, IGNORE, GPTConfig
from repro.nn.pause import append_pauses, cyb_loss, insert_random_pauses, interleave_pauses, stopping_distribution
from repro.nn.prune import block_linears, pruned, sparsity_of
from repro.papers.creativity.tasks import Circle, Sibling, hashes, scores
from repro.papers.downscaling.tasks import FAMILIES, Mixture
from repro.papers.geometric_memory.geometry import geometry_metrics
from repro.papers.pause_tokens.tasks import Vocab, examples

PAUSE = 99


def test_random_pauses_keep_the_text_in_order_and_never_score_a_pause():
    x = torch.arange(1, 21).repeat(4, 1)
    inputs, targets = insert_random_pauses(x, 5, PAUSE, generator(0))
    assert inputs.shape == (4, 19) and (inputs == PAUSE).any()
    seq = torch.cat([inputs, targets[:, -1:].clamp(min=0)], 1)
    for row in inputs:
        kept = row[row != PAUSE]
        assert torch.equal(kept, torch.arange(1, len(kept) + 1))  # the text, in order, minus the cut tail
    assert not (targets == PAUSE).any()
    assert ((inputs[:, 1:] == PAUSE) == (targets[:, :-1] == IGNORE)).all()  # loss skipped exactly before pauses
    assert seq.shape == (4, 20)


def test_pause_layouts():
    prompt = torch.tensor([[1, 2, 3]])
    assert append_pauses(prompt, 2, PAUSE).tolist() == [[1, 2, 3, PAUSE, PAUSE]]
    assert interleave_pauses(torch.tensor([[1, 2]]), 2, PAUSE).tolist() == [[1, PAUSE, PAUSE, 2, PAUSE, PAUSE]]


def test_stopping_distribution_sums_to_one_and_forces_the_last_try():
    h = torch.tensor([[0.5, 0.5, 0.9], [0.0, 1.0, 1.0]])
    pi = stopping_distribution(h)
    assert torch.allclose(pi.sum(-1), torch.ones(2))
    assert torch.allclose(pi[0], torch.tensor([0.5, 0.25, 0.25]))
    assert torch.allclose(pi[1], torch.tensor([1.0, 0.0, 0.0]))


@pytest.mark.parametrize("method", ["pause_ce", "anytime", "variational", "budget"])
def test_cyb_losses_are_finite_and_train_the_dont_know_output(method):
    logits = torch.randn(6, 3, 5, requires_grad=True)  # 6 tokens, 3 tries, 4 answers + <don't know>
    loss, pi = cyb_loss(logits, torch.tensor([0, 1, 2, 3, 0, 1]), method, dont_know=4)
    loss.backward()
    assert torch.isfinite(loss) and torch.allclose(pi.sum(-1), torch.ones(6))
    dk_grad = logits.grad[..., 4].abs().sum()
    assert (dk_grad > 0) if method != "pause_ce" else torch.allclose(logits.grad[:, :2], torch.zeros(1))


def test_budget_penalty_favours_answering_early():
    target = torch.tensor([0])
    early = torch.tensor([[[5.0, 0, 0, -5.0], [5.0, 0, 0, -5.0]]])   # answers at the first try
    late = torch.tensor([[[5.0, 0, 0, 5.0], [5.0, 0, 0, -5.0]]])     # says <don't know> first
    loss_early, _ = cyb_loss(early, target, "budget", dont_know=3, budget=0.5)
    loss_late, _ = cyb_loss(late, target, "budget", dont_know=3, budget=0.5)
    assert loss_early < loss_late


def test_masked_diffusion_masks_only_the_answer_and_samples_it():
    x = torch.randint(0, 8, (16, 10))
    noisy, targets, weight = mask_answers(x, 4, 9, generator(0))
    assert torch.equal(noisy[:, :4], x[:, :4]) and (targets[:, :4] == IGNORE).all()
    assert torch.equal(targets[targets != IGNORE], x[targets != IGNORE]) and (noisy[targets != IGNORE] == 9).all()
    model = MaskedDiffusion(GPT(GPTConfig(vocab_size=10, block_size=10, n_layer=1, n_head=1, d_model=8, causal=False)))
    assert torch.isfinite(model(noisy, targets, weight)[1])
    out = model.sample(x[:, :4], 6, 9, generator(1))
    assert out.shape == (16, 6) and not (out == 9).all()
    with pytest.raises(ValueError, match="bidirectional"):
        MaskedDiffusion(GPT(GPTConfig(vocab_size=10, block_size=10)))


@pytest.mark.parametrize("method", ["magnitude", "wanda"])
def test_pruning_hits_the_sparsity_and_spares_embeddings(method):
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=20, block_size=8, n_layer=2, n_head=2, d_model=16))
    calibration = torch.randint(0, 20, (4, 8))
    small = pruned(model, method, 0.5, calibration)
    assert sparsity_of(small) == pytest.approx(0.5, abs=0.01)
    assert sparsity_of(model) == 0  # the original is untouched
    assert torch.equal(small.tok_emb.weight, model.tok_emb.weight) and torch.equal(small.pos_emb.weight, model.pos_emb.weight)
    assert set(block_linears(model)) == {f"blocks.{i}.{n}" for i in range(2) for n in ("attn.qkv", "attn.proj", "fc", "fc_out")}
    if method == "wanda":  # compared per output row: every row loses the same share
        for layer in block_linears(small).values():
            assert ((layer.weight == 0).sum(1) == layer.weight.shape[1] // 2).all()
    assert torch.equal(pruned(model, method, 0.0, calibration).blocks[0].fc.weight, model.blocks[0].fc.weight)


def test_graphs_and_geometry_metrics():
    g = tiny_graph("cycle", 10)
    assert len(directed_edges(g)) == 20
    vals, vecs = laplacian_spectrum(g)
    assert vals[0] == pytest.approx(0, abs=1e-9) and np.allclose(vecs.T @ vecs, np.eye(10))
    emb = vecs[:, 1:3]  # the two lowest non-constant eigenvectors: a perfect circle
    logits = -nx.floyd_warshall_numpy(g, nodelist=range(10))
    np.fill_diagonal(logits, -100)
    m = geometry_metrics(g, emb, logits, 2)
    assert m["low_spectral_energy"] == pytest.approx(1.0) and m["rho_cosine_distance"] < -0.9 and m["edge_recall"] == 1.0
    noise = geometry_metrics(g, np.random.default_rng(0).standard_normal((10, 8)), logits, 2)
    assert noise["low_spectral_energy"] < 0.6
    root, arms = path_star(4, 3, np.random.default_rng(0))
    star = star_graph(root, arms)
    assert star.degree[root] == 4 and star.number_of_nodes() == 13 and nx.is_tree(star)


def test_creativity_scoring():
    sib = Sibling({"parents": 2, "children": 3, "hash_symbols": 4})
    answers = sib.sample_answers(10, np.random.default_rng(0))
    assert all(sib.is_valid(tuple(a)) for a in answers.tolist())
    b1, b2, a = answers[0].tolist()
    assert not sib.is_valid((b2, b1, a)) and not sib.is_valid((b1, b2, 1 - a))
    circle = Circle({"nodes": 6, "cycle_len": 4, "hash_symbols": 4})
    good = circle.sample_answers(5, np.random.default_rng(0))
    assert all(circle.is_valid(tuple(a)) for a in good.tolist())
    assert not circle.is_valid((0, 1, 1, 2, 2, 3, 3, 1))   # a triangle plus a tail
    assert not circle.is_valid((0, 1, 1, 0, 2, 3, 3, 2))   # two 2-cycles
    assert circle.canonical((5, 2, 2, 4, 4, 1, 1, 5)) == circle.canonical((0, 1, 1, 2, 2, 3, 3, 0))
    train = {circle.canonical((0, 1, 1, 2, 2, 3, 3, 0))}
    s = scores(circle, [(5, 2, 2, 4, 4, 1, 1, 5), (0, 1, 1, 2, 2, 3, 0, 3), (0, 1, 1, 2, 2, 3, 0, 3), (0, 0, 0, 0, 0, 0, 0, 0)], train)
    assert s == {"creativity": 0.25, "validity": 0.75, "memorisation": 0.25, "n_prompts": 4}
    h = hashes(15, 2, sib.vocab, np.random.default_rng(0), exclude={(sib.vocab.hash0, sib.vocab.hash0)})
    assert len(set(map(tuple, h.tolist()))) == 15 and (sib.vocab.hash0, sib.vocab.hash0) not in set(map(tuple, h.tolist()))
    with pytest.raises(ValueError, match="hashes asked"):
        hashes(16, 2, sib.vocab, np.random.default_rng(0), exclude={(sib.vocab.hash0, sib.vocab.hash0)})


def test_pause_task_answers():
    v = Vocab(6)
    x = examples("late_count", 50, v, 2, generator(0))
    digits, query, answer = x[:, :6], x[:, 7], x[:, 8]
    assert (x[:, 6] == v.sep).all() and torch.equal(answer, (digits == query[:, None]).sum(1) % 10)
    x = examples("window_sum", 50, v, 2, generator(0))
    q = x[:, 7] - v.pos0
    assert torch.equal(x[:, 8], (x[:, :6].gather(1, q[:, None]).squeeze(1) + x[:, :6].gather(1, q[:, None] + 1).squeeze(1)) % 10)


def test_downscaling_mixture_scores_answers_only():
    mx = Mixture({"subjects": 50, "relations": 2, "objects": 8, "keys": 10, "modulus": 5, "pairs": 3, "queries": 2,
                  "fact_seed": 0, "mix": [1, 1, 1]})
    inputs, targets = mx.batch(30, generator(0))
    assert inputs.shape == targets.shape == (30, mx.seq_len - 1)
    for family, (x, y) in mx.test_sets(20, 0).items():
        assert family in FAMILIES and (y != IGNORE).any(1).all()
    x, y = mx.fact(5, generator(1))
    s, r, o = x[:, 1], x[:, 2] - mx.rel0, y[:, 2] - mx.obj0
    assert torch.equal(o, mx.facts[s, r])
    x, y = mx.icl(5, generator(2))
    xs, ys = x[:, 1::2] - mx.num0, x[:, 2::2] - mx.num0
    c = (ys[:, 0] - xs[:, 0]) % mx.P
    assert torch.equal((xs[:, :4] + c[:, None]) % mx.P, ys[:, :4])
