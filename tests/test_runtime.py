import torch

from repro.core import runtime


def test_device_is_cuda_only_when_the_job_asked_for_a_gpu_and_one_exists(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    runtime.configure(threads=1, gpus=0)
    assert runtime.device().type == "cpu"           # mini scale: no GPU requested
    runtime.configure(threads=1, gpus=1)
    assert runtime.device().type == "cuda"          # full scale on a GPU node
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert runtime.device().type == "cpu"           # GPU requested but none visible: fall back
    runtime.configure(threads=1, gpus=0)


def test_threads_come_from_the_rule():
    before = torch.get_num_threads()
    runtime.configure(threads=1)
    assert torch.get_num_threads() == 1
    torch.set_num_threads(before)
