# nagarajan-repro: one DAG that reproduces the papers of Vaishnavh Nagarajan.
# Mini scale by default; `--configfile config/full.yaml` for paper scale. See README.md.
import os
import sys

from snakemake.utils import min_version, validate

min_version("9.0")
sys.path.insert(0, os.path.join(workflow.basedir, "workflow"))  # this checkout's `repro`, also in a copy

from repro.core.configtypes import coerce_file


configfile: os.path.join(workflow.basedir, "config", "config.yaml")  # also under --directory


# `--config key=value` values arrive as strings: give them the types the schema declares, then validate.
coerce_file(config, os.path.join(workflow.basedir, "workflow/schemas/config.schema.yaml"))
validate(config, "workflow/schemas/config.schema.yaml")

from repro.core.scale import check_output_scale

check_output_scale("paper_figures", config["scale"])  # mini and full results never share one tree


include: "workflow/rules/common.smk"
include: "workflow/rules/text_data.smk"
include: "workflow/rules/images.smk"
include: "workflow/rules/hub_models.smk"
include: "workflow/rules/ntp_pitfalls.smk"
include: "workflow/rules/gan_stability.smk"
include: "workflow/rules/algorithm_configuration.smk"
include: "workflow/rules/lifelong_features.smk"
include: "workflow/rules/adversarial_risk.smk"
include: "workflow/rules/ood_failure_modes.smk"
include: "workflow/rules/local_explainability.smk"
include: "workflow/rules/safe_exploration.smk"
include: "workflow/rules/rl_decision_trees.smk"
include: "workflow/rules/distance_from_init.smk"
include: "workflow/rules/uniform_convergence.smk"
include: "workflow/rules/pac_bayes_noise.smk"
include: "workflow/rules/disagreement.smk"
include: "workflow/rules/thesis.smk"
include: "workflow/rules/kd_deviations.smk"
include: "workflow/rules/memorisation_scaling.smk"
include: "workflow/rules/resmem.smk"
include: "workflow/rules/geometric_memory.smk"
include: "workflow/rules/creativity.smk"
include: "workflow/rules/pause_tokens.smk"
include: "workflow/rules/catch_your_breath.smk"
include: "workflow/rules/downscaling.smk"
include: "workflow/rules/report.smk"


report: "workflow/report/workflow.rst"


rule all:
    default_target: True
    input:
        paper_targets(),
        "paper_figures/REPORT.md",
