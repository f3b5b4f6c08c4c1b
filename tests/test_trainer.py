from pathlib import Path

import pytest
import torch

from repro.core.seeding import generator, seed_everything
from repro.nn.gpt import GPT, GPTConfig
from repro.nn.trainer import OptimConfig, fit

CFG = OptimConfig(steps=20, lr=3e-3, warmup=5, ckpt_every=10, log_every=5)


def toy_model():
    seed_everything(0)
    return GPT(GPTConfig(vocab_size=8, block_size=6, n_layer=1, n_head=2, d_model=16))


def batches(step):
    x = torch.randint(0, 8, (4, 6), generator=generator(0, step))
    return x, x.roll(1, dims=1)  # learn to copy the previous token


class Crash(Exception):
    pass


def test_killed_run_resumes_to_the_same_weights(tmp_path):
    ref = toy_model()
    ref_state = fit(ref, batches, CFG, device=torch.device("cpu"))

    ckpt = tmp_path / "ckpt.pt"
    model = toy_model()

    def crash_at_13(step, _):
        if step == 13:
            raise Crash

    with pytest.raises(Crash):
        fit(model, batches, CFG, device=torch.device("cpu"), ckpt_path=ckpt, run_key="k", on_step=crash_at_13)
    assert ckpt.exists()
    resumed = toy_model()  # a fresh process would start from a fresh init, then load the checkpoint
    state = fit(resumed, batches, CFG, device=torch.device("cpu"), ckpt_path=ckpt, run_key="k")
    assert state.history == ref_state.history
    for a, b in zip(ref.state_dict().values(), resumed.state_dict().values()):
        assert torch.equal(a, b)


def test_checkpoint_of_another_config_is_ignored(tmp_path):
    ckpt = tmp_path / "ckpt.pt"
    fit(toy_model(), batches, OptimConfig(steps=11, ckpt_every=10, log_every=5), device=torch.device("cpu"),
        ckpt_path=ckpt, run_key="old")
    state = fit(toy_model(), batches, CFG, device=torch.device("cpu"), ckpt_path=ckpt, run_key="new")
    assert state.history[0]["step"] == 5  # trained from step 0


def test_training_reduces_the_loss():
    state = fit(toy_model(), batches, OptimConfig(steps=200, lr=1e-2, warmup=10, log_every=50, ckpt_every=0),
                device=torch.device("cpu"))
    assert state.history[-1]["loss"] < 0.5 * state.history[0]["loss"]


def test_learning_rate_schedule():
    c = OptimConfig(steps=100, lr=1.0, warmup=10, min_lr_ratio=0.1)
    assert c.lr_at(0) == pytest.approx(0.1) and c.lr_at(9) == pytest.approx(1.0)
    assert c.lr_at(10) == pytest.approx(1.0) and c.lr_at(100) == pytest.approx(0.1)
    assert 0.1 < c.lr_at(55) < 1.0


def test_checkpoint_interval_must_align_with_logging():
    with pytest.raises(ValueError, match="multiple of log_every"):
        OptimConfig(steps=10, ckpt_every=7, log_every=5)


def test_checkpoints_live_under_ckpt_and_go_once_the_job_succeeded(tmp_path, monkeypatch):
    from repro.core.stages import remove_checkpoints
    from repro.nn.trainer import resumable
    monkeypatch.chdir(tmp_path)
    out = Path("results/paper/models/seed0.pt")
    a, b = resumable(out, {"lr": 1}, part="a"), resumable(out, {"lr": 1}, part="b")
    assert a["ckpt_path"] == Path("results/paper/ckpt/models/seed0.pt.a.ckpt")
    assert a["run_key"] != b["run_key"] != resumable(out, {"lr": 2}, part="b")["run_key"]
    other = resumable(Path("results/paper/models/seed1.pt"), {"lr": 1})["ckpt_path"]
    for ckpt in (a["ckpt_path"], b["ckpt_path"], other):
        ckpt.parent.mkdir(parents=True, exist_ok=True)
        ckpt.write_bytes(b"x")
    remove_checkpoints({"model": out})
    assert not a["ckpt_path"].exists() and not b["ckpt_path"].exists() and other.exists()


def test_evaluations_returned_by_on_step_survive_a_resume(tmp_path):
    ckpt = tmp_path / "ckpt.pt"

    def evaluate(step, _):
        if step == 13:
            raise Crash
        return {"step": step} if step % 4 == 0 else None

    with pytest.raises(Crash):
        fit(toy_model(), batches, CFG, device=torch.device("cpu"), ckpt_path=ckpt, run_key="k", on_step=evaluate)
    state = fit(toy_model(), batches, CFG, device=torch.device("cpu"), ckpt_path=ckpt, run_key="k",
                on_step=lambda step, _: {"step": step} if step % 4 == 0 else None)
    assert [e["step"] for e in state.evals] == [4, 8, 12, 16, 20]


def test_ema_weights_are_the_running_average_and_resume_exactly(tmp_path):
    """OptimConfig.ema: the model ends with the warmed-up EMA of its iterates (checked against an average kept
    by hand over the iterates of the same run without EMA, which trains identically), and a killed EMA run
    resumes to the same averaged weights."""
    cfg = OptimConfig(steps=20, lr=3e-3, warmup=5, ckpt_every=10, log_every=5, ema=0.9)
    hand = {k: v.detach().clone() for k, v in toy_model().named_parameters()}

    def average(step, model):  # step = number of updates so far
        decay = min(0.9, (1 + step) / (10 + step))
        for k, v in model.named_parameters():
            hand[k].mul_(decay).add_(v.detach(), alpha=1 - decay)

    ema_model, last = toy_model(), toy_model()
    fit(ema_model, batches, cfg, device=torch.device("cpu"))
    fit(last, batches, OptimConfig(steps=20, lr=3e-3, warmup=5, ckpt_every=10, log_every=5), device=torch.device("cpu"),
        on_step=average)
    for k, v in ema_model.named_parameters():
        torch.testing.assert_close(v, hand[k], rtol=1e-5, atol=1e-6)
    assert not torch.equal(ema_model.blocks[0].fc.weight, last.blocks[0].fc.weight)  # not the last iterate

    ckpt = tmp_path / "ckpt.pt"

    def crashing_batches(step):
        if step == 13:
            raise Crash
        return batches(step)

    with pytest.raises(Crash):
        fit(toy_model(), crashing_batches, cfg, device=torch.device("cpu"), ckpt_path=ckpt, run_key="k")
    resumed = toy_model()
    fit(resumed, batches, cfg, device=torch.device("cpu"), ckpt_path=ckpt, run_key="k")
    for a, b in zip(ema_model.state_dict().values(), resumed.state_dict().values()):
        assert torch.equal(a, b)


def test_ema_decay_outside_0_1_is_refused():
    with pytest.raises(ValueError, match="ema"):
        OptimConfig(steps=10, ema=1.0)
    with pytest.raises(ValueError, match="on_step"):  # periodic evaluations would score the current iterate
        fit(toy_model(), batches, OptimConfig(steps=2, ema=0.9), device=torch.device("cpu"), on_step=lambda s, m: None)
