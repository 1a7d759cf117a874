"""bench_gpu.py's table on the CPU, with the moons standing in for its workloads and preset."""

from tests.scripts import load_script


def test_the_table_has_fp32_and_mixed_precision_and_the_preset_time(capsys, tmp_path):
    script = load_script("bench_gpu")
    script.WORKLOADS = {"moons": ("moons DANN", ["dataset=moons", "method=dann"])}
    script.PRESET = ["method=source_only", "seed=0,1"]
    out = tmp_path / "bench.md"
    argv = ["--device", "cpu", "--iterations", "5", "--preset-tasks", "moons", "--preset-jobs", "1",
            "--preset-iterations", "5", "--out", str(out)]
    assert script.main(argv) == 0
    table = capsys.readouterr().out
    assert "| workload | fp32 | bf16 |" in table
    assert "| moons DANN | " in table and "×) |" in table
    assert "2 runs in" in table and "with 1 at once" in table and "failed" not in table
    assert out.read_text() == table
