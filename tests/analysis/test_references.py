import dataclasses
import itertools
import statistics
import subprocess
import sys

import pytest
from omegaconf import OmegaConf

from tests.analysis.test_table import result, write_run
from tests.conftest import REPO_ROOT
from transferbench.analysis.formats import to_csv, to_latex, to_markdown
from transferbench.analysis.references import Protocol, Reference, choose_references, load_references
from transferbench.analysis.table import build_table
from transferbench.config import CONF_DIR, group_choices
from transferbench.errors import UserError

MAKE_TABLE = str(REPO_ROOT / "scripts" / "make_table.py")
SAME = Protocol(iterations=100, batch_size=32, selection="last", text="100 iterations of 32")
PAPER = Reference(
    "paper", "Someone et al., 2020, Table 1", {("dann", "a"): 90.0, ("source_only", "a"): 70.0}, "Paper", SAME
)
OTHER = Reference("other", "Other, 2021", {("dann", "a"): 50.0, ("dann", "b"): 80.5}, "Other")


def our_task_names() -> set[str]:
    """Every dataset YAML's ``name``, for each ordered pair of ``domains`` where it lists them."""
    names = set()
    for choice in group_choices("dataset"):
        dataset = OmegaConf.load(CONF_DIR / "dataset" / f"{choice}.yaml")
        if "domains" not in dataset:
            names.add(dataset.name)
        for dataset.source, dataset.target in itertools.permutations(dataset.get("domains", []), 2):
            names.add(dataset.name)
    return names


def test_published_numbers_use_our_method_and_task_names():
    references = load_references()
    assert list(references) == ["dann_jmlr2016", "dann_icml2015", "tllib", "jan_icml2017"]
    methods = {method for reference in references.values() for method, _ in reference.accuracy}
    tasks = {task for reference in references.values() for task in reference.tasks}
    assert methods <= set(group_choices("method"))
    assert tasks <= our_task_names()
    assert all(reference.source for reference in references.values())


@pytest.mark.parametrize(
    ("method", "average"),
    [("source_only", 76.1), ("ddc", 78.3), ("dan", 80.4), ("dann", 82.2), ("jan", 84.3), ("jan_a", 84.6)],
)
def test_office31_rows_average_to_the_published_avg(method, average):
    """JAN (ICML 2017) Table 1 prints an Avg column; our six entries must reproduce it."""
    jan = load_references()["jan_icml2017"]
    values = [jan.accuracy[method, task] for task in sorted(jan.tasks)]
    assert round(statistics.fmean(values), 1) == pytest.approx(average)


def test_transcribed_numbers_spot_check():
    references = load_references()
    assert references["dann_jmlr2016"].accuracy["dann", "mnist_mnistm"] == 76.66
    assert references["dann_icml2015"].accuracy["train_on_target", "mnist_mnistm"] == 98.91
    assert references["tllib"].accuracy["cdan", "usps_mnist"] == 97.7
    assert references["jan_icml2017"].accuracy["jan_a", "office31_webcam_amazon"] == 70.7


@pytest.mark.parametrize(
    ("task", "method", "printed"),
    [("mnist_mnistm", "subspace_alignment", 7.9), ("mnist_mnistm", "dann", 57.9),
     ("svhn_mnist", "subspace_alignment", 9.9), ("svhn_mnist", "dann", 42.6)],
)
def test_icml2015_numbers_reproduce_the_gap_closed_the_paper_prints(task, method, printed):
    accuracy = load_references()["dann_icml2015"].accuracy
    low, high = accuracy["source_only", task], accuracy["train_on_target", task]
    assert round(100 * (accuracy[method, task] - low) / (high - low), 1) == printed


def test_protocols_say_what_each_publication_trained_and_selected():
    references = load_references()
    tllib = references["tllib"].protocol
    assert (tllib.iterations, tllib.batch_size, tllib.selection) == (50000, 128, "oracle")
    assert "4636534faa0e230b2d80ac175b7324426c2bdf0b" in references["tllib"].source
    assert references["dann_jmlr2016"].protocol.iterations is None
    assert all(reference.protocol.text for reference in references.values())


