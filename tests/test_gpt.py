import pytest
import torch

from repro.core.seeding import generator
from repro.data.pathstar import PathStar
from repro.nn.gpt import GPT, IGNORE, GPTConfig
from repro.papers.ntp_pitfalls.data import make_batch

SPEC = PathStar(2, 4, 20)


def batch(arm):
    prefix, path = SPEC.sample(8, generator(0))
    return prefix, path, *make_batch(prefix, path, arm, SPEC)


def test_next_token_batch_scores_only_the_target():
    prefix, path, inputs, targets = batch("ntp")
    scored = targets != IGNORE
    assert scored.sum(1).tolist() == [SPEC.path_len] * 8
    assert torch.equal(targets[scored].view(8, -1), path)
    assert torch.equal(inputs[:, : SPEC.prefix_len], prefix)
    assert torch.equal(inputs[:, SPEC.prefix_len:], path[:, :-1])  # teacher forcing


def test_teacherless_replaces_every_target_input_by_the_dummy():
    prefix, path, inputs, targets = batch("teacherless")
    _, _, ntp_inputs, ntp_targets = batch("ntp")
    assert torch.equal(targets, ntp_targets)
    assert torch.equal(inputs[:, : SPEC.prefix_len], prefix)
    assert (inputs[:, SPEC.prefix_len:] == SPEC.dummy).all()
    assert not (inputs[:, : SPEC.prefix_len] == SPEC.dummy).any()


def test_reverse_target_runs_goal_to_source():
    prefix, path, inputs, targets = batch("reverse")
    assert torch.equal(targets[targets != IGNORE].view(8, -1), path.flip(1))


def test_logits_only_at_scored_positions_match_full_logits():
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=SPEC.vocab_size, block_size=SPEC.seq_len, n_layer=2, n_head=2, d_model=32))
    _, _, inputs, targets = batch("ntp")
    scored_logits, loss = model(inputs, targets)
    full, _ = model(inputs)
    assert scored_logits.shape == (8 * SPEC.path_len, SPEC.vocab_size)
    assert torch.allclose(scored_logits, full[targets != IGNORE], atol=1e-5)
    assert torch.isclose(loss, torch.nn.functional.cross_entropy(full[targets != IGNORE], targets[targets != IGNORE]))


@pytest.mark.parametrize("causal", [True, False])
def test_causal_switch(causal):
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=10, block_size=8, n_layer=1, n_head=2, d_model=16, causal=causal))
    x = torch.randint(0, 10, (1, 8))
    y = x.clone()
    y[0, -1] = (x[0, -1] + 1) % 10
    same_prefix = torch.allclose(model(x)[0][0, :-1], model(y)[0][0, :-1])
    assert same_prefix == causal


def test_greedy_generation_matches_stepwise_argmax():
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=12, block_size=10, n_layer=1, n_head=1, d_model=16)).eval()
    prompt = torch.randint(0, 12, (3, 5))
    out = model.generate(prompt, 4)
    seq = prompt
    for _ in range(4):
        seq = torch.cat([seq, model(seq)[0][:, -1].argmax(-1, keepdim=True)], 1)
    assert torch.equal(out, seq[:, 5:])


def test_extra_output_class_is_never_an_input():
    model = GPT(GPTConfig(vocab_size=10, block_size=4, n_layer=1, n_head=1, d_model=8, n_extra_outputs=1))
    logits, _ = model(torch.zeros(1, 4, dtype=torch.long))
    assert logits.shape[-1] == 11


def prefix_logits_change(model: GPT, x: torch.Tensor, autocast) -> float:
    """The largest change of the logits at positions ≤ t when every token after t is redrawn, over all t
    (0 for a causal model: position t must not see the future)."""
    g = torch.Generator().manual_seed(1)
    worst = 0.0
    with torch.no_grad(), autocast:
        full = model(x)[0].float()
        for t in range(x.shape[1] - 1):
            y = x.clone()
            y[:, t + 1:] = torch.randint(0, model.cfg.vocab_size, y[:, t + 1:].shape, generator=g).to(x.device)
            worst = max(worst, (model(y)[0].float()[:, :t + 1] - full[:, :t + 1]).abs().max().item())
    return worst


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_logits_never_see_later_tokens(precision):
    """Causality of the shared GPT, in fp32 and under bf16 autocast (what CUDA jobs train with; the CPU's bf16
    autocast runs the same masked attention): logits at t are bitwise unchanged when later tokens change.
    tests/test_cuda.py repeats this on a GPU at full-scale width."""
    import contextlib
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=50, block_size=24, n_layer=3, n_head=4, d_model=64)).eval()
    x = torch.randint(0, 50, (4, 24), generator=torch.Generator().manual_seed(0))
    cast = torch.autocast("cpu", dtype=torch.bfloat16) if precision == "bf16" else contextlib.nullcontext()
    assert prefix_logits_change(model, x, cast) == 0.0
