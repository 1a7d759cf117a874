import numpy as np

from transferbench.analysis.plots import FeatureMap, plot_curves, plot_feature_maps

PNG = b"\x89PNG"


def test_curves_and_feature_maps_are_written_as_png(tmp_path):
    history = [{"iteration": i, "target_acc": 50.0 + i, "source_acc": 90.0} for i in (10, 20)]
    plot_curves(history, "dann on moons", tmp_path / "curves.png")
    points = np.random.default_rng(0).normal(size=(40, 2))
    feature_map = FeatureMap("dann", points, np.repeat([0, 1], 20), np.tile([0, 1], 20))
    plot_feature_maps([feature_map, feature_map], tmp_path / "maps.png")
    assert (tmp_path / "curves.png").read_bytes().startswith(PNG)
    assert (tmp_path / "maps.png").read_bytes().startswith(PNG)


def test_curves_show_a_panel_per_validator(tmp_path):
    history = [
        {"iteration": i, "target_acc": 50.0 + i, "source_acc": 90.0, "validators": {"snd": 1.0 / i, "dev": 0.1 * i}}
        for i in (10, 20, 30)
    ]
    plot_curves(history, "dann on moons", tmp_path / "curves.png")
    assert (tmp_path / "curves.png").read_bytes().startswith(PNG)
