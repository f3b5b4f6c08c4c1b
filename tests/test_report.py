"""The committed mini-scale results: every configured paper has its figures and a section in REPORT.md."""
import yaml

from conftest import REPO
from test_workflow import EXPECTED

PAPERS = yaml.safe_load((REPO / "config/config.yaml").read_text())["papers"]


def test_committed_report_lists_every_paper_and_its_figures():
    report = (REPO / "paper_figures/REPORT.md").read_text()
    for paper in PAPERS:
        assert f"## {paper}:" in report, f"REPORT.md has no section for {paper}"
        for name in EXPECTED[paper]:
            assert (REPO / "paper_figures" / paper / name).is_file(), f"paper_figures/{paper}/{name} is not committed"


def _run(root, verdicts):
    """A fake run folder whose paper 'p' has claims c0, c1, ... with the given verdicts."""
    import json
    from repro.core import claims as C
    d = root / "paper_figures" / "p"
    d.mkdir(parents=True)
    claims = [C.claim(f"c{i}", "s", "v", measured={"x": [1.0, 2.0, 3.0]},
                      check=C.Check(v, "t", "t-test over seeds", 2.0, (1.0, 3.0), 0.0, 3)) for i, v in enumerate(verdicts)]
    C.write_claims(d / "claims.json", "p", "P", "mini", claims)
    return json.loads((d / "claims.json").read_text())


def test_headline_verdict_holds_for_both_seed_sets(tmp_path, monkeypatch):
    import importlib.util
    import json
    from repro.core import claims as C
    from repro.core.report import write_report
    spec = importlib.util.spec_from_file_location("robustness", REPO / "bench/robustness.py")
    rob = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(rob)
    _run(tmp_path / "a", [C.REPRODUCED, C.REPRODUCED, C.NOT_REPRODUCED])
    _run(tmp_path / "b", [C.REPRODUCED, C.INCONCLUSIVE, C.NOT_REPRODUCED])
    rob.main(str(tmp_path / "a"), str(tmp_path / "b"), str(tmp_path / "a" / "paper_figures"))
    combined = json.loads((tmp_path / "a/paper_figures/robustness.json").read_text())
    assert [combined[f"p/c{i}"]["combined"] for i in range(3)] == [C.REPRODUCED, C.INCONCLUSIVE, C.NOT_REPRODUCED]
    doc = json.loads((tmp_path / "a/paper_figures/p/claims.json").read_text())
    assert doc["claims"][1]["by_seed_set"]["B"]["verdict"] == C.INCONCLUSIVE
    assert doc["claims"][1]["robust_verdict"] == C.INCONCLUSIVE
    monkeypatch.chdir(tmp_path / "a")
    out = tmp_path / "a/paper_figures/REPORT.md"
    write_report({"papers": {"p": []}, "scale": "mini"}, {"claims": ["paper_figures/p/claims.json"]},
                 {"report": str(out)}, 1)
    table = [l for l in out.read_text().splitlines() if l.startswith("| p | c1 |")]
    assert table and "| inconclusive | reproduced | inconclusive |" in table[0]
    # a stale seed-set-B file (made from other A verdicts) lends nothing to new numbers
    stale = _run(tmp_path / "c", [C.NOT_REPRODUCED, C.REPRODUCED, C.REPRODUCED])
    (tmp_path / "a/paper_figures/p/claims.json").write_text(json.dumps(stale))
    write_report({"papers": {"p": []}, "scale": "mini"}, {"claims": ["paper_figures/p/claims.json"]},
                 {"report": str(out)}, 1)
    text = out.read_text()
    assert "| p | c0 | not reproduced (seeds A only) | not reproduced | – |" in text


def test_a_paper_not_run_with_seed_set_b_stays_seed_set_a_only(tmp_path):
    import importlib.util
    import json
    from repro.core import claims as C
    spec = importlib.util.spec_from_file_location("robustness", REPO / "bench/robustness.py")
    rob = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(rob)
    _run(tmp_path / "a", [C.REPRODUCED])
    (tmp_path / "b" / "paper_figures").mkdir(parents=True)  # B ran nothing
    rob.main(str(tmp_path / "a"), str(tmp_path / "b"), str(tmp_path / "a" / "paper_figures"))
    assert json.loads((tmp_path / "a/paper_figures/robustness.json").read_text()) == {}
    assert "robust_verdict" not in json.loads((tmp_path / "a/paper_figures/p/claims.json").read_text())["claims"][0]


