"""The dashboard in headless Chromium: funnel, heat overlay on the graph,
node table and A/B comparisons of simulated calls. Screenshots go to
``artifacts/analytics/``."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from designer.models import Membership
from tests.analytics.conftest import population_calls, simulate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu",
    "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]  # fmt: skip
ARTIFACTS = Path(settings.BASE_DIR) / "artifacts" / "analytics"
SMALL = {
    ("active", "a"): {"hangs_up_in_greeting": 6, "transferred": 2, "refuses": 2},
    ("inactive", "b"): {"hangs_up_in_offer": 3, "transferred": 1},
}  # fmt: skip


@pytest.fixture
def page(live_server, version, team, tmp_path):
    """A logged-in team viewer's page, with 14 simulated calls in the log
    (written before Playwright runs its event loop in this thread)."""
    simulate(tmp_path, population_calls(SMALL))
    if not CHROMIUM.exists():
        pytest.fail("Browser tests need Debian's chromium at /usr/bin/chromium.")
    from playwright.sync_api import sync_playwright

    user = get_user_model().objects.create_user("viewer", password="pw-viewer-1")
    Membership.objects.create(user=user, team=team, role=Membership.Role.VIEWER)
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 1280, "height": 2200})
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie,
              "url": live_server.url}]  # fmt: skip
        )
        yield context.new_page()
        browser.close()


def test_the_dashboard_shows_the_funnel_the_heat_graph_and_the_variants(
    page, live_server
):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"{live_server.url}/analytics/card/?from=2026-03-01&to=2026-03-05")
    page.wait_for_selector("#dashboard")

    assert page.get_attribute("#dashboard", "data-calls") == "14"
    stages = page.locator("#funnel-table tbody tr")
    assert stages.count() == 6
    assert page.inner_text('#funnel-table tr[data-stage="target_action"]').split("\t")[:2] == [
        "target_action", "3",
    ]  # fmt: skip
    assert page.locator("#funnel-chart").is_visible()
    heat = page.locator("#heat-graph .react-flow__node")
    assert heat.count() == 6
    assert page.inner_text('#heat-graph [data-id="greeting"]') == "greeting · 14 in · 42.9% lost"
    assert page.inner_text('#node-table tr[data-node="offer"]').split("\t")[:4] == [
        "offer", "offer", "8", "3",
    ]  # fmt: skip
    assert "greeting" in page.inner_text("#comparisons")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

    page.fill('input[name="segment"]', "inactive")
    page.wait_for_function("document.querySelector('#dashboard').dataset.calls === '4'")
    assert errors == []


def test_a_bad_filter_shows_the_apis_message(page, live_server):
    page.goto(f"{live_server.url}/analytics/card/?from=2026-03-01&variant=greeting:z")

    page.wait_for_selector("#error")
    assert page.inner_text("#error") == "Node 'greeting' has no variant 'z' (it has a, b)."
