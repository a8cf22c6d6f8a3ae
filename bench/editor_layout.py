"""How long the editor takes to open a 300-node script and lay it out.

Starts a live server (tests/editor/live.py: its own SQLite file, the demo
loaded), imports a generated valid script of N nodes with no positions, so
that the page lays it out with dagre when it opens, and opens it in
Debian's headless Chromium a few times. The page sets performance marks:
``editor-start`` (its script runs), ``editor-loaded`` (the draft arrived),
``editor-laid-out`` (dagre done) and ``editor-ready`` (React Flow measured
and drew every node). Times are from the navigation start.

    .venv/bin/python bench/editor_layout.py [--nodes 300] [--runs 5]
"""

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.editor.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.editor.live import LiveServer


def generated_document(size: int) -> dict:
    """A valid English script of ``size`` nodes: a greeting, a ladder of
    questions where yes goes one step on and no two, and three endings."""
    questions = size - 4
    ids = ["greeting"] + [f"q{i}" for i in range(1, questions + 1)]
    nodes = []
    for index, node_id in enumerate(ids):
        after = ids[index + 1] if index + 1 < len(ids) else "transfer"
        skip = ids[index + 2] if index + 2 < len(ids) else "end_refusal"
        nodes.append(
            {
                "id": node_id,
                "type": "greeting" if index == 0 else "question",
                "title": f"Step {index}",
                "prompt": {"variants": [{"id": "a", "text": f"Question {index}?"}]},
                "routes": [
                    {"intent": "yes", "to": after},
                    {"intent": "no", "to": skip},
                    {"event": "no_input", "to": "end_no_response"},
                    {"event": "no_match", "to": "end_refusal"},
                ],
            }
        )
    nodes += [
        {
            "id": "transfer",
            "type": "target_action",
            "outcome": "transfer",
            "transfer": {"target": "operators", "summary": "Said yes"},
        },
        {"id": "end_refusal", "type": "end", "outcome": "refusal"},
        {"id": "end_no_response", "type": "end", "outcome": "no_response"},
    ]
    assert len(nodes) == size
    return {
        "format": "outcall-graph",
        "format_version": 1,
        "language": "en",
        "start": "greeting",
        "variables": {},
        "intents": {},
        "global_routes": [],
        "nodes": nodes,
    }


MARKS = (
    "editor-start",
    "editor-loaded",
    "editor-laid-out",
    "editor-rendered",
    "editor-measured",
    "editor-ready",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as var_dir:
        server = LiveServer(Path(var_dir)).start()
        try:
            server.copy_script(
                "bank-card-offer-en", "big", generated_document(args.nodes)
            )
            runs = []
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
                )
                page = browser.new_page(viewport={"width": 1500, "height": 900})
                page.goto(server.url + "/login/")
                page.fill("#id_username", "demo")
                page.fill("#id_password", "demo")
                page.click("button[type=submit]")
                page.wait_for_url("**/scripts/")
                for _ in range(args.runs):
                    page.goto(server.url + "/scripts/big/edit/")
                    page.wait_for_selector(
                        "body[data-editor-ready='1']", state="attached", timeout=60_000
                    )
                    marks = page.evaluate(
                        "() => Object.fromEntries(performance.getEntriesByType('mark')"
                        ".map((m) => [m.name, m.startTime]))"
                    )
                    count = page.locator(".react-flow__node").count()
                    assert count == args.nodes, count
                    runs.append({name: marks[name] for name in MARKS})
                browser.close()
        finally:
            server.stop()

    print(f"editor open and layout, {args.nodes} nodes, {args.runs} runs (ms)")
    print(f"{'mark':<18}{'median':>8}{'min':>8}{'max':>8}")
    for name in MARKS:
        values = [run[name] for run in runs]
        print(
            f"{name:<18}{statistics.median(values):>8.0f}"
            f"{min(values):>8.0f}{max(values):>8.0f}"
        )
    layout = [run["editor-laid-out"] - run["editor-loaded"] for run in runs]
    print(
        f"{'dagre layout':<18}{statistics.median(layout):>8.0f}"
        f"{min(layout):>8.0f}{max(layout):>8.0f}"
    )


if __name__ == "__main__":
    main()
