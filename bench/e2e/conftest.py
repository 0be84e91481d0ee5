"""The e2e harness for the benchmarks here: the fixtures of tests/e2e/conftest.py
(walord, tgsim, free_port, ...) and its helper modules (hostkit, the *_kit
modules, the fakes), without its rule that every test names a feature: these
are measurements, not tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

E2E = Path(__file__).resolve().parents[2] / "tests" / "e2e"
sys.path.insert(0, str(E2E))

_spec = importlib.util.spec_from_file_location("walor_e2e_conftest", E2E / "conftest.py")
_e2e = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_e2e)
globals().update({k: v for k, v in vars(_e2e).items()
                  if not k.startswith("__") and k != "pytest_collection_modifyitems"})
