"""Reading finished runs back: result tables beside published numbers, restored networks, their
features (t-SNE maps, proxy A-distance) and plots."""
