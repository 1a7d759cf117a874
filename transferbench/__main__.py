"""``python -m transferbench``: Hydra's command line, with its own errors (a misspelt key, an
unknown choice, a value of the wrong type, an unwritable output folder) as one line."""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Run Hydra's entrypoint; ``HYDRA_FULL_ERROR=1`` keeps Hydra's own reports and tracebacks.
    A sweep under torchrun is refused before Hydra makes its folders."""
    from transferbench.engine.distributed import NO_SWEEP, started_by_torchrun

    if started_by_torchrun() and {"-m", "--multirun"} & set(sys.argv[1:]):
        sys.exit(f"error: {NO_SWEEP}")
    if os.environ.get("HYDRA_FULL_ERROR"):
        from transferbench.train import main as hydra_main

        hydra_main()
        return
    os.environ["HYDRA_FULL_ERROR"] = "1"  # Hydra raises its errors here instead of printing pages
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    from transferbench.config import one_line
    from transferbench.errors import UserError
    from transferbench.train import main as hydra_main

    try:
        hydra_main()
    except (HydraException, OmegaConfBaseException, UserError) as error:
        sys.exit(f"error: {one_line(error)}")
    except OSError as error:
        sys.exit(f"error: {error.strerror or error} ({error.filename}); check the output folder (hydra.run.dir)")


if __name__ == "__main__":
    main()
