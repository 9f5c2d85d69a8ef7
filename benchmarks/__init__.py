"""Benchmarks: retrieval quality and speed; dev-only dependencies (bm25s, PyStemmer)."""
