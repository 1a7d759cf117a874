"""Fixtures of the scripts' tests."""

import subprocess

import pytest


@pytest.fixture
def launched(monkeypatch):
    """The sweeps a driver call launches, as argument lists after ``python -m transferbench -m``."""
    commands = []

    def record(command):
        commands.append(command[4:])
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr("transferbench.sweep.subprocess.run", record)
    return commands
