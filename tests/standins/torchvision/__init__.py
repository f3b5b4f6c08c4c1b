"""A stand-in for torchvision in the offline tests: torchvision's PyPI wheel is a CUDA build that cannot load
against this machine's CPU torch. Only `models.resnet18` exists, a tiny ResNet with the attribute names of
torchvision's (conv1, bn1, maxpool, fc), so that repro.nn.ensemble.ResNetEnsemble's side can be tested."""
from . import models  # noqa: F401
