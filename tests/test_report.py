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
