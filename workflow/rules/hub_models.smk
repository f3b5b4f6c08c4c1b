# Pretrained checkpoints and tokenizers from the Hugging Face hub (full scale: downscaling's OPT / Pythia, creativity's
# GPT-2), each downloaded once. Downloads run on the submitting host (localrules): cluster compute nodes often have
# no network, so the GPU jobs read only results/models/hub/<name> (or a config `local_dir`; hub_input in common.smk).
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
