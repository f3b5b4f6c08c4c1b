# Helpers shared by every paper's rules: the paper list, resources, targets, code versions.
import math
import re

from repro.core.codeversion import CodeIndex

PAPERS = config["papers"]
STAGE = "../scripts/stage.py"  # the one Snakemake → Python adapter (relative to rules/)
TORCH_ENV = "../../envs/torch.yaml"
OPT_ENV = "../../envs/opt.yaml"


wildcard_constraints:
    seed=r"\d+",
    chunk=r"\d+",


def train_resources(section, resumable=False, cpu_only=False, one_attempt=False):
    """mem_mb/runtime for a compute rule, plus the GPU tags when the scale asks for a GPU: `gpu=N` (the
    SLURM plugin's --gpus=N), or `gres="gpu:N"` (--gres=gpu:N) with `--config gpu_request=gres`
    (profiles/slurm). `resumable`: the rule's stage resumes from its checkpoint, so its `total_runtime`
    may exceed one attempt's `runtime` (train_retries); any other rule must finish in one attempt.
    `one_attempt`: a rule that shares the section's resources with resumable training rules but only
    evaluates (one attempt's `runtime`, whatever `total_runtime` the training rules get). With
    `cpu_only`, a stage that never uses a GPU (torch on the CPU by design) gets no GPU tag at any scale."""
    r = config[section]["resources"]["train"]
    res = {"mem_mb": r["mem_mb"], "runtime": r["runtime"]}
    if r.get("total_runtime", 0) > r["runtime"] and not (resumable or one_attempt):
        raise ValueError(f"{section}: resources.train.total_runtime {r['total_runtime']} > runtime {r['runtime']} "
                         "minutes, but this training stage does not resume from a checkpoint: a job cut at its "
                         "time limit would start over; raise runtime instead")
    if r.get("gpu", 0) > 0 and not cpu_only:
        if config.get("gpu_request", "gpus") == "gres":
            res |= {"gres": f"gpu:{r['gpu']}", "gpu_manufacturer": "nvidia"}
        else:
            res |= {"gpu": r["gpu"], "gpu_manufacturer": "nvidia"}
    return res


def train_retries(section):
    """The `retries` of a resumable training rule, one whose stage trains with repro.nn.trainer's checkpoints. A
    job that needs `total_runtime` minutes, more than one attempt's `runtime` (the partition's limit),
    continues from its last checkpoint on the next attempt; ceil(total / runtime) retries give it one
    attempt more than it needs (a preemption, a slow node). None without total_runtime: the profile's
    --retries."""
    r = config[section]["resources"]["train"]
    if "total_runtime" not in r:
        return None
    return math.ceil(r["total_runtime"] / r["runtime"])


def light_resources(section):
    r = config[section]["resources"]["light"]
    return {"mem_mb": r["mem_mb"], "runtime": r["runtime"]}


CODE = CodeIndex(workflow.basedir)  # this checkout's workflow/repro and workflow/scripts/stage.py


def code_version(stage):
    """Every rule's `params: code=`: a digest of the code its stage runs (repro.core.codeversion), so the
    params rerun trigger reruns the jobs whose code changed; comments and docstrings do not count."""
    return CODE.version(stage)


def image_sources():
    """name → image source of every hub image set in the config (a `source` mapping with a hub_id, in any
    paper's section), each downloaded once by fetch_images (images.smk). Mini scale has none (bundled digits)."""
    found = {}

    def walk(node):
        if isinstance(node, dict):
            src = node.get("source")
            if isinstance(src, dict) and src.get("name") != "digits" and "hub_id" in src:
                if found.setdefault(src["name"], src) != src:
                    raise ValueError(f"image set {src['name']!r} names two sources: {found[src['name']]} and {src}; "
                                     "give them different names")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(dict(config))
    return found


IMAGE_SOURCES = image_sources()


def image_input(source):
    """A training rule's input `images`: the fetch_images folder of a hub image set (jobs read only the
    disk, never the hub); nothing for the bundled digits."""
    return {} if source["name"] == "digits" else {"images": f"results/data/images/{source['name']}"}


PAPER_TARGETS = {}  # slug -> list of final artefacts; filled by each paper's rules file


def paper_targets():
    return [t for slug in PAPERS for t in PAPER_TARGETS[slug]]


# Hub checkpoints (full scale; rules/hub_models.smk downloads them).
def hub_model_specs():
    """name → {hub_id, revision?, local_dir?} of every hub checkpoint the config names: downscaling.hub.models,
    creativity.finetune (its `name`) and the text corpora's tokenizers (pause_tokens / catch_your_breath
    corpus.tokenizer). Mini scale names none. Raises ValueError for one name given two specs."""
    found = {}
    named = list(config.get("downscaling", {}).get("hub", {}).get("models", {}).items())
    spec_of = lambda d: {k: v for k, v in d.items() if k in ("hub_id", "revision", "local_dir")}  # noqa: E731
    if "finetune" in config.get("creativity", {}):
        ft = config["creativity"]["finetune"]
        named.append((ft["name"], spec_of(ft)))
    for paper in ("pause_tokens", "catch_your_breath"):
        if (tok := corpus_tokenizer(paper)) is not None:
            named.append((tok["name"], spec_of(tok)))
    for name, spec in named:
        if found.setdefault(name, spec) != spec:
            raise ValueError(f"hub model {name!r} is given two specs: {found[name]} and {spec}; name them apart")
    return found


def corpus_tokenizer(paper):
    """The hub tokenizer spec of a paper's text corpus (config[paper].corpus.tokenizer), or None (bytes)."""
    corpus = config.get(paper, {}).get("corpus")
    return corpus.get("tokenizer") if isinstance(corpus, dict) else None


def tokenizer_input(paper):
    """A text job's input `tokenizer` (the tokenizer's checkpoint folder), or nothing for the bytes codec."""
    tok = corpus_tokenizer(paper)
    return {} if tok is None else {"tokenizer": hub_input(tok["name"])["checkpoint"]}


HUB_MODELS = hub_model_specs()


def hub_input(name):
    """A job's input `checkpoint`: the model's `local_dir` when the config gives one, else the folder that
    fetch_hub_model writes (jobs read only the disk, never the hub)."""
    spec = HUB_MODELS[name]
    return {"checkpoint": spec.get("local_dir") or f"results/models/hub/{name}"}


def creativity_metrics(task, arm, seed):
    """A run's metrics file: finetuned from GPT-2 (creativity_train_finetune) or trained from scratch (creativity_train)."""
    finetune = config["creativity"].get("finetune", {})
    finetuned = task in finetune.get("tasks", []) and arm in finetune.get("arms", [])
    return f"results/creativity/{task}/{arm}/{'finetuned/' if finetuned else ''}seed{seed}.json"
