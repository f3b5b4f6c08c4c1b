# Pretrained checkpoints and tokenizers from the Hugging Face hub (full scale: downscaling's OPT / Pythia, creativity's
# GPT-2), each downloaded once. Downloads run on the submitting host (localrules): cluster compute nodes often have
# no network, so the GPU jobs read only results/models/hub/<name> (or a config `local_dir`; hub_input below).
import re

def hub_model_specs():
    """name → {hub_id, revision?, local_dir?} of every hub checkpoint the config names: downscaling.hub.models
    and creativity.finetune (its `name`). Mini scale names none. Raises ValueError for one name given two specs."""
    found = {}
    named = list(config.get("downscaling", {}).get("hub", {}).get("models", {}).items())
    if "finetune" in config.get("creativity", {}):
        ft = config["creativity"]["finetune"]
        named.append((ft["name"], {k: v for k, v in ft.items() if k in ("hub_id", "revision", "local_dir")}))
    for name, spec in named:
        if found.setdefault(name, spec) != spec:
            raise ValueError(f"hub model {name!r} is given two specs: {found[name]} and {spec}; name them apart")
    return found


HUB_MODELS = hub_model_specs()


def hub_input(name):
    """A job's input `checkpoint`: the model's `local_dir` when the config gives one, else the folder that
    fetch_hub_model writes (jobs read only the disk, never the hub)."""
    spec = HUB_MODELS[name]
    return {"checkpoint": spec.get("local_dir") or f"results/models/hub/{name}"}


localrules:
    fetch_hub_model,


rule fetch_hub_model:
    """A hub repo's snapshot (config, safetensors weights, tokenizer files) as a checkpoint folder."""
    output:
        checkpoint=directory("results/models/hub/{hub_model}"),
    wildcard_constraints:
        hub_model="|".join(re.escape(n) for n in HUB_MODELS) or "(?!x)x",
    params:
        stage="nn.hf.fetch_checkpoint",
        code=code_version("nn.hf.fetch_checkpoint"),
        cfg=lambda w: HUB_MODELS[w.hub_model],
    resources:
        mem_mb=8000,
        runtime=240,
    log:
        "results/models/logs/fetch_{hub_model}.log",
    conda:
        "../../envs/hf.yaml"  # torch.yaml plus transformers / tokenizers
    script:
        STAGE
