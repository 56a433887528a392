"""Games-scale benchmark: `make bench` (see bench/README.md and bench/run.py)."""
