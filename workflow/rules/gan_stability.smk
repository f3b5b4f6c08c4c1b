# Gradient descent GAN optimization is locally stable (Nagarajan & Kolter, 2017).
# toy dynamics (one job) + ring-of-Gaussians GANs and image GANs (one job per data × η × seed) → render.

GAN = config["gan_stability"]
GAN_FIGS = "paper_figures/gan_stability"
GAN_IMAGES = {x["name"]: x for x in GAN["image_sets"]}
PAPER_TARGETS["gan_stability"] = [
    f"{GAN_FIGS}/{f}"
    for f in [
        "vector_fields.png", "vector_fields.pdf", "toy_distance.png", "toy_distance.pdf",
        "ring_modes.png", "ring_modes.pdf", "ring_samples.png", "ring_samples.pdf",
        "ring_table.md", "ring_table.tex", "ring_table.csv", "image_coverage.png", "image_coverage.pdf",
        "image_samples.png", "image_samples.pdf", "claims.json",
    ]
]


wildcard_constraints:
    gan_eta=r"\d+(\.\d+)?",
    gan_images="|".join(GAN_IMAGES),


rule gan_stability_toy:
    output:
        toy="results/gan_stability/toy.json",
    params:
        stage="gan_stability.toy_dynamics",
        code=code_version("gan_stability.toy_dynamics"),
        cfg=GAN["toy"],
    resources:
        **light_resources("gan_stability"),
    log:
        "results/gan_stability/logs/toy.log",
    benchmark:
        "results/gan_stability/benchmarks/toy.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule gan_stability_train_ring:
    output:
        metrics="results/gan_stability/ring/eta{gan_eta}/seed{seed}.json",
    params:
        stage="gan_stability.train_ring",
        code=code_version("gan_stability.train_ring"),
        cfg=lambda w: GAN["ring"] | {"eta": float(w.gan_eta), "seed": int(w.seed)},
    threads: GAN["threads"]
    resources:
        **train_resources("gan_stability"),
    log:
        "results/gan_stability/logs/ring_eta{gan_eta}_seed{seed}.log",
    benchmark:
        "results/gan_stability/benchmarks/ring_eta{gan_eta}_seed{seed}.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule gan_stability_train_images:
    input:
        unpack(lambda w: image_input(GAN_IMAGES[w.gan_images]["source"])),
    output:
        metrics="results/gan_stability/images/{gan_images}/eta{gan_eta}/seed{seed}.json",
    params:
        stage="gan_stability.train_images",
        code=code_version("gan_stability.train_images"),
        cfg=lambda w: GAN_IMAGES[w.gan_images] | {"eta": float(w.gan_eta), "seed": int(w.seed)},
    threads: GAN["threads"]
    resources:
        **train_resources("gan_stability"),
    log:
        "results/gan_stability/logs/images_{gan_images}_eta{gan_eta}_seed{seed}.log",
    benchmark:
        "results/gan_stability/benchmarks/images_{gan_images}_eta{gan_eta}_seed{seed}.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


# batch_seeds (default): all seeds of one (data, η) train side by side in one job (the same numbers as one
# job per seed: each seed's init, batches and optimizer state are its own). Any other seed, e.g. one asked for
# by path, still trains alone.
if GAN.get("batch_seeds", True) and len(GAN["seeds"]) > 1:

    use rule gan_stability_train_ring as gan_stability_train_ring_seeds with:
        output:
            metrics=expand("results/gan_stability/ring/eta{{gan_eta}}/seed{seed}.json", seed=GAN["seeds"]),
        params:
            cfg=lambda w: GAN["ring"] | {"eta": float(w.gan_eta), "seeds": GAN["seeds"]},
        log:
            "results/gan_stability/logs/ring_eta{gan_eta}_seeds.log",
        benchmark:
            "results/gan_stability/benchmarks/ring_eta{gan_eta}_seeds.tsv"

    use rule gan_stability_train_images as gan_stability_train_images_seeds with:
        output:
            metrics=expand("results/gan_stability/images/{{gan_images}}/eta{{gan_eta}}/seed{seed}.json", seed=GAN["seeds"]),
        params:
            cfg=lambda w: GAN_IMAGES[w.gan_images] | {"eta": float(w.gan_eta), "seeds": GAN["seeds"]},
        log:
            "results/gan_stability/logs/images_{gan_images}_eta{gan_eta}_seeds.log",
        benchmark:
            "results/gan_stability/benchmarks/images_{gan_images}_eta{gan_eta}_seeds.tsv"

    ruleorder: gan_stability_train_ring_seeds > gan_stability_train_ring
    ruleorder: gan_stability_train_images_seeds > gan_stability_train_images


rule gan_stability_render:
    input:
        toy="results/gan_stability/toy.json",
        ring=expand("results/gan_stability/ring/eta{e}/seed{s}.json", e=GAN["etas"], s=GAN["seeds"]),
        images=expand(
            "results/gan_stability/images/{i}/eta{e}/seed{s}.json", i=GAN_IMAGES, e=GAN["etas"], s=GAN["seeds"]
        ),
    output:
        fields_png=report(f"{GAN_FIGS}/vector_fields.png", caption="../report/gan_stability_fields.rst", category="gan_stability"),
        fields_pdf=f"{GAN_FIGS}/vector_fields.pdf",
        distance_png=report(f"{GAN_FIGS}/toy_distance.png", caption="../report/gan_stability_distance.rst", category="gan_stability"),
        distance_pdf=f"{GAN_FIGS}/toy_distance.pdf",
        modes_png=report(f"{GAN_FIGS}/ring_modes.png", caption="../report/gan_stability_modes.rst", category="gan_stability"),
        modes_pdf=f"{GAN_FIGS}/ring_modes.pdf",
        samples_png=report(f"{GAN_FIGS}/ring_samples.png", caption="../report/gan_stability_samples.rst", category="gan_stability"),
        samples_pdf=f"{GAN_FIGS}/ring_samples.pdf",
        coverage_png=report(f"{GAN_FIGS}/image_coverage.png", caption="../report/gan_stability_images.rst", category="gan_stability"),
        coverage_pdf=f"{GAN_FIGS}/image_coverage.pdf",
        image_samples_png=report(f"{GAN_FIGS}/image_samples.png", caption="../report/gan_stability_images.rst", category="gan_stability"),
        image_samples_pdf=f"{GAN_FIGS}/image_samples.pdf",
        table=f"{GAN_FIGS}/ring_table.md",
        table_tex=f"{GAN_FIGS}/ring_table.tex",
        table_csv=f"{GAN_FIGS}/ring_table.csv",
        claims=f"{GAN_FIGS}/claims.json",
    params:
        stage="gan_stability.render",
        code=code_version("gan_stability.render"),
        cfg={"scale": config["scale"]},
    resources:
        **light_resources("gan_stability"),
    log:
        "results/gan_stability/logs/render.log",
    benchmark:
        "results/gan_stability/benchmarks/render.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule gan_stability:
    input:
        PAPER_TARGETS["gan_stability"],
