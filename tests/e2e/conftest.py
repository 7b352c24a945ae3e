"""Fixtures of the end-to-end tests that need a real browser."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

#: Debian's Chromium (apt-get install chromium); playwright's own download does not work offline.
CHROMIUM = "/usr/bin/chromium"
#: Flags that keep a headless Chromium quiet and offline in CI (research/ecosystem.md 3.11).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _unavailable(reason: str) -> None:
    """Skip, except in CI (CI_REQUIRE_BROWSER=1), where a browser test must never be skipped."""
    if os.environ.get("CI_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}, and CI_REQUIRE_BROWSER=1 forbids skipping the browser tests")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of the system Chromium (skip, or fail in CI, when it is not installed)."""
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"{CHROMIUM} not found (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser_env(tmp_path_factory) -> dict[str, str]:
    """Environment for Chromium with HOME and XDG folders in a temporary folder."""
    home = tmp_path_factory.mktemp("chromium-home")
    return {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
    }


@pytest.fixture(scope="module")
def browser(chromium, browser_env):
    """A headless Chromium driven by playwright, one per test module."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS, env=browser_env
        )
        yield b
        b.close()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory) -> Path:
    """Where screenshots go: $CCSIM_SCREENSHOTS if set (kept), else a temporary folder."""
    keep = os.environ.get("CCSIM_SCREENSHOTS")
    folder = Path(keep) if keep else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
