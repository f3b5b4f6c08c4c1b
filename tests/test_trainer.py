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
