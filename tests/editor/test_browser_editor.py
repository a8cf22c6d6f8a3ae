"""The editor in headless Chromium, against a live server (see conftest)."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def node(page, node_id):
    return page.locator(f".react-flow__node[data-id='{node_id}']")


def test_the_demo_script_opens_as_a_graph_without_errors(browser, live):
    page = browser.page()
    page.goto(live.url + "/scripts/")
    expect(page.locator("#scripts tr[data-slug='bank-card-offer-en']")).to_contain_text(
        "Credit card offer"
    )
    page.click("text=Credit card offer")
    page.wait_for_selector("body[data-editor-ready='1']")
    expect(page.locator(".react-flow__node")).to_have_count(22)
    expect(node(page, "greeting")).to_contain_text("start")
    expect(page.locator(".react-flow__edge")).not_to_have_count(0)
    expect(page.locator(".problems-head")).to_have_text("No problems")
    expect(page.locator(".react-flow__minimap")).to_be_visible()
    browser.shot(page, "demo")
