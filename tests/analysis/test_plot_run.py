import json

import pytest

from tests.scripts import load_script


@pytest.fixture(scope="module")
def plot_run():
    return load_script("plot_run")


def test_plot_run_writes_plots_and_a_distance_into_each_run(plot_run, moons_runs, capsys):
    runs = [str(moons_runs["source_only"]), str(moons_runs["dann"])]
    assert plot_run.main([*runs, "--samples", "100"]) == 0
    for run_dir in moons_runs.values():
        assert {"curves.png", "tsne.png", "a_distance.json"} <= {path.name for path in run_dir.iterdir()}
        record = json.loads((run_dir / "a_distance.json").read_text())
        assert record["examples_per_domain"] == 100
        assert record["proxy_a_distance"] == 2 * (1 - 2 * record["test_error"])
    assert (moons_runs["dann"].parent / "tsne_comparison.png").is_file()
    output = capsys.readouterr()
    assert "source_only" in output.out and "dann" in output.out
    assert "tsne_comparison.png" in output.err


def test_plot_run_on_a_folder_that_is_not_a_run_is_one_line(plot_run, tmp_path, capsys):
    assert plot_run.main([str(tmp_path)]) == 1
    error = capsys.readouterr().err
    assert error == f"error: {tmp_path} is not a finished run: it needs a results.json that says completed (train it to the end first)\n"
