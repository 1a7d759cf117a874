"""``python -m transferbench``: check config-group choices, then hand over to Hydra."""

from __future__ import annotations

import sys

from transferbench.cli import check_group_choices


def main() -> None:
    check_group_choices(sys.argv[1:])
    from transferbench.train import main as hydra_main

    hydra_main()


if __name__ == "__main__":
    main()
