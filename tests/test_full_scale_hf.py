"""Full-scale code paths on Hugging Face checkpoints, offline on the CPU (repro.nn.hf; issue 22).

Tiny random-weight OPT / GPT-NeoX (Pythia's architecture) / GPT-2 models and a tiny GPT-2-style byte-level BPE
tokenizer are built inside the tests and saved with `save_pretrained`; the stages load them from those folders
(as the GPU jobs load the folders the fetch localrule writes), with the hub offline.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

os.environ.setdefault("HF_HUB_OFFLINE", "1")
transformers = pytest.importorskip("transformers")
tokenizers = pytest.importorskip("tokenizers")

from repro.core.io import read_json  # noqa: E402
from repro.nn.hf import HFCausalLM, load_causal_lm, subword_tokenizer  # noqa: E402
from repro.nn.prune import block_linears, pruned, sparsity_of  # noqa: E402
from repro.papers.downscaling import hub as ds_hub  # noqa: E402
from repro.papers.downscaling.tasks import Mixture, accuracy  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
MIX = {"subjects": 20, "relations": 2, "objects": 8, "keys": 8, "modulus": 5, "pairs": 2, "queries": 2,
       "fact_seed": 0, "mix": [1, 1, 1]}  # 48 task ids, sequences of 10 tokens
OPTIM = {"steps": 3, "lr": 0.001, "warmup": 1, "min_lr_ratio": 1.0, "weight_decay": 0.0, "ckpt_every": 0, "log_every": 1}


def tiny(kind: str):
    torch.manual_seed(0)
    if kind == "opt":
        cfg = transformers.OPTConfig(vocab_size=64, hidden_size=16, word_embed_proj_dim=16, num_hidden_layers=2,
                                     ffn_dim=32, num_attention_heads=2, max_position_embeddings=32,
                                     pad_token_id=1, bos_token_id=2, eos_token_id=2)
        return transformers.OPTForCausalLM(cfg)
    if kind == "neox":
        cfg = transformers.GPTNeoXConfig(vocab_size=64, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                                         intermediate_size=32, max_position_embeddings=32)
        return transformers.GPTNeoXForCausalLM(cfg)
    cfg = transformers.GPT2Config(vocab_size=64, n_embd=16, n_layer=2, n_head=2, n_positions=64)
    return transformers.GPT2LMHeadModel(cfg)


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("hub")
    out = {}
    for kind in ("opt", "neox", "gpt2"):
        tiny(kind).save_pretrained(root / kind)
        out[kind] = root / kind
    return out


@pytest.fixture(scope="module")
def tokenizer_dir(tmp_path_factory) -> Path:
    """A GPT-2-style tokenizer (byte-level BPE, <|endoftext|>) trained on a few sentences, saved as a folder."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    text = ["the patients were not seen", "he wasn't there and didn't go", "who won the game", "hello world"] * 20
    tok.train_from_iterator(text, trainers.BpeTrainer(vocab_size=300, special_tokens=["<|endoftext|>"],
                                                      initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    path = tmp_path_factory.mktemp("tok") / "gpt2"
    PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|endoftext|>", bos_token="<|endoftext|>",
                            unk_token="<|endoftext|>").save_pretrained(path)
    return path


def test_mini_scale_modules_do_not_import_transformers():
    """Mini-scale stage modules (and the full-scale ones, at import) leave transformers / tokenizers unloaded
    (huggingface_hub comes with `datasets`, which mini scale uses)."""
    code = ("import sys; sys.path.insert(0, 'workflow')\n"
            "import repro.papers.downscaling.train, repro.papers.creativity.train, repro.papers.pause_tokens.train\n"
            "import repro.papers.catch_your_breath.train, repro.nn.prune, repro.nn.gpt\n"
            "import repro.papers.downscaling.hub, repro.papers.creativity.hub, repro.nn.hf\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('transformers', 'tokenizers'))\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, env=os.environ | {"OMP_NUM_THREADS": "1"})


@pytest.mark.parametrize("kind", ["opt", "neox"])
def test_wanda_and_magnitude_prune_exactly_the_block_linears(checkpoints, kind):
    mixture = Mixture(MIX)
    model = HFCausalLM(load_causal_lm(checkpoints[kind]), mixture.vocab_size, offset=4).eval()
    layers = block_linears(model)
    # every attention / MLP projection of both blocks, and nothing else (no embedding, no LM head)
    assert layers and all(name.startswith("blocks.") for name in layers)
    n_linears = {"opt": 6, "neox": 4}[kind]  # q, k, v, out, fc1, fc2 / query_key_value, dense, h_to_4h, 4h_to_h
    assert len(layers) == 2 * n_linears
    calibration = mixture.batch(8, torch.Generator().manual_seed(0))[0]
    embed = model.lm.get_input_embeddings().weight.clone()
    head = model.lm.get_output_embeddings().weight.clone()
    for sparsity in (0.25, 0.5):
        small = pruned(model, "wanda", sparsity, calibration)
        for name, layer in block_linears(small).items():  # Wanda: exactly round(s * in) zeros in every output row
            zeros = (layer.weight == 0).sum(1)
            assert torch.equal(zeros, torch.full_like(zeros, round(sparsity * layer.in_features))), name
        small = pruned(model, "magnitude", sparsity, calibration)
        total = sum(layer.weight.numel() for layer in layers.values())
        assert sparsity_of(small) == pytest.approx(round(sparsity * total) / total)
        assert torch.equal(small.lm.get_input_embeddings().weight, embed)
        assert torch.equal(small.lm.get_output_embeddings().weight, head)
    assert sparsity_of(model) == 0  # the original is untouched
    x, y = mixture.fact(4, torch.Generator().manual_seed(1))
    assert 0 <= accuracy(small, x, y) <= 1


def test_wrapper_matches_the_hf_forward_on_the_task_ids(checkpoints):
    lm = load_causal_lm(checkpoints["neox"]).eval()
    model = HFCausalLM(lm, 40, offset=10)
    idx = torch.randint(0, 40, (2, 7))
    with torch.no_grad():
        ref = lm(input_ids=idx + 10).logits[..., 10:50]
        ours, _ = model(idx)
    torch.testing.assert_close(ours, ref)
    with pytest.raises(ValueError, match="do not fit"):
        HFCausalLM(lm, 60, offset=10)


@pytest.mark.parametrize("kind", ["opt", "neox"])
def test_downscaling_hub_stages_train_then_prune(checkpoints, tmp_path, kind):
    p = {"data": MIX, "n_test": 16, "batch_size": 8, "optim": OPTIM, "token_offset": 4, "name": kind, "seed": 0}
    out = {"model": tmp_path / "model", "metrics": tmp_path / "metrics.json"}
    ds_hub.train(p, {"checkpoint": checkpoints[kind]}, out, 1)
    dense = read_json(out["metrics"])
    assert set(dense["accuracy"]) == {"fact", "retrieval", "icl"} and dense["width"] == 16
    assert len(dense["history"]) == 3 and dense["block_params"] > 0
    assert (out["model"] / "config.json").is_file()
    p |= {"methods": ["magnitude", "wanda"], "sparsities": [0.0, 0.5], "calibration": 8}
    ds_hub.prune(p, {"model": out["model"]}, {"metrics": tmp_path / "prune.json"}, 1)
    rows = read_json(tmp_path / "prune.json")["rows"]
    assert len(rows) == 2 * 2 * 3
    for r in rows:
        assert r["measured_sparsity"] == pytest.approx(r["sparsity"], abs=1e-3) and 0 <= r["accuracy"] <= 1
    dense0 = {r["family"]: r["accuracy"] for r in rows if r["sparsity"] == 0 and r["method"] == "wanda"}
    assert dense0 == pytest.approx(dense["accuracy"])  # the saved checkpoint is the trained model


def test_creativity_finetunes_gpt2(checkpoints, tmp_path):
    from repro.papers.creativity import hub as cr_hub
    p = {"nodes": 5, "cycle_len": 4, "n_train": 64, "task": "circle", "hash_len": 3, "hash_symbols": 8,
         "n_test": 8, "temperatures": [1.0], "batch_size": 8, "optim": OPTIM, "model": {}, "seed": 0}
    for arm in ("ntp", "teacherless", "ntp_nohash"):
        cr_hub.train(p | {"arm": arm}, {"checkpoint": checkpoints["gpt2"]}, {"metrics": tmp_path / f"{arm}.json"}, 1)
        m = read_json(tmp_path / f"{arm}.json")
        assert len(m["history"]) == 3 and m["rows"][0]["arm"] == arm
        assert all(0 <= m["rows"][0][k] <= 1 for k in ("creativity", "validity", "memorisation"))
        assert len(m["examples"][0]) == 8  # 4 edges
    with pytest.raises(ValueError, match="diffusion"):
        cr_hub.train(p | {"arm": "diffusion"}, {"checkpoint": checkpoints["gpt2"]}, {"metrics": tmp_path / "d.json"}, 1)


def test_subword_tokenizer_adds_pause_tokens(tokenizer_dir, checkpoints):
    tok = subword_tokenizer(tokenizer_dir, ["<pause>", "<don't know>"])
    base = len(subword_tokenizer(tokenizer_dir))
    pause, dk = tok.convert_tokens_to_ids(["<pause>", "<don't know>"])
    assert {pause, dk} == {base, base + 1} and len(tok) == base + 2
    text = "the patients<pause><pause> were not seen<don't know>"
    ids = tok.encode(text, add_special_tokens=False)
    assert ids.count(pause) == 2 and ids.count(dk) == 1
    assert tok.decode(ids) == text  # round trip, the specials kept whole
    plain = tok.encode("the patients were", add_special_tokens=False)
    assert pause not in plain and dk not in plain and len(plain) < len("the patients were")  # subwords, not bytes
    with pytest.raises(FileNotFoundError, match="tokenizer"):
        subword_tokenizer(checkpoints["opt"])  # a model folder without tokenizer files


def test_missing_checkpoint_folder_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=str(tmp_path)):
        load_causal_lm(tmp_path)


def test_fetch_checkpoint_goes_online_and_writes_atomically(tmp_path, monkeypatch):
    """The download stage (a localrule) turns the hub back on for itself; a failed download leaves no folder."""
    import huggingface_hub
    from huggingface_hub import constants

    from repro.nn.hf import fetch_checkpoint
    seen = {}

    def fake(repo_id, revision=None, local_dir=None, allow_patterns=None):
        seen.update(repo_id=repo_id, offline=constants.HF_HUB_OFFLINE, patterns=allow_patterns)
        Path(local_dir).mkdir(parents=True, exist_ok=True)  # as snapshot_download does
        (Path(local_dir) / "config.json").write_text("{}")

    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    fetch_checkpoint({"hub_id": "facebook/opt-125m"}, {}, {"checkpoint": tmp_path / "opt-125m"}, 1)
    assert seen["repo_id"] == "facebook/opt-125m" and seen["offline"] is False
    assert "*.safetensors" in seen["patterns"] and (tmp_path / "opt-125m/config.json").is_file()

    def broken(*args, **kwargs):
        raise OSError("no network")

    monkeypatch.setattr(huggingface_hub, "snapshot_download", broken)
    with pytest.raises(OSError):
        fetch_checkpoint({"hub_id": "x/y"}, {}, {"checkpoint": tmp_path / "y"}, 1)
    assert not (tmp_path / "y").exists()


@pytest.mark.slow
def test_hub_jobs_run_end_to_end_through_snakemake(tmp_path):
    """downscaling's hub stages (continued pretraining, then pruning of OPT and GPT-NeoX) and creativity's GPT-2
    finetuning, run by Snakemake at smoke size on tiny local checkpoints (`local_dir`), offline, up to each
    paper's claims: the full-scale DAG shape, not only the stage functions."""
    import yaml

    from conftest import SMOKE, snakemake
    dirs = {}
    for kind in ("opt", "neox", "gpt2"):
        model = tiny(kind)
        model.resize_token_embeddings(256)  # room for the smoke mixture's ids past token_offset
        model.save_pretrained(tmp_path / "hub" / kind)
        dirs[kind] = str(tmp_path / "hub" / kind)
    optim = {"steps": 4, "lr": 0.001, "warmup": 1, "min_lr_ratio": 1.0, "weight_decay": 0.0, "ckpt_every": 2,
             "log_every": 2}
    overlay = {
        "downscaling": {"hub": {
            "models": {"opt-tiny": {"hub_id": "facebook/opt-125m", "local_dir": dirs["opt"]},
                       "pythia-tiny": {"hub_id": "EleutherAI/pythia-14m", "local_dir": dirs["neox"]}},
            "dense": ["opt-tiny", "pythia-tiny"], "pruned": ["pythia-tiny", "opt-tiny"],
            "token_offset": 4, "batch_size": 4, "optim": optim}},
        "creativity": {"finetune": {"name": "gpt2-tiny", "hub_id": "openai-community/gpt2", "local_dir": dirs["gpt2"],
                                    "tasks": ["circle"], "arms": ["ntp", "ntp_nohash"], "batch_size": 4,
                                    "optim": optim}},
    }
    (tmp_path / "hub.yaml").write_text(yaml.safe_dump(overlay))
    run = tmp_path / "run"
    # the papers' rules: their figures, claims and the second pruned model's run (a target of its own)
    snakemake("downscaling", "creativity", "--cores", "2", "--configfile", SMOKE, str(tmp_path / "hub.yaml"), workdir=run)
    for m in ("opt-tiny", "pythia-tiny"):
        dense = read_json(run / f"results/downscaling/hub/{m}/seed0/metrics.json")
        assert set(dense["accuracy"]) == {"fact", "retrieval", "icl"} and len(dense["history"]) == 2
        rows = read_json(run / f"results/downscaling/hub/{m}/pruning/seed0.json")["rows"]
        assert {r["method"] for r in rows} == {"magnitude", "wanda"}
    assert not (run / "results/downscaling/models").exists()  # the hub models take the GPTs' place
    assert not (run / "results/models/hub").exists()  # local_dir: nothing fetched
    for arm in ("ntp", "ntp_nohash"):
        m = read_json(run / f"results/creativity/circle/{arm}/finetuned/seed0.json")
        assert m["rows"][0]["init"] == "pretrained" and len(m["history"]) == 2
    claims = read_json(run / "paper_figures/creativity/claims.json")["claims"]
    assert {c["id"] for c in claims} == {"multi_token_more_creative", "seed_conditioning_creative"}
    assert not list(run.glob("results/**/*.ckpt"))  # finished jobs leave no checkpoints


def test_subword_codec_encodes_with_the_tokenizer_and_adds_pause(tokenizer_dir):
    import numpy as np

    from repro.data import text
    codec = text.codec(tokenizer_dir)
    base = subword_tokenizer(tokenizer_dir)
    assert codec.name == "subword" and codec.vocab_size == len(base) + 1  # + <pause>
    assert codec.pause == len(base) and codec.eos == base.convert_tokens_to_ids("<|endoftext|>")
    s = "the patients were not seen"
    ids = codec.encode(s)
    assert ids == base.encode(s, add_special_tokens=False) and len(ids) < len(s)  # subwords, not bytes
    assert codec.decode(ids + [codec.pause, codec.eos]) == s  # specials never print
    assert codec.dtype == np.uint16 and text.codec(None).name == "bytes"


def test_fetch_corpus_writes_subword_ids_that_open_corpus_reads_back(tokenizer_dir, tmp_path, monkeypatch):
    import numpy as np

    from repro.data import hf as data_hf
    from repro.data import text
    docs = [{"text": "hello world"}, {"text": "who won the game"}, {"text": "he wasn't there"}] * 10
    monkeypatch.setattr(data_hf, "load_hub", lambda path, split, **kw: iter(docs))
    out = {"corpus": tmp_path / "corpus.bin", "spec": tmp_path / "corpus.json"}
    text.fetch_corpus({"load": {"path": "c4", "split": "train"}, "n_tokens": 50}, {"tokenizer": tokenizer_dir}, out, 1)
    codec = text.codec(tokenizer_dir)
    expected = [i for d in docs for i in codec.encode(d["text"]) + [codec.eos]][:50]
    ids = text.open_corpus(out["corpus"], codec)
    assert ids.dtype == np.uint16 and ids.tolist() == expected
    spec = read_json(out["spec"])
    assert (spec["codec"], spec["vocab_size"], spec["n_tokens"]) == ("subword", codec.vocab_size, 50)
    with pytest.raises(ValueError, match="subword codec"):
        text.open_corpus(out["corpus"], text.Codec())  # a byte-level job on a subword corpus fails, naming both


def test_catch_your_breath_types_subword_tokens_as_word_starts_and_continuations(tokenizer_dir):
    from repro.data import text
    from repro.papers.catch_your_breath.train import text_token_types
    codec = text.codec(tokenizer_dir)
    pieces = [codec.encode(w) for w in ["hello", " world", " patients", "were"]]  # "were" glued: continues a word
    x = torch.tensor([[i for p in pieces for i in p]])
    types = text_token_types(x, codec)
    starts = [len(pieces[0]), len(pieces[0]) + len(pieces[1])]  # the first token of " world" and " patients"
    for s in starts:
        assert types["hard"][0, s - 1] and not types["easy"][0, s - 1]  # masks index the targets x[:, 1:]
    assert types["easy"][0, -1]  # the last piece continues "patients"+"were"
    bytes_types = text_token_types(torch.tensor([list(b"hello world")]), text.Codec())
    assert bytes_types["hard"][0].tolist() == [c == "w" and i == 5 for i, c in enumerate("ello world")]  # 'w'


@pytest.mark.slow
def test_pause_papers_run_on_subword_tokens_end_to_end(tokenizer_dir, tmp_path):
    """pause_tokens and catch_your_breath through Snakemake on the text stand-ins of test_text_pipeline, with the
    corpus in a tokenizer's ids (`corpus.tokenizer`, given as local_dir: nothing fetched)."""
    import yaml

    from conftest import snakemake
    from test_text_pipeline import text_overlay
    overlay = yaml.safe_load(open(text_overlay(tmp_path)))
    for paper in ("pause_tokens", "catch_your_breath"):
        overlay[paper]["corpus"]["tokenizer"] = {"name": "gpt2-tiny", "hub_id": "openai-community/gpt2",
                                                 "local_dir": str(tokenizer_dir)}
        overlay[paper]["corpus"] |= {"n_tokens": 12000, "test_tokens": 1500}
    (tmp_path / "subword.yaml").write_text(yaml.safe_dump(overlay))
    targets = ["paper_figures/pause_tokens/claims.json", "paper_figures/catch_your_breath/claims.json"]
    run = tmp_path / "run"
    snakemake(*targets, "--cores", "2", "--configfile", str(tmp_path / "subword.yaml"), workdir=run)
    spec = read_json(run / "results/pause_tokens/data/corpus.json")
    assert (spec["codec"], spec["n_tokens"], spec["dtype"]) == ("subword", 12000, "uint16")
    assert (run / "results/pause_tokens/data/corpus.bin").stat().st_size == 2 * 12000
    assert "gpt2-tiny-token pretraining" in read_json(run / targets[0])["note"]
    assert "word-initial token" in str(read_json(run / targets[1]))
    assert not (run / "results/models/hub").exists()  # local_dir: nothing fetched
