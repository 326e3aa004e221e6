"""Benchmarks of the generated module's hot path, the CLI and large specs.

Run them all with `python -m benchmarks`; they are kept out of the test suite.
"""
