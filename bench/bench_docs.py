"""How long each API docs viewer takes to render the whole schema. Run by hand (bench/README.md).

Timed here, not in the suite: a shared machine makes any time budget in a test
flaky. Each viewer loads three times in a fresh browser context; the timings go
to artifacts/docs-timings.json beside the budget the docs are held to.
"""

import json

import pytest

from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

# Each viewer's page and what it shows once it has rendered the whole schema.
VIEWERS = {
    "redoc": ("/api/redoc/", "text=Workspace API (Twist dialect)"),
    "swagger": ("/api/docs/", ".opblock-summary-path"),
}
LOAD_BUDGET_SECONDS = 2.0
LOADS = 3


@pytest.mark.parametrize("viewer", VIEWERS)
def test_docs_viewer_render_time(browser, live_server, viewer):
    """From navigation start to the rendered schema, in a fresh browser context each time.

    The best of three loads is compared with the budget; every timing is saved
    to artifacts/docs-timings.json.
    """
    url, rendered = VIEWERS[viewer]
    timings = []
    for _ in range(LOADS):
        context = browser.new_context(base_url=live_server.url)
        page = context.new_page()
        page.goto(url, wait_until="commit")
        page.wait_for_selector(rendered, timeout=30_000)
        timings.append(round(page.evaluate("performance.now()") / 1000, 3))
        context.close()

    _save_timings(viewer, timings)
    print(f"{viewer}: {timings} s (budget {LOAD_BUDGET_SECONDS} s, best of {LOADS})")
    assert min(timings) < LOAD_BUDGET_SECONDS, f"{viewer} took {timings} s"


def _save_timings(viewer: str, timings: list[float]) -> None:
    path = ARTIFACTS / "docs-timings.json"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    saved = json.loads(path.read_text()) if path.exists() else {}
    saved[viewer] = {"seconds": timings, "budget": LOAD_BUDGET_SECONDS}
    path.write_text(json.dumps(saved, indent=2) + "\n")
