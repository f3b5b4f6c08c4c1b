# Data shared by the language-model papers at full scale (mini scale generates its own).
# Downloads run on the submitting host: cluster compute nodes often have no network.

localrules:
    fetch_text_corpus,
    pause_tokens_fetch_task,


rule fetch_text_corpus:
    """A paper's text corpus as token ids (full scale: streamed from the hub, e.g. C4; repro.data.text): UTF-8
    bytes, or the ids of the corpus's tokenizer (fetched by fetch_hub_model)."""
    input:
        unpack(lambda w: tokenizer_input(w.corpus_paper)),
    output:
        corpus="results/{corpus_paper}/data/corpus.bin",
        spec="results/{corpus_paper}/data/corpus.json",
    wildcard_constraints:
        corpus_paper="pause_tokens|catch_your_breath",
    params:
        stage="data.text.fetch_corpus",
        code=code_version("data.text.fetch_corpus"),
        cfg=lambda w: config[w.corpus_paper]["corpus"],
    resources:
        mem_mb=4000,
        runtime=lambda w: config[w.corpus_paper]["corpus"]["fetch_runtime"],
    log:
        "results/{corpus_paper}/logs/fetch_corpus.log",
    conda:
        "../../envs/hf.yaml"  # torch.yaml plus transformers / tokenizers (a subword corpus)
    script:
        STAGE
