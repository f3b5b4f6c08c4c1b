# Hub image sets of the image papers at full scale (MNIST, CIFAR-10/100, SVHN), each downloaded once.
# Downloads run on the submitting host (localrules): cluster compute nodes often have no network, so the
# training jobs read only results/data/images/<name> (their input `images`, common.smk image_input).

localrules:
    fetch_images,


rule fetch_images:
    """The train split of one hub image set, decoded to uint8 [C, H, W] and saved as a `datasets` folder."""
    output:
        images=directory("results/data/images/{image_set}"),
    wildcard_constraints:
        image_set="|".join(IMAGE_SOURCES) or "(?!x)x",
    params:
        stage="data.images.fetch_images",
        code=code_version("data.images.fetch_images"),
        cfg=lambda w: IMAGE_SOURCES[w.image_set],
    resources:
        mem_mb=16000,
        runtime=120,
    log:
        "results/data/logs/fetch_images_{image_set}.log",
    conda:
        TORCH_ENV
    script:
        STAGE
