import pytest
import torch

from repro.core import runtime


@pytest.fixture(autouse=True)
def cpu_job_after(monkeypatch):
    monkeypatch.delenv(runtime.ALLOW_CPU_ENV, raising=False)
    yield
    runtime.configure(threads=1, gpus=0)


def test_device_is_cuda_only_when_the_job_asked_for_a_gpu_and_one_exists(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    runtime.configure(threads=1, gpus=0)
    assert runtime.device().type == "cpu"           # mini scale: no GPU requested
    runtime.configure(threads=1, gpus=1)
    assert runtime.device().type == "cuda"          # full scale on a GPU node


def test_a_gpu_job_that_sees_no_gpu_fails_at_once(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    runtime.configure(threads=1, gpus=0)            # a CPU job: fine
    with pytest.raises(runtime.NoGPUError, match=r"asked for 1 GPU\(s\).*REPRO_ALLOW_CPU_FOR_GPU_JOBS=1"):
        runtime.configure(threads=1, gpus=1)


@pytest.mark.parametrize("value", ["1", "true", "yes"])
def test_the_opt_in_runs_a_gpu_job_on_the_cpu(monkeypatch, value):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setenv(runtime.ALLOW_CPU_ENV, value)
    runtime.configure(threads=1, gpus=1)
    assert runtime.device().type == "cpu"


def test_the_opt_in_is_off_unless_set_to_a_true_value(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setenv(runtime.ALLOW_CPU_ENV, "0")
    with pytest.raises(runtime.NoGPUError):
        runtime.configure(threads=1, gpus=1)


@pytest.mark.parametrize("resources, gpus", [({}, 0), ({"gpu": 0}, 0), ({"gpu": 2}, 2), ({"gres": "gpu:1"}, 1),
                                             ({"gres": "gpu:a100:4"}, 4), ({"gres": "gpu"}, 1),
                                             ({"gres": "tmpdisk:10,gpu:2"}, 2), ({"gres": "tmpdisk:10"}, 0)])
def test_gpus_requested_reads_gpu_and_gres(resources, gpus):
    assert runtime.gpus_requested(resources) == gpus


def test_precision_contexts_are_no_ops_on_the_cpu_and_restore_the_flags():
    before = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    with runtime.tf32(torch.device("cpu")):
        assert (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32) == before
    with runtime.tf32(torch.device("cuda")):      # only flags: no CUDA call is made
        assert torch.backends.cuda.matmul.allow_tf32 and torch.backends.cudnn.allow_tf32
        with runtime.fp32(torch.device("cuda")):
            assert not torch.backends.cuda.matmul.allow_tf32 and not torch.backends.cudnn.allow_tf32
        assert torch.backends.cuda.matmul.allow_tf32
    assert (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32) == before


def test_threads_come_from_the_rule():
    before = torch.get_num_threads()
    runtime.configure(threads=1)
    assert torch.get_num_threads() == 1
    torch.set_num_threads(before)


def test_malloc_keeps_freed_memory_and_no_number_changes():
    """Jobs raise glibc's mmap/trim thresholds (runtime.configure); a calculation gives the same bits."""
    import platform
    torch.manual_seed(0)
    x = torch.randn(300, 300)
    before = (x @ x).relu().sum(0)
    kept = runtime.keep_freed_memory()
    assert kept or platform.libc_ver()[0] != "glibc"
    assert torch.equal((x @ x).relu().sum(0), before)


def test_the_network_stages_are_exactly_the_localrules_downloads():
    """Jobs other than the downloads run with the hub offline (repro.core.stages.NETWORK_STAGES); the
    downloads are the workflow's localrules (run on the submitting host, which has the network)."""
    import re
    from pathlib import Path

    from repro.core.stages import NETWORK_STAGES, resolve
    rules = Path(__file__).resolve().parents[1] / "workflow/rules"
    text = "\n".join(smk.read_text() for smk in sorted(rules.glob("*.smk")))
    local = [name for block in re.findall(r"^localrules:\n((?:    \w+,?\n)+)", text, flags=re.M)
             for name in re.findall(r"\w+", block)]
    stages = {re.search(rf"^rule {name}:\n(?:.*\n)*?\s+stage=\"([\w.]+)\"", text, flags=re.M)[1] for name in local}
    assert len(local) == len(NETWORK_STAGES) and stages == NETWORK_STAGES
    assert all(callable(resolve(s)) for s in NETWORK_STAGES)
