"""Browser tests of the editor: a live server (see ``live.py``) and
Debian's headless Chromium driven by Playwright. Screenshots go to
``artifacts/editor/``."""

import itertools
from pathlib import Path

import pytest

from tests.editor.live import PASSWORD, ROOT, LiveServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "artifacts" / "editor"


@pytest.fixture(scope="session")
def live(tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("live-server")).start()
    yield server
    server.stop()


# Module scope, not session: while Playwright's sync API is open it keeps an
# event loop running in this thread, and the asyncio tests that run later
# in the session could not start theirs.
@pytest.fixture(scope="module")
def chromium():
    if not CHROMIUM.exists():
        pytest.fail(
            "Browser tests need Debian's chromium at /usr/bin/chromium; "
            "`./dev test` installs it when run as root (apt-get install chromium)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


_slugs = itertools.count(1)


@pytest.fixture
def script(live, request):
    """A fresh copy of the English demo script for one test."""
    slug = f"t{next(_slugs)}-{request.node.name[5:30].replace('_', '-')}".rstrip("-")
    live.copy_script("bank-card-offer-en", slug)
    return slug


class Browser:
    """Pages of one test, logged in; screenshots of each at the end."""

    def __init__(self, chromium, live, name):
        self.chromium = chromium
        self.live = live
        self.name = name
        self.contexts = []
        self.pages = []

    def page(self, user="demo", password=None):
        context = self.chromium.new_context(viewport={"width": 1500, "height": 900})
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        page = context.new_page()
        page.goto(self.live.url + "/login/")
        page.fill("#id_username", user)
        page.fill("#id_password", password or ("demo" if user == "demo" else PASSWORD))
        page.click("button[type=submit]")
        page.wait_for_url("**/scripts/")
        self.pages.append(page)
        return page

    def editor(self, slug, user="demo"):
        page = self.page(user)
        page.goto(f"{self.live.url}/scripts/{slug}/edit/")
        page.wait_for_selector("body[data-editor-ready='1']")
        page.wait_for_selector(".problems-head:not(:has-text('Checking'))")
        return page

    def shot(self, page, label):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{self.name}-{label}.png"))

    def close(self):
        for i, page in enumerate(self.pages):
            if not page.is_closed():
                self.shot(page, f"end-{i + 1}")
        for context in self.contexts:
            context.close()


@pytest.fixture
def browser(chromium, live, request):
    session = Browser(chromium, live, request.node.name)
    yield session
    session.close()
