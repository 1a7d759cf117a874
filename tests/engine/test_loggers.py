from transferbench.train import run


def test_wandb_logger_writes_an_offline_run(make_config, tmp_path, monkeypatch):
    monkeypatch.delenv("WANDB_API_KEY", raising=False)
    monkeypatch.setenv("WANDB_SILENT", "true")
    run(make_config("logger=wandb", "trainer.iterations=50", "trainer.eval_every=25"), tmp_path)
    offline_runs = list((tmp_path / "wandb").glob("offline-run-*"))
    assert len(offline_runs) == 1
    assert any(offline_runs[0].glob("*.wandb"))
