"""transferbench: config-driven experiments for deep transfer learning."""

import os as _os
import sys as _sys

__version__ = "0.1.0"

# OpenMP threads that wait for work sleep instead of spinning (libgomp reads this once, when torch
# loads, so it is set here, before anything imports torch). Spinning threads take cores that
# other processes need and stall their own run when the machine is busy. Not set if the user
# chose a wait policy or spin count, or if torch was imported first (it would have no effect).
if not {"OMP_WAIT_POLICY", "GOMP_SPINCOUNT"} & _os.environ.keys() and "torch" not in _sys.modules:
    _os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