def test_an_unchanged_paper_keeps_its_recorded_seed_set_b_and_a_rerun_paper_does_not(tmp_path):
    """`make robustness` may re-run B for the changed papers only: a paper absent from RUN_B keeps the B
    record an earlier run wrote, but only while its A verdict and statistic are the ones B was paired with."""
    import importlib.util
    import json
    from repro.core import claims as C
    spec = importlib.util.spec_from_file_location("robustness", REPO / "bench/robustness.py")
    rob = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(rob)
    _run(tmp_path / "a", [C.REPRODUCED, C.REPRODUCED])
    _run(tmp_path / "b", [C.REPRODUCED, C.INCONCLUSIVE])
    out = tmp_path / "a" / "paper_figures"
    rob.main(str(tmp_path / "a"), str(tmp_path / "b"), str(out))
    (tmp_path / "empty" / "paper_figures").mkdir(parents=True)      # second pass: B re-ran nothing
    rob.main(str(tmp_path / "a"), str(tmp_path / "empty"), str(out))
    combined = json.loads((out / "robustness.json").read_text())
    assert [combined[f"p/c{i}"]["combined"] for i in range(2)] == [C.REPRODUCED, C.INCONCLUSIVE]
    doc = json.loads((out / "p/claims.json").read_text())             # A re-run with another result
    doc["claims"][0]["verdict"] = C.NOT_REPRODUCED
    (out / "p/claims.json").write_text(json.dumps(doc))
    rob.main(str(tmp_path / "a"), str(tmp_path / "empty"), str(out))
    assert "p/c0" not in json.loads((out / "robustness.json").read_text())


def test_a_paper_without_benchmark_files_says_its_cost_was_not_measured(tmp_path, monkeypatch):
    from repro.core import claims as C
    from repro.core.report import write_report
    _run(tmp_path, [C.REPRODUCED])
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "paper_figures/REPORT.md"
    write_report({"papers": {"p": []}, "scale": "mini"}, {"claims": ["paper_figures/p/claims.json"]}, {"report": str(out)}, 1)
    text = out.read_text()
    assert "Cost: not measured here (no benchmark files under results/p/benchmarks)" in text and "nan" not in text
    bench = tmp_path / "results/p/benchmarks"
    bench.mkdir(parents=True)
    (bench / "train.tsv").write_text("s\th:m:s\tmax_rss\n12.5\t0:00:12\t300.0\n")
    write_report({"papers": {"p": []}, "scale": "mini"}, {"claims": ["paper_figures/p/claims.json"]}, {"report": str(out)}, 1)
    assert "Cost: 1 benchmarked jobs, 12 s of job wall time in total, peak RSS 300 MB" in out.read_text()


def test_the_cost_section_gives_job_time_per_paper_and_the_run_wall_time(tmp_path, monkeypatch):
    """Wall time = first job's start (its benchmark file's mtime minus its seconds) to the last job's end."""
    import os

    from repro.core import claims as C
    from repro.core.report import write_report
    _run(tmp_path, [C.REPRODUCED])
    monkeypatch.chdir(tmp_path)
    bench = tmp_path / "results/p/benchmarks"
    bench.mkdir(parents=True)
    for name, seconds, end in [("a", 60.0, 1000.0), ("b", 30.0, 1300.0)]:
        (bench / f"{name}.tsv").write_text(f"s\th:m:s\tmax_rss\n{seconds}\t0:01:00\t300.0\n")
        os.utime(bench / f"{name}.tsv", (end, end))
    out = tmp_path / "paper_figures/REPORT.md"
    write_report({"papers": {"p": []}, "scale": "mini"}, {"claims": ["paper_figures/p/claims.json"]}, {"report": str(out)}, 1)
    text = out.read_text()
    assert "Job time, all papers: 1.5 min. Wall time: 6.0 min from the first job's start" in text  # 1300 - (1000 - 60)
    assert "| p | 2 | 90 | 300 |" in text
