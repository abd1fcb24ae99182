"""Fixtures shared by test modules that run the CLI in-process."""

from __future__ import annotations

import pytest

from reviewer import cli as cli_module
from reviewer.review import Reviewer


@pytest.fixture(scope="session")
def bundled_reviewer() -> Reviewer:
    """One Reviewer of the bundled rules for the session (compiling the rules is the slow part)."""
    return Reviewer()


@pytest.fixture
def cli_shares_reviewer(bundled_reviewer, monkeypatch) -> Reviewer:
    """CLI commands run in this test use the shared Reviewer (a fresh one for --rules dirs)."""
    monkeypatch.setattr(
        cli_module, "_reviewer", lambda dirs: Reviewer(dirs) if dirs else bundled_reviewer
    )
    return bundled_reviewer
