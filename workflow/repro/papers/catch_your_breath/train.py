"""Train one method with one seed, evaluating answer accuracy and pause use on a fixed test set as
training proceeds. Data: pause_tokens' synthetic corpus (digits, `SEP`, a late query, the answer) at
mini scale; byte-level text windows (C4) at full scale.

Methods: no_pause (plain next-token training), pause_ce (k pauses after every token, cross-entropy at
the last one), and the Catch-Your-Breath losses anytime / variational / budget (`repro.nn.pause.cyb_loss`),
where the model may answer `<don't know>` at a try and get another one, up to k pauses.

Evaluation is teacher-forced on the training layout (every token followed by its k pause slots): the
model's answer for a token is the one at its first try whose argmax is not `<don't know>` (or the last
try; pause_ce is always read at the last try); its pause count is that try's index. The pause methods also
record P(`<don't know>`) at the first try (the stopping distribution, which the pause claim tests) and the
accuracy at the first and the last try. Token types:
- synthetic: answers (hard: a computation over the whole example that starts at the late query) and
  separators (easy: fixed positions); the random digits and queries are unpredictable and left out;
- text: the first byte of a word (hard: it chooses the next word) and the bytes inside a word (easy:
  mostly fixed by the word's start).
"""
from __future__ import annotations

import time

import torch

from repro.core import runtime
from repro.core.io import write_json
from repro.core.seeding import generator, seed_everything
from repro.data import text
from repro.data.heldout import OVERLAP
from repro.nn.gpt import GPT, GPTConfig
from repro.nn.pause import cyb_loss, interleave_pauses
from repro.nn.trainer import OptimConfig, fit, resumable
from repro.papers.pause_tokens.tasks import Vocab, corpus, corpus_examples, example_keys

CYB = ("anytime", "variational", "budget")


