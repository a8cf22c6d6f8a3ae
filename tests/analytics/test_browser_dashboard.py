"""The dashboard in headless Chromium: funnel, heat overlay on the graph,
node table and A/B comparisons of simulated calls. Screenshots go to
``artifacts/analytics/``."""

import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from designer.models import Membership, Team
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
DEMO_NODES = [
    node["id"]
    for node in json.loads(
        (Path(settings.BASE_DIR) / "designer/demo/bank-card-offer.json").read_text()
    )["nodes"]
]


@pytest.fixture
def page(live_server, version, team, tmp_path):
    """A logged-in team viewer's page, with 14 simulated calls in the log
    (written before Playwright runs its event loop in this thread)."""
    simulate(tmp_path, population_calls(SMALL))
    if not CHROMIUM.exists():
        pytest.fail("Browser tests need Debian's chromium at /usr/bin/chromium.")
    from playwright.sync_api import sync_playwright

    user = get_user_model().objects.create_user("viewer", password="pw-viewer-1")
    for each in Team.objects.all():  # the demo team too, where loaded
        Membership.objects.create(user=user, team=each, role=Membership.Role.VIEWER)
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 1280, "height": 2200})
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": cookie,
                    "url": live_server.url,
                }
            ]
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
    assert (
        page.inner_text('#heat-graph [data-id="greeting"]')
        == "greeting · 14 in · 42.9% lost"
    )
    assert page.inner_text('#node-table tr[data-node="offer"]').split("\t")[:4] == [
        "offer", "offer", "8", "3",
    ]  # fmt: skip
    assert "greeting" in page.inner_text("#comparisons")
    assert page.locator("#hour-chart").is_visible()
    assert page.locator("#amd-chart").is_visible()
    assert page.inner_text("#amd-share") == "0.0% of answered calls (0 of 14)"
    assert page.locator("#variant-chart").is_visible()
    assert page.get_attribute("#variant-chart-box", "data-intervals") == "2"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

    page.fill('input[name="segment"]', "inactive")
    page.wait_for_function("document.querySelector('#dashboard').dataset.calls === '4'")
    assert errors == []


def test_a_bad_filter_shows_the_apis_message(page, live_server):
    page.goto(f"{live_server.url}/analytics/card/?from=2026-03-01&variant=greeting:z")

    page.wait_for_selector("#error")
    assert (
        page.inner_text("#error") == "Node 'greeting' has no variant 'z' (it has a, b)."
    )


def test_a_bad_filter_takes_the_figures_of_the_last_good_one_away(page, live_server):
    page.goto(f"{live_server.url}/analytics/card/?from=2026-03-01&to=2026-03-05")
    page.wait_for_selector("#dashboard")

    page.fill('input[name="variant"]', "greeting:z")

    page.wait_for_selector("#error")
    assert page.locator("#dashboard").count() == 0


@pytest.fixture
def demo(version, tmp_path):
    """The demo script loaded, with four calls through it: three hang up
    during the greeting, one answers it and hangs up at the next prompt.
    (Ask for it before ``page``: the ORM is not usable once Playwright runs.)"""
    from django.core.management import call_command

    call_command("load_demo", stdout=io.StringIO())
    contact = {"script": "bank-card-offer", "segment": "active",
               "vars": {"name": "Анна", "limit": "150 000"},
               "started_at": "2026-03-01T10:00:00+00:00", "timezone": "Europe/Moscow"}  # fmt: skip
    calls = [{**contact, "call_id": f"demo-{n}", "turns": [], "hangup_after": 1}
             for n in range(3)]  # fmt: skip
    calls.append(
        {**contact, "call_id": "demo-3", "turns": ["Алло, да"], "hangup_after": 2}
    )
    path = tmp_path / "demo.jsonl"
    path.write_text("".join(json.dumps(c) + "\n" for c in calls), encoding="utf-8")
    call_command("simulate_calls", str(path), "--quiet", stdout=io.StringIO())


def test_the_whole_demo_script_is_in_view_with_the_heat_of_each_node(
    demo, page, live_server
):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(
        f"{live_server.url}/analytics/bank-card-offer/?from=2026-03-01&to=2026-03-01"
    )
    page.wait_for_selector("#heat-graph .react-flow__node")
    page.wait_for_timeout(300)

    frame = page.locator("#heat-graph").bounding_box()
    boxes = [
        page.locator(
            f'#heat-graph .react-flow__node[data-id="{node_id}"]'
        ).bounding_box()
        for node_id in DEMO_NODES
    ]
    outside = [
        node_id for node_id, box in zip(DEMO_NODES, boxes)
        if box["x"] < frame["x"] or box["y"] < frame["y"]
        or box["x"] + box["width"] > frame["x"] + frame["width"]
        or box["y"] + box["height"] > frame["y"] + frame["height"]
    ]  # fmt: skip
    assert (len(boxes), outside) == (22, [])
    greeting = page.locator('#heat-graph [data-id="greeting"]')
    assert greeting.inner_text() == "greeting · 4 in · 75.0% lost"
    assert (
        greeting.evaluate("e => getComputedStyle(e).backgroundColor")
        == "rgb(107, 7, 16)"
    )
    disclaimer = page.locator('#heat-graph [data-id="disclaimer"]')
    assert disclaimer.inner_text() == "disclaimer · no calls"
    assert disclaimer.evaluate("e => getComputedStyle(e).backgroundColor") == (
        "rgb(211, 214, 220)"
    )
    assert page.locator("#heat-graph .react-flow__controls").is_visible()
    assert page.locator("#heat-graph .react-flow__minimap").is_visible()
    assert page.inner_text("#heat-legend").split("\n")[0] == "Lost in the node:"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "demo-heat.png"))
