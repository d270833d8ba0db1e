"""Fixtures the benchmarks share with the suite."""

from tests.browser.conftest import browser  # noqa: F401 (Chromium, for bench_docs.py)