def test_each_task_takes_every_covering_reference_in_order():
    references = {"paper": PAPER, "other": OTHER}
    chosen = choose_references(references, ["a", "b", "c"])
    assert chosen == {"a": [PAPER, OTHER], "b": [OTHER]}
    assert choose_references(references, ["a"], ["other"]) == {"a": [OTHER]}
    with pytest.raises(UserError, match="unknown reference 'nope'; choose one of: paper, other"):
        choose_references(references, ["a"], ["nope"])


@pytest.mark.parametrize(
    ("text", "message"),
    [("paper: {source: x, tasks: [a, b], accuracy: {dann: [90.0]}}\n", "reference 'paper', method 'dann' needs 2"),
     ("paper: {source: x, tasks: [a], accuracy: {dann: [90.0]}, protocol: {selection: best}}\n",
      "reference 'paper' protocol takes iterations, batch_size, selection \\(last or oracle\\) and text")],
)
def test_a_malformed_references_file_is_one_clear_error(tmp_path, text, message):
    path = tmp_path / "references.yaml"
    path.write_text(text)
    with pytest.raises(UserError, match=message):
        load_references(path)


def referenced_table(references=None, iterations=100):
    results = [result("dann", "a", s, acc) for s, acc in enumerate([91.0, 93.0])]
    results += [result("dann", "b", 0, 80.0), result("source_only", "a", 0, 71.0), result("jan", "a", 0, 75.0)]
    for run in results:
        run["config"]["trainer"] = {"iterations": iterations, "batch_size": 32}
    references = references or {"a": [PAPER, OTHER], "b": [OTHER]}
    return dataclasses.replace(build_table(results), references=references)


def test_markdown_puts_each_publication_and_its_delta_beside_each_task():
    markdown = to_markdown(referenced_table())
    assert "| method | a | Paper | Δ | Other | Δ | b | Other | Δ | Avg | Other | Δ |" in markdown
    assert "| source_only | 71.00 (n=1) | 70.0 | +1.00 | — | — | — | — | — | — | — | — |" in markdown
    assert "| dann | 92.00 ± 1.41 (n=2) | 90.0 | +2.00 | 50.0 | +42.00* | 80.00 (n=1) | 80.5 | -0.50* " in markdown
    assert "| 86.00 | 65.25 | +20.75* |" in markdown
    assert "| jan | 75.00 (n=1) | — | — | — | — |" in markdown
    assert "- Paper (a): Someone et al., 2020, Table 1. Protocol: 100 iterations of 32" in markdown
    assert "- Other (a, b): Other, 2021." in markdown


def test_a_delta_against_another_protocol_is_marked():
    assert "+2.00 |" in to_markdown(referenced_table(iterations=100))
    assert "+2.00* |" in to_markdown(referenced_table(iterations=5000))
    oracle = dataclasses.replace(referenced_table(), metric="oracle_target_acc")
    assert "+2.00* |" in to_markdown(oracle)


def test_only_covered_tasks_get_published_columns():
    table = referenced_table({"a": [PAPER]})
    assert "| method | a | Paper | Δ | b | Avg |" in to_markdown(table)


def test_csv_and_latex_carry_the_same_published_numbers():
    table = referenced_table()
    csv = to_csv(table)
    assert "dann,a,target_acc,92.0000,1.4142,2,91.0000 93.0000,,90,2.0000,True,\"Someone et al., 2020, Table 1\"" in csv
    assert "dann,a,target_acc,92.0000,1.4142,2,91.0000 93.0000,,50,42.0000,False,\"Other, 2021\"" in csv
    assert "jan,a,target_acc,75.0000,0.0000,1,75.0000,,,,," in csv
    latex = to_latex(table)
    assert "Method & a & Paper & $\\Delta$ & Other & $\\Delta$ & b & Other & $\\Delta$ & Avg & Other & $\\Delta$ \\\\" in latex
    assert "dann & 92.0$\\pm$1.4 & 90.0 & +2.0 & 50.0 & +42.0* & 80.0$\\pm$0.0 & 80.5 & -0.5* & 86.0 & 65.25 & +20.8* \\\\" in latex
    assert "% Paper (a): Someone et al., 2020, Table 1." in latex


