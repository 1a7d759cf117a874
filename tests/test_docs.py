"""The docs' commands can be pasted on another machine: no absolute path of the one they were
written on."""

import re

import pytest

from tests.conftest import REPO_ROOT

DOCS = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").rglob("*.md"))]
MACHINE_PATH = re.compile(r"(?<![\w.])/(?:work|root|home|Users|mnt)/\S+")


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: str(path.relative_to(REPO_ROOT)))
def test_no_command_points_at_a_folder_of_the_writers_machine(doc):
    assert MACHINE_PATH.findall(doc.read_text()) == []