class PausedLM(torch.nn.Module):
    """The shared GPT with k pause slots after every token and a `<don't know>` output."""

    def __init__(self, cfg: GPTConfig, k: int, method: str, p: dict, pause_id: int):
        super().__init__()
        self.gpt, self.k, self.method, self.p, self.pause_id = GPT(cfg), k, method, p, pause_id

    def slot_logits(self, x: torch.Tensor) -> torch.Tensor:
        """(B, T, k+1, V+1): the tries at predicting each next token."""
        B, T = x.shape
        h = self.gpt.hidden(interleave_pauses(x, self.k, self.pause_id))
        return self.gpt.logits(h).view(B, T, self.k + 1, -1)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> tuple[None, torch.Tensor]:
        logits = self.slot_logits(x).flatten(0, 1)
        loss, _ = cyb_loss(logits, y.reshape(-1), self.method, dont_know=self.gpt.cfg.vocab_size,
                           gamma=self.p["gamma"], budget=self.p["budget"])
        return None, loss

    @torch.no_grad()
    def decide(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(prediction, pauses used) per position: the first try not answering `<don't know>`."""
        logits = self.slot_logits(x)
        dk = self.gpt.cfg.vocab_size
        says_dk = logits.argmax(-1) == dk
        if self.method == "pause_ce":  # trained only at the last try: always read it there
            says_dk[:] = True
        says_dk[..., -1] = False
        used = (~says_dk).float().argmax(-1)  # first try that answers
        chosen = logits.gather(2, used[..., None, None].expand(-1, -1, 1, logits.shape[-1])).squeeze(2)
        return chosen[..., :dk].argmax(-1), used

    @torch.no_grad()
    def tries(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Per position (B, T): P(`<don't know>`) at the first try (the model's probability of asking for a
        pause: one minus the first stopping probability of Galashov et al.), and the answers (argmax over the
        real vocabulary) at the first and at the last try."""
        logits = self.slot_logits(x)
        dk = self.gpt.cfg.vocab_size
        return logits[..., 0, :].softmax(-1)[..., dk], logits[..., 0, :dk].argmax(-1), logits[..., -1, :dk].argmax(-1)


class PlainLM(torch.nn.Module):
    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.gpt = GPT(cfg)

    def forward(self, x, y):
        return self.gpt(x, y)

    @torch.no_grad()
    def decide(self, x):
        return self.gpt.logits(self.gpt.hidden(x)).argmax(-1), torch.zeros(x.shape, dtype=torch.long, device=x.device)


def synthetic_token_types(y: torch.Tensor, v: Vocab) -> dict[str, torch.Tensor]:
    """Masks over target positions: the answer follows a query, the separator follows the last digit."""
    example = v.n_digits + 3
    pos = (torch.arange(y.shape[1]) + 1) % example  # index of the target within its example
    return {"hard": (pos == example - 1).expand_as(y), "easy": (pos == v.n_digits).expand_as(y)}


def text_token_types(x: torch.Tensor, codec: text.Codec) -> dict[str, torch.Tensor]:
    """Masks over the targets x[:, 1:]: "hard", a token that starts a word (after whitespace, or with its own
    leading space as BPE tokens have), and "easy", one that continues a word (after a token ending in a
    letter or digit). From each token's text (codec.decode), so bytes and subword ids are typed alike; for
    bytes, hard = a letter or digit after a space or newline, easy = one after a letter or digit."""
    texts = [codec.decode([i]) for i in range(codec.vocab_size)]
    space = (" ", "\t", "\n")
    lead_space = torch.tensor([t[:1] in space for t in texts])
    word_start = torch.tensor([t.lstrip("".join(space))[:1].isalnum() for t in texts])
    space_end = torch.tensor([t[-1:] in space for t in texts])
    alnum_end = torch.tensor([t[-1:].isalnum() for t in texts])
    prev, cur = x[:, :-1], x[:, 1:]
    hard = word_start[cur] & (lead_space[cur] | space_end[prev])
    easy = alnum_end[prev] & ~lead_space[cur] & word_start[cur]
    return {"hard": hard, "easy": easy}


class Data:
    """Training batches, the fixed test set and its token types, for either corpus."""

    """Held out: synthetic training examples never have a test example's prompt (redrawn, see
    `pause_tokens.tasks.example_keys`); text windows come from the corpus before its held-out tail and
    test windows from the tail, so both have a train/test overlap of 0 by construction."""

    overlap = 0.0  # by construction, see above

    def __init__(self, p: dict, inputs: dict):
        self.p, self.exclude = p, frozenset()
        if p["corpus"] == "synthetic":
            self.v = Vocab(p["n_digits"])
            self.vocab_size, self.pause, self.seq_len = self.v.size, self.v.pause, p["per_sequence"] * (p["n_digits"] + 3)
            self.test = self.sample(p["n_test"], generator(p["seed"], 7777, 1))  # 3-tuple: no step (seed, step) stream
            self.exclude = frozenset(example_keys(corpus_examples(self.test, self.v)))
            self.types = synthetic_token_types(self.test[:, 1:], self.v)
        else:
            codec = text.codec(inputs.get("tokenizer"))  # bytes, or the subword tokenizer folder
            self.corpus = text.open_corpus(inputs["corpus"], codec)
            self.vocab_size, self.pause, self.seq_len = codec.vocab_size, codec.pause, p["seq_len"]
            self.test = text.windows(self.corpus, p["n_test"], self.seq_len, generator(p["seed"], 7777, 1),
                                     lo=len(self.corpus) - p["corpus"]["test_tokens"])
            self.types = text_token_types(self.test, codec)

    def sample(self, n: int, g: torch.Generator) -> torch.Tensor:
        p = self.p
        if p["corpus"] == "synthetic":
            return corpus(n, p["per_sequence"], p["tasks"], self.v, p["window"], g, self.exclude)
        return text.windows(self.corpus, n, self.seq_len, g, hi=len(self.corpus) - p["corpus"]["test_tokens"])


def train(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    p = params
    seed_everything(p["seed"])
    data = Data(p, inputs)
    k = 0 if p["method"] == "no_pause" else p["k"]
    cfg = GPTConfig(vocab_size=data.vocab_size, block_size=(data.seq_len - 1) * (k + 1), n_extra_outputs=int(k > 0),
                    **p["model"])
    model = PlainLM(cfg) if k == 0 else PausedLM(cfg, k, p["method"], p, data.pause)
    tokens_per_step = p["batch_size"] * (data.seq_len - 1)

    def evaluate(step: int, m) -> dict | None:
        if step % p["eval_every"] and step != p["optim"]["steps"]:
            return None
        m.eval()
        pred, used = (t.cpu() for t in m.decide(data.test[:, :-1].to(m.gpt.device)))
        target = data.test[:, 1:]
        right = pred == target
        record = {"step": step, "tokens": step * tokens_per_step,
                  **{f"{t}_accuracy": right[mask].float().mean().item() for t, mask in data.types.items()},
                  **{f"{t}_pauses": used[mask].float().mean().item() for t, mask in data.types.items()}}
        if isinstance(m, PausedLM):  # the stopping probability, and what a pause buys: last try vs first try
            p_dk, first, last = (t.cpu() for t in m.tries(data.test[:, :-1].to(m.gpt.device)))
            for t, mask in data.types.items():
                record |= {f"{t}_dont_know_prob": p_dk[mask].mean().item(),
                           f"{t}_accuracy_first_try": (first == target)[mask].float().mean().item(),
                           f"{t}_accuracy_last_try": (last == target)[mask].float().mean().item()}
        m.train()
        return record

    def batch(step: int):
        x = data.sample(p["batch_size"], generator(p["seed"], step))
        return x[:, :-1], x[:, 1:]
    t0 = time.perf_counter()
    state = fit(model, batch, OptimConfig.from_params(p["optim"]), device=runtime.device(), on_step=evaluate,
                **resumable(outputs["metrics"], p))
    write_json(outputs["metrics"], {"seed": p["seed"], "method": p["method"], "k": k, "curve": state.evals,
                                    "history": state.history, "train_seconds": time.perf_counter() - t0,
                                    OVERLAP: data.overlap})
