"""He et al.'s CIFAR ResNets (repro.nn.resnet), the full-scale models of kd_deviations, memorisation_scaling
and resmem: the architecture's layer count and parameter count match the paper's, option-A shortcuts have no
parameters, members draw their weights from their own generators, and a tiny one trains in an ensemble."""
import pytest
import torch
from torch import nn

from repro.core.seeding import generator
from repro.nn.ensemble import EnsembleOptim, ResNetEnsemble, fit_ensemble, image_ensemble, predict_shared
from repro.nn.resnet import CifarResNet, parse_cifar_resnet


def test_names_parse_to_depth_and_width():
    assert parse_cifar_resnet("cifar_resnet56") == (56, 1)
    assert parse_cifar_resnet("cifar_resnet20x4") == (20, 4)
    assert parse_cifar_resnet("resnet18") is None
    with pytest.raises(ValueError, match="6n \\+ 2"):
        parse_cifar_resnet("cifar_resnet21")
    with pytest.raises(ValueError, match="6n \\+ 2"):
        CifarResNet(18, 10)


@pytest.mark.parametrize("depth, params", [(20, 0.27e6), (56, 0.85e6), (110, 1.7e6)])
def test_depth_and_parameter_count_are_the_papers(depth, params):
    """He et al. 2016, Table 6: ResNet-20 0.27M, -56 0.85M, -110 1.7M parameters; 6n + 2 weighted layers."""
    net = CifarResNet(depth, 10)
    weighted = [m for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    assert len(weighted) == depth  # option-A shortcuts add no layer
    assert abs(sum(p.numel() for p in net.parameters()) - params) / params < 0.03
    assert net(torch.randn(2, 3, 32, 32)).shape == (2, 10)
    assert net.features(torch.randn(2, 3, 32, 32)).shape == (2, 64)


def test_members_draw_from_their_own_generators():
    state = torch.random.get_rng_state()
    a = ResNetEnsemble(2, "cifar_resnet8", 16, 3, in_channels=1, generators=[generator(0), generator(1)])
    b = ResNetEnsemble(2, "cifar_resnet8", 16, 3, in_channels=1, generators=[generator(1), generator(0)])
    assert torch.equal(torch.random.get_rng_state(), state)  # the global RNG is untouched
    for p, q in zip(a.members[0].parameters(), b.members[1].parameters()):
        assert torch.equal(p, q)
    assert not torch.equal(a.members[0].conv1.weight, a.members[1].conv1.weight)


def test_a_tiny_cifar_resnet_ensemble_learns_and_exposes_its_features():
    g = torch.Generator().manual_seed(0)
    y = torch.arange(48) % 3
    X = torch.randn(48, 1, 8, 8, generator=g) * 0.5 + y.view(-1, 1, 1, 1).float()  # the class sets the brightness
    idx = torch.stack([torch.arange(0, 24), torch.arange(24, 48)])
    model = image_ensemble(2, {"arch": "cifar_resnet8"}, (1, 8, 8), 3, generators=[generator(0), generator(1)])
    fit_ensemble(model, X, y.expand(2, -1), idx, EnsembleOptim(lr=0.05, batch_size=8, max_epochs=15),
                 [generator(0, 2), generator(1, 2)])
    accuracy = (predict_shared(model, X).argmax(-1) == y).float().mean(1)
    assert (accuracy > 0.9).all(), accuracy
    hidden: list = []
    model.eval()
    with torch.no_grad():
        logits = model(X.expand(2, *X.shape), hidden=hidden)
    assert hidden[0].shape == (2, 48, 64)
    assert torch.allclose(logits[1], model.members[1].fc(hidden[0][1]), atol=1e-6)


def test_resmem_embeds_and_predicts_a_resnet_base_with_its_running_statistics():
    """ResMem's base predictions and embeddings come from the trained network in eval mode (BatchNorm's
    running statistics, as predict does), and reading them changes nothing in the model."""
    from repro.papers.resmem.images import embed_and_predict
    X = torch.randn(40, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    model = image_ensemble(2, {"arch": "cifar_resnet8"}, (1, 8, 8), 3, generators=[generator(0), generator(1)])
    fit_ensemble(model, X, (torch.arange(40) % 3).expand(2, -1), torch.stack([torch.arange(20), torch.arange(20, 40)]),
                 EnsembleOptim(lr=0.05, batch_size=8, max_epochs=1), [generator(0, 2), generator(1, 2)])
    assert model.training
    stats = [t.clone() for t in (model.members[0].bn1.running_mean, model.members[0].bn1.running_var)]
    z, prob = embed_and_predict(model, X)
    assert model.training  # the mode it found
    assert torch.equal(stats[0], model.members[0].bn1.running_mean) and torch.equal(stats[1], model.members[0].bn1.running_var)
    assert z.shape == (2, 40, 64)
    assert torch.allclose(torch.from_numpy(prob), torch.softmax(predict_shared(model, X), -1), atol=1e-6)
