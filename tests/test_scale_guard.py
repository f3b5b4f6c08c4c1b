"""One output tree, one scale (repro.core.scale): a full-scale or smoke run in the checkout, whose
paper_figures/ holds the committed mini results, would otherwise take the mini figures for its own."""
import json

import pytest

from conftest import REPO
from repro.core.scale import check_output_scale, scale_mismatches


def test_a_run_refuses_a_tree_of_another_scale(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a/claims.json").write_text(json.dumps({"scale": "mini", "claims": []}))
    (tmp_path / "b").mkdir()
    (tmp_path / "b/claims.json").write_text("{half-written")  # unreadable: the run rewrites it
    check_output_scale(tmp_path, "mini")
    assert scale_mismatches(tmp_path, "full") == [f"{tmp_path}/a/claims.json (mini)"]
    with pytest.raises(ValueError, match="--directory runs/full"):
        check_output_scale(tmp_path, "full")


def test_the_checkout_holds_mini_results_only():
    assert scale_mismatches(REPO / "paper_figures", "mini") == []
    assert len(scale_mismatches(REPO / "paper_figures", "full")) >= 22
