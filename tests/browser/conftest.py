"""Headless Chromium through Playwright, against pytest-django's live server.

One browser per test session; each test gets a fresh context (no cookies
shared). Screenshots go to artifacts/screenshots/ and the docs' load timings
to artifacts/docs-timings.json (both named in the README).
"""

import os
from pathlib import Path

import pytest

from tests import factories

# Playwright's sync API runs an event loop in this thread; Django refuses ORM
# calls from a thread with a running loop unless told it is safe. It is: the
# loop only drives the browser, and the ORM calls stay synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
PASSWORD = "secret-pass"  # tests.factories.UserFactory's


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(
            f"Chromium is not installed at {CHROMIUM} (apt-get install chromium); "
            "browser tests skipped"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def screenshot():
    def save(page, name, *, full_page=True):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / name
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return save


@pytest.fixture
def log_in():
    """Log in through a login form (the admin's or the browsable API's)."""

    def submit(page, username, *, url="/admin/login/"):
        page.goto(url)
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit], button[type=submit]")
        page.wait_for_load_state()

    return submit


@pytest.fixture
def moderators_group(transactional_db):
    """The Moderators group, which the live server's flushes take away."""
    return factories.moderators_group()
