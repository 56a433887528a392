"""Games-scale benchmark: `make bench` (see bench/Makefile.snippet and bench/run.py)."""
