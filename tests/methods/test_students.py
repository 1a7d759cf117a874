"""Students of a frozen teacher: the teacher's restore and checks, and each student's loss."""

import shutil

import pytest
import torch
import torch.nn.functional as F

from tests.conftest import Killed
from transferbench.data import build_task
from transferbench.errors import UserError
from transferbench.experiment import run
from transferbench.files import load_torch
from transferbench.layout import read_results
from transferbench.losses import distillation_loss
from transferbench.methods import Batch, build_method
from transferbench.models import build_model

SHORT = ["trainer.iterations=4", "trainer.eval_every=4", "trainer.batch_size=16"]


def student(make_config, *overrides, input_shape=(2,), num_classes=2):
    cfg = make_config(*overrides)
    torch.manual_seed(0)
    return build_method(cfg.method, build_model(cfg.backbone, input_shape, num_classes))


def moons_batches(make_config, count=32):
    task = build_task(make_config().dataset, root=None, download=False)
    source, target = task.source.train, task.target.train
    return Batch(source.inputs[:count], source.labels[:count]), Batch(target.inputs[:count])


def test_the_teacher_is_frozen_and_outside_the_students_modules(make_config, moons_runs):
    kd = student(make_config, "method=kd", f"method.teacher={moons_runs['source_only']}")
    teacher_parameters = {id(p) for p in kd.teacher.network.parameters()}
    assert all(not p.requires_grad for p in kd.teacher.network.parameters())
    assert not teacher_parameters & {id(p) for group in kd.parameter_groups() for p in group["params"]}
    assert set(kd.state_dict()) == {f"model.{key}" for key in kd.model.state_dict()}
    assert not kd.teacher.network.training


@pytest.mark.parametrize("file", ["", "checkpoint.pt"])
def test_the_teacher_predicts_as_its_run_did(make_config, moons_runs, file):
    kd = student(make_config, "method=kd", f"method.teacher={moons_runs['source_only'] / file}")
    task = build_task(make_config().dataset, root=None, download=False)
    predictions = kd.teacher(task.target.test.inputs).logits.argmax(1)
    accuracy = 100.0 * (predictions == task.target.test.labels).float().mean().item()
    assert accuracy == pytest.approx(read_results(moons_runs["source_only"])["target_acc"])


def test_kd_loss_is_weighted_cross_entropy_plus_t_squared_kl(make_config, moons_runs):
    kd = student(make_config, "method=kd", f"method.teacher={moons_runs['source_only']}",
                 "method.alpha=0.7", "method.temperature=3.0")
    source, target = moons_batches(make_config)
    losses = kd.losses(source, target, progress=0.0)
    inputs = torch.cat([source.inputs, target.inputs])
    student_logits, teacher_logits = kd.model(inputs).logits, kd.teacher(inputs).logits
    assert losses["classification"].item() == pytest.approx(
        0.3 * F.cross_entropy(student_logits[:32], source.labels).item(), rel=1e-6)
    assert losses["distillation"].item() == pytest.approx(
        0.7 * distillation_loss(student_logits, teacher_logits, 3.0).item(), rel=1e-6)


def test_the_labelled_transfer_set_ignores_the_unlabelled_batch(make_config, moons_runs):
    kd = student(make_config, "method=kd", f"method.teacher={moons_runs['source_only']}",
                 "method.transfer_set=labelled")
    source, target = moons_batches(make_config)
    first = kd.losses(source, target, progress=0.0)["distillation"]
    other = kd.losses(source, Batch(target.inputs + 5.0), progress=0.0)["distillation"]
    assert first.item() == other.item()


@pytest.mark.parametrize("name", ["attention", "activation_transfer", "jacobian"])
def test_each_students_own_term_trains_the_student_only(make_config, moons_runs, name):
    layers = ["method.layers=[fc1,fc2]"] if name != "jacobian" else []
    method = student(make_config, f"method={name}", f"method.teacher={moons_runs['source_only']}", *layers)
    losses = method.losses(*moons_batches(make_config), progress=0.0)
    own = {"attention": "attention", "activation_transfer": "activation", "jacobian": "jacobian"}[name]
    assert losses[own].item() > 0
    losses[own].backward()
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in method.model.parameters())
    assert all(p.grad is None for p in method.teacher.network.parameters())


