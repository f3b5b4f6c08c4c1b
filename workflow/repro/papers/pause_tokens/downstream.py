"""The paper's downstream sets at full scale: each hub record becomes (prompt, target, golds) text, the
model is finetuned to produce ` target<EOS>` after the prompt (and its pauses), and scored by exact
match of its greedy answer against any gold answer (SQuAD-style normalisation; GSM8k compares the
final number after `####`). Multiple-choice sets list lettered options and expect the letter.
"""
from __future__ import annotations

import re
import string

from repro.core.io import write_json
from repro.data.hf import load_hub


def _example(prompt: str, golds: list[str], target: str | None = None) -> dict:
    golds = [g for g in golds if g.strip()]
    return {"prompt": prompt, "target": " " + (target if target is not None else golds[0]).strip(), "golds": golds}


def _options(labels, texts) -> str:
    return "\n".join(f"{label}. {text}" for label, text in zip(labels, texts))


def _coqa(r: dict) -> list[dict]:
    """One example per conversation turn, with the earlier turns as context."""
    out, history = [], ""
    for question, answer in zip(r["questions"], r["answers"]["input_text"]):
        out.append(_example(f"{r['story']}{history}\nQ: {question}\nA:", [answer]))
        history += f"\nQ: {question}\nA: {answer}"
    return out


def _lambada(r: dict) -> list[dict]:
    head, last = r["text"].rsplit(" ", 1)
    return [_example(head, [last])]


FORMATS = {
    "squad": lambda r: [_example(f"{r['context']}\nQuestion: {r['question']}\nAnswer:", r["answers"]["text"])],
    "coqa": _coqa,
    "commonsense_qa": lambda r: [_example(
        f"Question: {r['question']}\n{_options(r['choices']['label'], r['choices']['text'])}\nAnswer:",
        [r["answerKey"]])],
    "piqa": lambda r: [_example(f"Goal: {r['goal']}\n{_options('AB', [r['sol1'], r['sol2']])}\nAnswer:",
                                ["AB"[int(r["label"])]])],
    "hellaswag": lambda r: [_example(f"{r['ctx']}\n{_options('ABCD', r['endings'])}\nAnswer:",
                                     ["ABCD"[int(r["label"])]])],
    "gsm8k": lambda r: [_example(f"Question: {r['question']}\nAnswer:", [r["answer"]])],
    "lambada": _lambada,
    "web_questions": lambda r: [_example(f"Question: {r['question']}\nAnswer:", r["answers"])],
    "nq_open": lambda r: [_example(f"Question: {r['question']}\nAnswer:", r["answer"])],
}


def normalise(text: str) -> str:
    """SQuAD's answer normalisation: lower case, no punctuation, no articles, single spaces."""
    text = "".join(c for c in text.lower() if c not in string.punctuation)
    return " ".join(re.sub(r"\b(a|an|the)\b", " ", text).split())


def final_number(text: str) -> str:
    """GSM8k's answer: what follows `####` (the whole text if there is none), without commas."""
    match = re.search(r"####\s*(.*)", text)
    return (match.group(1) if match else text).strip().replace(",", "")


CHOICE_FORMATS = ("commonsense_qa", "piqa", "hellaswag")  # the answer is an option letter


def exact_match(prediction: str, golds: list[str], fmt: str) -> bool:
    if fmt == "gsm8k":
        return final_number(prediction) == final_number(golds[0])
    if fmt in CHOICE_FORMATS:  # letters as they are: SQuAD's normalisation would erase the article-like "A"
        return prediction.strip() in golds
    return any(normalise(prediction) == normalise(g) for g in golds)


def formatted(records, fmt: str, n: int, skip: int = 0) -> list[dict]:
    """The first n examples of `fmt` from the records after the first `skip` (in the hub's order)."""
    out = []
    for i, record in enumerate(records):
        if i < skip:
            continue
        out.extend(e for e in FORMATS[fmt](record) if e["golds"])
        if len(out) >= n:
            break
    return out[:n]


def fetch_task(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    """Stage: download one downstream set and save it formatted, as JSON {spec, train, test}.
    A set published with one split only (LAMBADA) uses the same split for both: its first n_test
    records are the test set and training starts after them."""
    fmt = params["format"]
    load = lambda spec: load_hub(spec["path"], spec["split"], **{k: v for k, v in spec.items()  # noqa: E731
                                                                  if k not in ("path", "split")})
    test_records = load(params["test"])
    test = formatted(test_records, fmt, params["n_test"])
    if params["train"] == params["test"]:
        train = formatted(test_records, fmt, params["n_train"], skip=params["n_test"])
    else:
        train = formatted(load(params["train"]), fmt, params["n_train"])
    if not train or not test:
        raise ValueError(f"{params['test']['path']}: no {'training' if not train else 'test'} examples")
    write_json(outputs["data"], {"spec": params, "train": train, "test": test})
