"""Seeds side by side (repro.nn.seeds): StackedGPT and fit_seeds give every seed, bit for bit, what it gets
alone (GPT, fit), and a killed batched run resumes to the uninterrupted result."""
import json
from pathlib import Path

import pytest
import torch

from repro.core.seeding import generator, seed_everything
from repro.nn.gpt import GPT, IGNORE, GPTConfig
from repro.nn.seeds import StackedGPT, clip_grad_norm_per_seed_, fit_seeds, stack_models
from repro.nn.trainer import OptimConfig, fit

CPU = torch.device("cpu")
SEEDS = (0, 1, 2)
CFG = OptimConfig(steps=20, lr=3e-3, warmup=5, ckpt_every=10, log_every=5, grad_clip=0.1)  # clipping bites


def toy_gpt(seed, **switches):
    seed_everything(seed)
    return GPT(GPTConfig(vocab_size=8, block_size=6, n_layer=2, n_head=2, d_model=16, **switches))


def batches(seed):
    """Seed-specific data: the copy task, loss on the last 4 positions only."""
    def fn(step):
        x = torch.randint(0, 8, (4, 6), generator=generator(seed, step))
        y = x.roll(1, dims=1)
        y[:, :2] = IGNORE
        return x, y
    return fn


def assert_same_weights(a: torch.nn.Module, b: torch.nn.Module):
    sa, sb = a.state_dict(), b.state_dict()
    assert sa.keys() == sb.keys()
    for name in sa:
        assert torch.equal(sa[name], sb[name]), name


@pytest.mark.parametrize("switches", [{}, {"causal": False, "n_extra_outputs": 1}])
def test_stacked_gpt_gives_each_gpt_its_own_outputs_and_gradients_bitwise(switches):
    models = [toy_gpt(s, **switches) for s in SEEDS]
    stack = StackedGPT(models)
    data = [batches(s)(0) for s in SEEDS]
    x, y = (torch.stack(parts) for parts in zip(*data))

    logits, losses = stack(x, y)
    losses.sum().backward()
    for k, (model, (xk, yk)) in enumerate(zip(models, data)):
        ref_logits, ref_loss = model(xk, yk)
        ref_loss.backward()
        assert torch.equal(logits[k], ref_logits) and torch.equal(losses[k], ref_loss)
        for name, p in model.named_parameters():
            assert torch.equal(stack.get_parameter(name).grad[k], p.grad), name
    full, _ = stack(x)
    for k, model in enumerate(models):
        assert torch.equal(full[k], model(data[k][0])[0])


def test_stacked_gpt_holds_each_seed_as_a_gpt_state_dict():
    models = [toy_gpt(s) for s in SEEDS]
    stack = stack_models(models)
    assert isinstance(stack, StackedGPT)
    assert stack.get_parameter("blocks.0.attn.qkv.weight").shape == (3, 48, 16)
    for model, state in zip(models, stack.state_dicts()):
        assert state.keys() == model.state_dict().keys()
        assert all(torch.equal(state[n], t) for n, t in model.state_dict().items())
    with torch.no_grad():
        for p in stack.parameters():
            p.add_(1.0)
    stack.copy_to(models)
    assert torch.equal(models[2].ln_f.bias, torch.ones(16))


def test_stacked_gpt_needs_one_config():
    with pytest.raises(ValueError, match="one config"):
        StackedGPT([toy_gpt(0), GPT(GPTConfig(vocab_size=8, block_size=6, d_model=32))])


def test_per_seed_clipping_is_clip_grad_norm_of_each_seed():
    models = [toy_gpt(s) for s in SEEDS]
    stack = StackedGPT(models)
    for scale, model in zip((0.01, 1.0, 100.0), models):  # one seed unclipped, two clipped
        for p in model.parameters():
            p.grad = scale * torch.randn(p.shape, generator=generator(7, p.numel()))
    for name, p in stack.named_parameters():
        p.grad = torch.stack([m.get_parameter(name).grad for m in models])
    norms = clip_grad_norm_per_seed_(list(stack.parameters()), 1.0)
    for k, model in enumerate(models):
        ref = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0, foreach=True)
        assert torch.equal(norms[k], ref)
        for name, p in model.named_parameters():
            assert torch.equal(stack.get_parameter(name).grad[k], p.grad), name


def test_fit_seeds_gives_every_seed_what_fit_gives_it_alone():
    alone, states = [], []
    for s in SEEDS:
        alone.append(toy_gpt(s))
        states.append(fit(alone[-1], batches(s), CFG, device=CPU))
    together = [toy_gpt(s) for s in SEEDS]
    seeds_states = fit_seeds(together, [batches(s) for s in SEEDS], CFG, device=CPU)
    for a, b, sa, sb in zip(alone, together, states, seeds_states):
        assert_same_weights(a, b)
        assert sa.history == sb.history and sa.step == sb.step == CFG.steps
    assert len({h["loss"] for h in (s.history[-1] for s in seeds_states)}) == len(SEEDS)  # seeds did differ
    assert not together[0].training


