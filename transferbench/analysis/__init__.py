"""Reading finished runs back: result tables (and, later, plots)."""
