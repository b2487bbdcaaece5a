"""Shared fixtures: a fixed 'today', the fixture folders and the demo county built once per session."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo county as ``docgen demo`` writes it (cases, ledger, evidence, planted gaps)."""
    from docgen.demo import build_demo

    out = tmp_path_factory.mktemp("demo") / "county"
    build_demo(out)
    return out
