"""Fixtures for the printing tests: a sample ticket and virtual TCP printers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# The helper modules next to this file are imported by name, whatever pytest's import mode.
HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from printing_helpers import make_ticket  # noqa: E402
from virtual_printer import VirtualPrinter  # noqa: E402


@pytest.fixture
def ticket():
    return make_ticket()


@pytest.fixture
def vprinter_factory():
    """Start virtual printers with given switches; all are stopped after the test."""
    started: list[VirtualPrinter] = []

    def start(**switches) -> VirtualPrinter:
        printer = VirtualPrinter(**switches).start()
        started.append(printer)
        return printer

    yield start
    for printer in started:
        printer.stop()


@pytest.fixture
def vprinter(vprinter_factory) -> VirtualPrinter:
    """One healthy virtual printer."""
    return vprinter_factory()