class Crash(Exception):
    pass


def test_fit_seeds_refuses_ema_weights():
    models = [toy_gpt(seed) for seed in SEEDS]
    with pytest.raises(ValueError, match="EMA"):
        fit_seeds(models, [batches(seed) for seed in SEEDS], OptimConfig(steps=2, ema=0.9), device=CPU)


def test_killed_batched_run_resumes_to_the_same_weights(tmp_path):
    ref = [toy_gpt(s) for s in SEEDS]
    ref_states = fit_seeds(ref, [batches(s) for s in SEEDS], CFG, device=CPU)

    ckpt = tmp_path / "seeds.ckpt"

    def crash_at_13(step, _):
        if step == 13:
            raise Crash

    with pytest.raises(Crash):
        fit_seeds([toy_gpt(s) for s in SEEDS], [batches(s) for s in SEEDS], CFG, device=CPU,
                  ckpt_path=ckpt, run_key="k", on_step=crash_at_13)
    assert ckpt.exists()
    resumed = [toy_gpt(s) for s in SEEDS]  # a fresh process: fresh inits, then the checkpoint
    states = fit_seeds(resumed, [batches(s) for s in SEEDS], CFG, device=CPU, ckpt_path=ckpt, run_key="k")
    for a, b, sa, sb in zip(ref, resumed, ref_states, states):
        assert_same_weights(a, b)
        assert sa.history == sb.history


def test_batched_checkpoint_of_another_config_is_ignored(tmp_path):
    ckpt = tmp_path / "seeds.ckpt"
    fit_seeds([toy_gpt(s) for s in SEEDS], [batches(s) for s in SEEDS],
              OptimConfig(steps=10, ckpt_every=10, log_every=5),
              device=CPU, ckpt_path=ckpt, run_key="old")
    states = fit_seeds([toy_gpt(s) for s in SEEDS], [batches(s) for s in SEEDS], CFG, device=CPU,
                       ckpt_path=ckpt, run_key="new")
    assert states[0].history[0]["step"] == 5  # trained from step 0


def test_per_seed_evaluations_survive_a_resume(tmp_path):
    ckpt = tmp_path / "seeds.ckpt"

    def evaluate(step, _):
        return [{"step": step, "seed": s} if step % 4 == 0 and s != 1 else None for s in SEEDS]

    def crash_then_evaluate(step, stack):
        if step == 13:
            raise Crash
        return evaluate(step, stack)

    with pytest.raises(Crash):
        fit_seeds([toy_gpt(s) for s in SEEDS], [batches(s) for s in SEEDS], CFG, device=CPU, ckpt_path=ckpt,
                  run_key="k", on_step=crash_then_evaluate)
    states = fit_seeds([toy_gpt(s) for s in SEEDS], [batches(s) for s in SEEDS], CFG, device=CPU, ckpt_path=ckpt,
                       run_key="k", on_step=evaluate)
    assert [e["step"] for e in states[0].evals] == [4, 8, 12, 16, 20]
    assert states[1].evals == [] and {e["seed"] for e in states[2].evals} == {2}


def test_ntp_pitfalls_trains_seeds_side_by_side_to_the_weights_of_one_job_per_seed(tmp_path):
    from repro.nn.gpt import load_gpt
    from repro.papers.ntp_pitfalls.data import make_data
    from repro.papers.ntp_pitfalls.params import run_params, seeds_run_params
    from repro.papers.ntp_pitfalls.train import train

    graph = {"name": "g", "deg": 2, "path_len": 3, "num_nodes": 10, "n_train": 0, "n_test": 16}
    paper = {"graphs": [graph], "model": {"n_layer": 1, "n_head": 2, "d_model": 16}, "batch_size": 8,
             "optim": {"steps": 12, "lr": 3e-3, "warmup": 2, "ckpt_every": 6, "log_every": 3}}
    data = tmp_path / "data"
    make_data({k: graph[k] for k in ("deg", "path_len", "num_nodes", "n_train", "n_test")} | {"seed": 5},
              {}, {"data": data}, 1)

    def out(tag, s):
        return {"model": tmp_path / tag / f"seed{s}.pt", "log": tmp_path / tag / f"seed{s}.json"}

    for s in (0, 1):
        train(run_params(paper, "g", "ntp", s), {"data": data}, out("alone", s), 1)
    both = [out("together", s) for s in (0, 1)]
    train(seeds_run_params(paper, "g", "ntp", [0, 1]), {"data": data},
          {"model": [o["model"] for o in both], "log": [o["log"] for o in both]}, 1)
    for s in (0, 1):
        assert_same_weights(load_gpt(out("alone", s)["model"]), load_gpt(out("together", s)["model"]))
        alone, together = (json.loads(Path(out(tag, s)["log"]).read_text()) for tag in ("alone", "together"))
        assert alone["history"] == together["history"] and together["seed"] == s
        assert together["seeds_in_job"] == [0, 1] and alone["seeds_in_job"] == [s]
