"""The full-scale text path of pause_tokens and catch_your_breath, run offline: byte-level encoding,
the corpus download stage, the downstream formats and their scoring, ragged greedy decoding, and the
whole pipeline through Snakemake with local JSON files standing in for the hub sets."""
from __future__ import annotations

import json
import random

import pytest
import torch
import yaml

from conftest import snakemake
from repro.core.seeding import generator, seed_everything
from repro.data import text
from repro.nn.gpt import GPT, GPTConfig, IGNORE
from repro.papers.pause_tokens import downstream

WORDS = "the cat sat on a mat while patients waited for their doctors in rooms".split()


def fake_docs(n: int, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    return [{"text": " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 40))), "url": f"u{i}"} for i in range(n)]


def write_jsonl(path, rows) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


def test_bytes_round_trip_and_specials_are_not_utf8():
    s = "naïve café — 数学"
    assert text.decode(text.encode(s)) == s
    assert all(b < 0xF5 for b in text.encode(s))
    assert text.decode(text.encode("ab") + [text.PAUSE, text.EOS]) == "ab"  # specials never print
    assert text.EOS != text.PAUSE and max(text.EOS, text.PAUSE) < text.VOCAB_SIZE


def test_fetch_corpus_keeps_the_first_bytes_with_eos_after_each_document(tmp_path):
    docs = fake_docs(50)
    load = {"path": "json", "data_files": write_jsonl(tmp_path / "c4.jsonl", docs), "split": "train", "streaming": True}
    out = {"corpus": tmp_path / "corpus.bin", "spec": tmp_path / "corpus.json"}
    text.fetch_corpus({"load": load, "n_tokens": 1000}, {}, out, 1)
    raw = out["corpus"].read_bytes()
    expected = b"".join(d["text"].encode() + bytes([text.EOS]) for d in docs)[:1000]
    assert raw == expected
    assert text.open_corpus(out["corpus"], text.Codec()).tobytes() == expected  # uint8 ids, as the spec says
    with pytest.raises(ValueError, match="only"):
        text.fetch_corpus({"load": load, "n_tokens": 10**7}, {}, {"corpus": tmp_path / "big.bin", "spec": out["spec"]}, 1)
    assert not (tmp_path / "big.bin").exists()  # nothing half-written


def test_windows_are_repeatable_and_stay_in_their_slice():
    corpus = torch.arange(1000).numpy()  # each value is its own offset
    a = text.windows(corpus, 8, 16, generator(0, 1), lo=100, hi=300)
    b = text.windows(corpus, 8, 16, generator(0, 1), lo=100, hi=300)
    assert torch.equal(a, b) and a.shape == (8, 16)
    assert ((a >= 100) & (a < 300)).all() and ((a[:, 1:] - a[:, :-1]) == 1).all()


RECORDS = {
    "squad": {"context": "Denver won.", "question": "Who won?", "answers": {"text": ["Denver", "Denver Broncos"]}},
    "coqa": {"story": "Ann had a cat.", "questions": ["Who?", "What?"], "answers": {"input_text": ["Ann", "a cat"]}},
    "commonsense_qa": {"question": "Where?", "choices": {"label": list("ABCDE"), "text": list("vwxyz")},
                       "answerKey": "C"},
    "piqa": {"goal": "Open a jar", "sol1": "twist", "sol2": "smash", "label": 0},
    "hellaswag": {"ctx": "He runs", "endings": ["fast", "slow", "up", "down"], "label": "2"},
    "gsm8k": {"question": "1+1?", "answer": "1+1=2\n#### 2"},
    "lambada": {"text": "she opened the door"},
    "web_questions": {"question": "capital of france?", "answers": ["Paris"]},
    "nq_open": {"question": "who wrote hamlet", "answer": ["Shakespeare", "William Shakespeare"]},
}


@pytest.mark.parametrize("fmt", sorted(RECORDS))
def test_every_format_gives_prompt_target_and_golds(fmt):
    examples = downstream.FORMATS[fmt](RECORDS[fmt])
    for e in examples:
        assert e["prompt"] and e["target"].startswith(" ") and e["golds"]
        assert downstream.exact_match(e["target"], e["golds"], fmt)  # the target is a right answer
        assert not downstream.exact_match(" something else", e["golds"], fmt)
    if fmt == "coqa":  # one example per turn, later turns see the earlier ones
        assert len(examples) == 2 and "Q: Who?\nA: Ann" in examples[1]["prompt"]
    if fmt == "lambada":
        assert examples[0]["prompt"] == "she opened the" and examples[0]["golds"] == ["door"]


def test_exact_match_normalises_like_squad_and_reads_gsm8k_final_numbers():
    assert downstream.exact_match(" the Denver Broncos!", ["Denver Broncos"], "squad")
    assert not downstream.exact_match(" Broncos", ["Denver Broncos"], "squad")
    assert downstream.exact_match(" so 1,000 #### 1,000", ["... #### 1000"], "gsm8k")
    assert not downstream.exact_match(" #### 999", ["#### 1000"], "gsm8k")
    assert downstream.exact_match(" A", ["A"], "piqa") and not downstream.exact_match(" ", ["A"], "piqa")
    assert not downstream.exact_match(" B", ["A"], "commonsense_qa")


def test_complete_matches_one_prompt_at_a_time_decoding():
    seed_everything(0)
    model = GPT(GPTConfig(vocab_size=256, block_size=40, n_layer=2, n_head=2, d_model=32)).eval()
    prompts = [[5, 6, 7], [1] * 12, [9, 8, 7, 6, 5, 4, 3]]
    batched = model.complete(prompts, 10, stop=text.EOS)
    for prompt, out in zip(prompts, batched):
        alone = model.generate(torch.tensor([prompt]), 10)[0].tolist()
        assert out == (alone[:alone.index(text.EOS)] if text.EOS in alone else alone)
    with pytest.raises(ValueError, match="block_size"):
        model.complete([[1] * 35], 10, stop=text.EOS)


def test_finetuning_batches_score_only_the_answer_after_the_pauses(tmp_path):
    from repro.papers.pause_tokens.train import TextTask

    rows = [downstream.FORMATS["web_questions"]({"question": f"q{i}?", "answers": [f"a{i}"]})[0] for i in range(6)]
    (tmp_path / "data").write_text(json.dumps({"train": rows, "test": rows[4:]}))  # 2 rows are test prompts
    p = {"task": "wq", "downstream": {"wq": {"format": "web_questions", "max_answer": 8}}, "block_size": 64,
         "inference_pauses": [0, 3], "finetune_pauses": 3, "batch_size": 5, "seed": 0, "eval_batch": 2}
    task = TextTask(p, tmp_path / "data")
    assert len(task.train) == 4 and task.n_dropped == 2 and task.overlap == 0.0  # held out
    inputs, targets = task.batch(0, 3)
    for x, y in zip(inputs.tolist(), targets.tolist()):
        scored = [i for i, t in enumerate(y) if t != IGNORE]
        assert x[scored[0] - 2:scored[0] + 1] == [text.PAUSE] * 3  # the first answer byte is read after the pauses
        assert text.decode([y[i] for i in scored[:-1]]).startswith(" a") and y[scored[-1]] == text.EOS
    seed_everything(0)
    model = GPT(GPTConfig(vocab_size=256, block_size=64, n_layer=1, n_head=2, d_model=16)).eval()
    assert 0.0 <= task.accuracy(model, 3) <= 1.0


def text_overlay(tmp_path) -> str:
    """pause_tokens and catch_your_breath on local JSON stand-ins for C4 and two downstream sets."""
    c4 = write_jsonl(tmp_path / "c4.jsonl", fake_docs(400))
    qa = [{"question": f"what is {w} {i}?", "answers": [w]} for i, w in enumerate(WORDS * 8)]
    lam = [{"text": f"{w} and {w} and {w}"} for w in WORDS * 4]
    load = lambda f, split="train": {"path": "json", "data_files": f, "split": split}  # noqa: E731
    corpus = {"load": load(c4) | {"streaming": True}, "n_tokens": 40000, "test_tokens": 4000, "fetch_runtime": 5}
    optim = {"steps": 20, "warmup": 5, "ckpt_every": 10, "log_every": 10}
    cfg = {
        "pause_tokens": {
            "seeds": [0], "corpus": corpus, "tasks": ["wq", "lambada"], "block_size": 128, "eval_batch": 16,
            "downstream": {
                "wq": {"format": "web_questions", "train": load(write_jsonl(tmp_path / "wq.jsonl", qa)),
                       "test": load(str(tmp_path / "wq.jsonl")), "n_train": 60, "n_test": 20, "max_answer": 12},
                "lambada": {"format": "lambada", "train": load(write_jsonl(tmp_path / "lam.jsonl", lam)),
                            "test": load(str(tmp_path / "lam.jsonl")), "n_train": 30, "n_test": 10, "max_answer": 12}},
            "model": {"n_layer": 1, "n_head": 2, "d_model": 16}, "batch_size": 4, "finetune_pauses": 2,
            "inference_pauses": [0, 2, 4], "pretrain_optim": optim, "finetune_optim": optim},
        "catch_your_breath": {"seeds": [0], "corpus": corpus, "seq_len": 24, "n_test": 8,
                              "model": {"n_layer": 1, "n_head": 2, "d_model": 16}, "batch_size": 4, "eval_every": 10,
                              "optim": optim},
    }
    path = tmp_path / "text.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return str(path)


@pytest.mark.slow
def test_text_pipeline_runs_end_to_end_offline(tmp_path):
    overlay = text_overlay(tmp_path)
    targets = ["paper_figures/pause_tokens/claims.json", "paper_figures/catch_your_breath/claims.json"]
    snakemake(*targets, "--cores", "2", "--configfile", overlay, workdir=tmp_path / "run")
    run = tmp_path / "run"
    pt = json.loads((run / targets[0]).read_text())
    assert "Byte-level pretraining" in pt["note"]
    rows = json.loads((run / "results/pause_tokens/finetune/pause/wq/seed0.json").read_text())["rows"]
    assert {r["inference_pauses"] for r in rows} == {0, 2, 4}
    cyb = json.loads((run / targets[1]).read_text())
    assert "word-initial" in json.dumps(cyb)
    curve = json.loads((run / "results/catch_your_breath/variational/seed0.json").read_text())["curve"]
    assert [c["step"] for c in curve] == [10, 20]
    assert not list(run.glob("results/**/*.ckpt"))  # checkpoints of finished jobs are removed
    spec = json.loads((run / "results/pause_tokens/data/corpus.json").read_text())
    assert spec["n_tokens"] == 40000 and spec["codec"] == "bytes"
    assert (run / "results/pause_tokens/data/corpus.bin").stat().st_size == 40000
