"""transferbench: config-driven experiments for deep transfer learning."""

__version__ = "0.1.0"