def test_gap_closed_spans_source_only_and_train_on_target():
    results = [result("source_only", "a", s, acc) for s, acc in enumerate([50.0, 60.0])]
    results += [result("train_on_target", "a", 0, 95.0), result("dann", "a", 0, 75.0), result("dann", "b", 0, 70.0)]
    table = dataclasses.replace(build_table(results), gap_closed=True)
    assert table.rows == ["source_only", "dann", "train_on_target"]
    assert table.gap("dann", "a") == pytest.approx(50.0)
    assert table.gap("dann", "b") is None
    markdown = to_markdown(table)
    assert "| method | a | gap % | b | gap % | Avg |" in markdown
    assert "| dann | 75.00 (n=1) | 50.00 | 70.00 (n=1) | — | 72.50 |" in markdown
    assert "| source_only | 55.00 ± 7.07 (n=2) | 0.00 |" in markdown
    assert "| train_on_target | 95.00 (n=1) | 100.00 |" in markdown
    assert "dann,a,target_acc,75.0000,0.0000,1,75.0000,50.0000,,,," in to_csv(table)


def test_without_references_the_table_is_unchanged():
    table = build_table([result("dann", "a", 0, 90.0)])
    assert "Δ" not in to_markdown(table) + to_latex(table)
    assert "dann,a,target_acc,90.0000,0.0000,1,90.0000,,,,," in to_csv(table)


def test_make_table_shows_published_numbers_by_default(tmp_path):
    for seed, acc in enumerate([90.0, 92.0]):
        write_run(tmp_path / f"dann{seed}", result("dann", "mnist_usps", seed, acc))
    completed = subprocess.run(
        [sys.executable, MAKE_TABLE, str(tmp_path), "--gap-closed"], capture_output=True, text=True, check=True
    )
    assert "| dann | 91.00 ± 1.41 (n=2) | — | 91.7 | -0.70* | 91.00 | 91.7 | -0.70* |" in completed.stdout
    assert "- TLlib (mnist_usps): TLlib (Transfer-Learning-Library, thuml)" in completed.stdout
    assert "an oracle selection" in completed.stdout
    assert "TLlib" in (tmp_path / "table.tex").read_text() and "91.7" in (tmp_path / "table.csv").read_text()
    source_only = subprocess.run(
        [sys.executable, MAKE_TABLE, str(tmp_path), "--metric", "source_acc"], capture_output=True, text=True, check=True
    )
    assert "Δ" not in source_only.stdout


def test_make_table_reference_choice_and_unknown_key(tmp_path):
    write_run(tmp_path / "run", result("dann", "svhn_mnist", 0, 80.0))
    default = subprocess.run([sys.executable, MAKE_TABLE, str(tmp_path)], capture_output=True, text=True, check=True)
    assert "| 73.85 | +6.15* | 73.85 | +6.15* | 90.8 | -10.80* |" in default.stdout
    chosen = subprocess.run(
        [sys.executable, MAKE_TABLE, str(tmp_path), "--references", "tllib"], capture_output=True, text=True, check=True
    )
    assert "| svhn_mnist | TLlib | Δ |" in chosen.stdout and "| 90.8 | -10.80* |" in chosen.stdout
    unknown = subprocess.run(
        [sys.executable, MAKE_TABLE, str(tmp_path), "--references", "nope"], capture_output=True, text=True
    )
    assert unknown.returncode == 2
    assert unknown.stderr.strip() == (
        "error: unknown reference 'nope'; choose one of: dann_jmlr2016, dann_icml2015, tllib, jan_icml2017"
    )
