"""Audio test fixtures: the recordings fixture lives in tests/conftest.py."""

from pathlib import Path

import pytest

from runtime.asr import resolve_model


@pytest.fixture(scope="session")
def base_model_dir(tmp_path_factory) -> Path:
    """The ``base`` model, assembled once per session into a temporary dir."""
    return resolve_model("base", model_dir=tmp_path_factory.mktemp("models"))
