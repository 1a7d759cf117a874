"""File names inside a run directory, shared by the writers (engine) and readers (analysis)."""

RESULTS_FILE = "results.json"
CHECKPOINT_FILE = "checkpoint.pt"
