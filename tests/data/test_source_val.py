"""The source validation split: a seeded fraction of the source training data, never trained on."""

import pytest
import torch

from transferbench.data.domain import Domain, Split
from transferbench.data.subset import hold_out
from transferbench.errors import UserError
from transferbench.experiment import Experiment


def domain(n=100):
    return Domain(Split(torch.arange(n).view(n, 1), torch.arange(n) % 10), Split(torch.zeros(5, 1), torch.zeros(5).long()))


def test_hold_out_moves_a_seeded_fraction_into_val_and_keeps_the_rest_for_training():
    held = hold_out(domain(), 0.1, seed=3, name="toy")
    train, val = held.train.inputs.flatten().tolist(), held.val.inputs.flatten().tolist()
    assert len(val) == 10 and len(train) == 90
    assert sorted(train + val) == list(range(100))
    assert hold_out(domain(), 0.1, seed=3, name="toy").val.inputs.flatten().tolist() == val
    assert hold_out(domain(), 0.1, seed=4, name="toy").val.inputs.flatten().tolist() != val
    assert len(held.test) == 5


def test_no_fraction_holds_nothing_out():
    assert hold_out(domain(), None, seed=0, name="toy").val is None


@pytest.mark.parametrize("fraction", [1.5, -0.1, 1, "a", True, 0.001])
def test_a_bad_fraction_is_one_line(fraction):
    with pytest.raises(UserError, match="dataset.source_val"):
        hold_out(domain(), fraction, seed=0, name="toy")


def test_the_task_trains_on_the_source_data_it_did_not_hold_out(make_config):
    task = Experiment.build(make_config("+dataset.source_val=0.25")).task
    assert len(task.source.train) == 750 and len(task.source.val) == 250
    whole = Experiment.build(make_config()).task.source.train.inputs
    rows = {tuple(row.tolist()) for row in task.source.train.inputs} | {tuple(row.tolist()) for row in task.source.val.inputs}
    assert rows == {tuple(row.tolist()) for row in whole}


def test_the_digits_tasks_hold_out_a_tenth_by_default(make_config):
    for name in ("mnist_usps", "usps_mnist", "mnist_mnistm", "svhn_mnist", "office31"):
        assert make_config(f"dataset={name}").dataset.source_val == 0.1
