"""Full scale's torchvision ResNets as an ensemble (repro.nn.ensemble.ResNetEnsemble), offline.

torchvision's PyPI wheel is a CUDA build that cannot load against this machine's CPU torch, so these tests
build the ensemble from a stand-in torchvision (tests/standins: a tiny ResNet with one residual block,
BatchNorm, and the attribute names torchvision's ResNet has: conv1, bn1, maxpool, fc): they check our side (per-member
initialisation from its own generator, CIFAR stem, BatchNorm in train mode for training and eval mode for
predictions, frozen members). Where torchvision imports, the last test builds the real ResNet18."""
import importlib.util
import sys
from pathlib import Path

import pytest
import torch
from torch import nn

from repro.core.seeding import generator
from repro.nn.ensemble import EnsembleOptim, ResNetEnsemble, fit_ensemble, image_ensemble, predict_shared


STANDINS = Path(__file__).parent / "standins"  # tests/standins/torchvision: resnet18 = a tiny ResNet


@pytest.fixture
def stand_in_torchvision(monkeypatch):
    monkeypatch.syspath_prepend(str(STANDINS))
    for name in [m for m in sys.modules if m == "torchvision" or m.startswith("torchvision.")]:
        monkeypatch.delitem(sys.modules, name)


def images(n=48, seed=0):
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 3
    x = torch.randn(n, 1, 16, 16, generator=g) * 0.5 + y.view(-1, 1, 1, 1).float()  # class sets the brightness
    return x, y


def test_each_member_is_initialised_from_its_own_generator(stand_in_torchvision):
    state = torch.random.get_rng_state()
    a = ResNetEnsemble(2, "resnet18", 16, 3, in_channels=1, generators=[generator(0), generator(1)])
    b = ResNetEnsemble(2, "resnet18", 16, 3, in_channels=1, generators=[generator(1), generator(0)])
    assert torch.equal(torch.random.get_rng_state(), state)  # the global RNG is left as it was
    for mine, swapped in ((0, 1), (1, 0)):
        for p, q in zip(a.members[mine].parameters(), b.members[swapped].parameters()):
            assert torch.equal(p, q)
    assert not torch.equal(a.members[0].fc.weight, a.members[1].fc.weight)
    net = a.members[0]  # CIFAR stem for small images: 3x3 stride 1 on the image's channels, no max-pool
    assert net.conv1.kernel_size == (3, 3) and net.conv1.stride == (1, 1) and net.conv1.in_channels == 1
    assert isinstance(net.maxpool, nn.Identity)
    assert a.parameter_members == [k for k in (0, 1) for _ in a.members[k].parameters()]
    with pytest.raises(ValueError, match="neither a CIFAR ResNet"):
        ResNetEnsemble(1, "vgg11", 16, 3)


def test_resnet_members_train_with_batchnorm_and_predict_with_running_statistics(stand_in_torchvision):
    X, y = images()
    idx = torch.stack([torch.arange(0, 24), torch.arange(24, 48)])
    model = image_ensemble(2, {"arch": "resnet18"}, (1, 16, 16), 3, generators=[generator(0), generator(1)])
    before = [p.detach().clone() for p in model.parameters()]
    fit = fit_ensemble(model, X, y.expand(2, -1), idx, EnsembleOptim(lr=0.05, batch_size=8, max_epochs=3),
                       [generator(0, 2), generator(1, 2)])
    assert fit["epochs"] == [3, 3]
    assert all(not torch.equal(p, q) for p, q in zip(before, model.parameters()) if p.dim() > 1)
    assert model.members[0].bn1.num_batches_tracked > 0  # BatchNorm trained in train mode
    model.train()
    logits = predict_shared(model, X)
    assert model.training  # predict restores the mode it found
    model.eval()
    ref = torch.stack([net(X) for net in model.members])
    assert torch.allclose(logits, ref, atol=1e-5)  # predictions use the running statistics


def test_a_stopped_resnet_member_stops_moving(stand_in_torchvision):
    """Member 0 has one class to learn, member 1 random labels: 0 stops first, then neither its weights nor
    its BatchNorm statistics move while 1 trains on."""
    X, y = images()
    idx = torch.stack([torch.arange(0, 24), torch.arange(24, 48)])
    Y = torch.stack([torch.zeros_like(y), torch.randint(3, y.shape, generator=generator(5))])

    def run(epochs):
        model = ResNetEnsemble(2, "resnet18", 16, 3, in_channels=1, generators=[generator(0), generator(1)])
        fit = fit_ensemble(model, X, Y, idx, EnsembleOptim(lr=0.05, batch_size=8, max_epochs=epochs, stop_loss=0.05),
                           [generator(0, 2), generator(1, 2)])
        return model, fit

    model, fit = run(30)
    assert fit["converged"][0] and fit["epochs"][0] < fit["epochs"][1]
    again, _ = run(fit["epochs"][0])
    assert all(torch.equal(p, q) for p, q in zip(model.members[0].state_dict().values(),
                                                 again.members[0].state_dict().values()))
    assert not torch.equal(model.members[1].fc.weight, again.members[1].fc.weight)


@pytest.mark.skipif(importlib.util.find_spec("torchvision") is None, reason="torchvision not installed")
def test_the_real_resnet18_builds_with_the_cifar_stem():
    try:
        import torchvision  # noqa: F401
        model = ResNetEnsemble(1, "resnet18", 32, 10, generators=[generator(0)])
    except (RuntimeError, OSError) as e:  # e.g. a CUDA build of torchvision against a CPU torch
        pytest.skip(f"torchvision does not load here: {e}")
    assert model(torch.randn(1, 2, 3, 32, 32)).shape == (1, 2, 10)