def test_jacobian_arms_select_their_terms(make_config, moons_runs):
    teacher = f"method.teacher={moons_runs['source_only']}"
    batches = moons_batches(make_config)
    for weights, terms in [((1, 0), {"classification", "activation"}), ((0, 1), {"classification", "jacobian"}),
                           ((1, 1), {"classification", "activation", "jacobian"})]:
        method = student(make_config, "method=jacobian", teacher,
                         f"method.activation_weight={weights[0]}", f"method.jacobian_weight={weights[1]}")
        assert set(method.losses(*batches, progress=0.0)) == terms


def test_hints_regress_the_student_to_a_wider_teacher_layer(make_config, moons_runs):
    method = student(make_config, "method=activation_transfer", f"method.teacher={moons_runs['source_only']}",
                     "method.layers=[fc1]", "backbone.options.hidden=[8,8]")
    assert isinstance(method.pairs.regressors[0], torch.nn.Linear)
    assert method.pairs.regressors[0].weight.shape == (32, 8)
    with pytest.raises(UserError, match="differ in width; pair layers of equal shape or set method.regressor=true"):
        student(make_config, "method=activation_transfer", f"method.teacher={moons_runs['source_only']}",
                "method.layers=[fc1]", "backbone.options.hidden=[8,8]", "method.regressor=false")


def test_attention_pairs_must_match_in_size(make_config, moons_runs):
    with pytest.raises(UserError, match=r"student layer fc1 \(8,\) and teacher layer fc1 \(32,\) differ in width"):
        student(make_config, "method=attention", f"method.teacher={moons_runs['source_only']}",
                "method.layers=[fc1]", "backbone.options.hidden=[8,8]")
    with pytest.raises(UserError, match="the teacher has no layer 'conv9'; choose from fc1, fc2, features, logits"):
        student(make_config, "method=attention", f"method.teacher={moons_runs['source_only']}",
                "method.layers=[fc1]", "method.teacher_layers=[conv9]")


def test_teacher_errors_are_one_line(make_config, moons_runs, tmp_path):
    with pytest.raises(UserError, match=rf"^method.teacher={tmp_path}/nowhere: no run folder at"):
        student(make_config, "method=kd", f"method.teacher={tmp_path / 'nowhere'}")
    unfinished = shutil.copytree(moons_runs["source_only"], tmp_path / "unfinished")
    (unfinished / "results.json").unlink()
    with pytest.raises(UserError, match=r"is not a finished run: it needs a results.json that says completed"):
        student(make_config, "method=kd", f"method.teacher={unfinished}")
    with pytest.raises(UserError, match=r"with 2 classes, this task has 3; distil from a teacher of the same label space"):
        student(make_config, "method=kd", f"method.teacher={moons_runs['source_only']}", num_classes=3)
    with pytest.raises(UserError, match=r"trained on inputs of shape \(2,\), this task's are \(1, 28, 28\)"):
        student(make_config, "method=kd", f"method.teacher={moons_runs['source_only']}", input_shape=(1, 28, 28))


def test_a_missing_teacher_option_is_one_line(make_config, tmp_path):
    with pytest.raises(UserError, match=r"^method.teacher is required \(\?\?\? in its YAML\); set it on the command line"):
        run(make_config("method=kd", *SHORT), tmp_path / "run")


def test_results_name_the_teachers_run_and_digest(make_config, moons_runs, tmp_path):
    teacher = moons_runs["source_only"]
    results = run(make_config("method=kd", f"method.teacher={teacher}", *SHORT), tmp_path / "kd")
    recorded = results["provenance"]["teacher"]
    assert recorded["config_digest"] == load_torch(teacher / "checkpoint.pt", "")["config_digest"]
    assert recorded["run"] == str(teacher) and recorded["method"] == "source_only"


def test_a_student_does_not_resume_from_a_teacher_that_changed(make_config, moons_runs, tmp_path, kill_after_checkpoint):
    teacher = shutil.copytree(moons_runs["source_only"], tmp_path / "teacher")
    cfg = make_config("method=kd", f"method.teacher={teacher}", "trainer.iterations=20", "trainer.eval_every=10")
    kill_after_checkpoint(1)
    with pytest.raises(Killed):
        run(cfg, tmp_path / "student")
    shutil.rmtree(teacher)
    shutil.copytree(moons_runs["dann"], teacher)
    with pytest.raises(UserError, match=rf"was trained from other networks than the ones now at teacher={teacher} "):
        run(cfg, tmp_path / "student")
