"""kd_deviations' image recipe: online distillation targets in fit_ensemble (computed on the batch as
augmented), and the stage's teacher / student / control outputs."""
import json

import torch

from repro.nn.ensemble import INIT, ORDER, CNNEnsemble, EnsembleOptim, fit_ensemble, member_generators


def _setup(K=2, N=40, m=16):
    g = torch.Generator().manual_seed(0)
    X = torch.rand(N, 1, 8, 8, generator=g)
    Y = torch.randint(0, 3, (K, N), generator=g)
    idx = torch.stack([torch.randperm(N, generator=g)[:m] for _ in range(K)])
    members = [{"seed": s} for s in range(K)]
    return X, Y, idx, members


def _model(members):
    return CNNEnsemble(len(members), 2, 8, 3, generators=member_generators(members, INIT, 0))


def test_targets_hook_reproduces_labels_bitwise_and_sees_the_augmented_batch():
    X, Y, idx, members = _setup()
    opt = EnsembleOptim(lr=0.05, batch_size=8, max_epochs=2, augment_shift=1, weight_decay=5e-4)
    plain = _model(members)
    fit_ensemble(plain, X, Y, idx, opt, member_generators(members, ORDER, 0))

    hooked, seen_by_targets, seen_by_model = _model(members), [], []
    forward = hooked.forward
    hooked.forward = lambda x, hidden=None: (seen_by_model.append(x), forward(x, hidden))[1]
    rows = torch.arange(len(members)).unsqueeze(1)

    def targets(xb, bi):
        seen_by_targets.append((xb, bi))
        return Y[rows, bi]

    fit_ensemble(hooked, X, Y, idx, opt, member_generators(members, ORDER, 0), targets=targets)
    # the same labels through the hook: the same training, bit for bit
    assert all(torch.equal(a, b) for a, b in zip(plain.parameters(), hooked.parameters()))
    # the hook got exactly the inputs the model trained on (augmented: not the raw images of the batch)
    train_inputs = [x for x in seen_by_model if x.shape[1] == 8]  # batches (the stopping check sees all 16)
    assert len(seen_by_targets) == 2 * 2  # 2 epochs × 2 batches of 8
    for (xb, bi), x_model in zip(seen_by_targets, train_inputs):
        assert xb is x_model
    assert any(not torch.equal(xb, X[bi]) for xb, bi in seen_by_targets)


def test_soft_targets_from_the_hook_change_training():
    X, Y, idx, members = _setup()
    opt = EnsembleOptim(lr=0.05, batch_size=8, max_epochs=2)
    a, b = _model(members), _model(members)
    fit_ensemble(a, X, Y, idx, opt, member_generators(members, ORDER, 0))
    fit_ensemble(b, X, Y, idx, opt, member_generators(members, ORDER, 0),
                 targets=lambda xb, bi: torch.full((*bi.shape, 3), 1 / 3))  # uniform targets
    assert not all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


def test_kd_stage_writes_student_and_control_slopes_deterministically(tmp_path):
    from repro.papers.kd_deviations.images import train_images

    p = {"source": {"name": "digits"}, "n_test": 60, "split_seed": 0, "m": 50, "label_noise": 0.0, "channels": 2,
         "optim": {"lr": 0.05, "momentum": 0.9, "batch_size": 25, "max_epochs": 2, "weight_decay": 5e-4,
                   "augment_shift": 1},
         "bootstrap": 10, "plot_points": 5, "seeds": [0, 1]}
    outs = [tmp_path / "a.json", tmp_path / "b.json"]
    for out in outs:
        train_images(p, {}, {"metrics": out}, 1)
    a, b = (json.loads(o.read_text()) for o in outs)
    assert a == b  # every draw derives from the seeds
    assert {(r["seed"], r["split"]) for r in a["rows"]} == {(s, sp) for s in (0, 1) for sp in ("train", "test")}
    for r in a["rows"]:
        assert {"slope", "control_slope", "control_accuracy", "teacher_mean_phi"} <= set(r)
        assert r["slope"] != r["control_slope"]
    assert {"teacher", "student", "control"} <= set(a["points"][0])
