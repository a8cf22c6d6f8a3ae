"""The editor in headless Chromium, against a live server (see conftest)."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def node(page, node_id):
    return page.locator(f".react-flow__node[data-id='{node_id}']")


@pytest.mark.parametrize(
    "slug, name",
    [
        ("bank-card-offer-en", "Credit card offer"),
        ("bank-card-offer", "Кредитная карта"),
    ],
)
def test_the_demo_scripts_open_as_graphs_without_errors(browser, live, slug, name):
    page = browser.page()
    page.goto(live.url + "/scripts/")
    row = page.locator(f"#scripts tr[data-slug='{slug}']")
    expect(row).to_contain_text(name)
    expect(row).to_contain_text("v1")
    row.locator("a").click()
    page.wait_for_selector("body[data-editor-ready='1']")
    expect(page.locator(".react-flow__node")).to_have_count(22)
    expect(node(page, "greeting")).to_contain_text("start")
    # One edge per pair of nodes joined by routes: 48 pairs in both demos.
    expect(page.locator(".react-flow__edge")).to_have_count(48)
    expect(page.locator(".problems-head")).to_have_text("No problems")
    expect(page.locator(".react-flow__minimap")).to_be_visible()
    expect(page.locator("#save")).to_be_disabled()
    browser.shot(page, "demo")


def select(page, node_id):
    node(page, node_id).click()
    expect(page.locator(f".node-panel[data-node='{node_id}']")).to_be_visible()


def problems_head(page):
    return page.locator(".problems-head")


def connect(page, source, target):
    start = node(page, source).locator(".react-flow__handle.source").bounding_box()
    end = node(page, target).locator(".react-flow__handle.target").bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + 2, end["y"] + 2, steps=12)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=4)
    page.mouse.up()


def test_an_objection_node_is_added_and_connected(browser, live, script):
    page = browser.editor(script)
    page.select_option("#add-node", "objection")
    expect(page.locator(".react-flow__node")).to_have_count(23)
    expect(page.locator(".node-panel[data-node='objection']")).to_be_visible()
    # Unconnected, it is unreachable and lacks its silence routes.
    expect(node(page, "objection").locator(".script-node")).to_have_class(
        re.compile("has-errors")
    )
    expect(page.locator(".problem[data-code='unreachable_node']")).to_have_count(1)
    browser.shot(page, "added")

    connect(page, "offer", "objection")
    panel = page.locator(".node-panel[data-node='offer']")
    expect(panel).to_be_visible()
    new_route = panel.locator("tr.route").last
    expect(new_route.locator(".route-to")).to_have_value("objection")
    new_route.locator(".route-value").fill("who_is_calling")
    expect(page.locator(".react-flow__edge[data-id='offer->objection']")).to_have_count(
        1
    )
    for _ in range(3):
        page.click(".react-flow__controls-zoomin")
    expect(
        page.locator(".edge-label", has_text=re.compile("^who_is_calling$"))
    ).to_have_count(1)
    page.click(".react-flow__controls-fitview")
    expect(page.locator(".edge-label")).to_have_count(0)
    expect(page.locator(".problem[data-code='unreachable_node']")).to_have_count(0)

    select(page, "objection")
    panel = page.locator(".node-panel[data-node='objection']")
    panel.locator(".variant-text").fill("It only takes a minute, really.")
    panel.get_by_role("button", name="Add route").click()
    panel.locator("tr.route").nth(0).locator(".route-to").select_option(
        "end_no_response"
    )
    panel.get_by_role("button", name="Add route").click()
    panel.locator("tr.route").nth(1).locator(".route-value").select_option("no_match")
    panel.locator("tr.route").nth(1).locator(".route-to").select_option("end_refusal")
    expect(problems_head(page)).to_have_text("No problems")
    expect(node(page, "objection").locator(".script-node")).not_to_have_class(
        re.compile("has-errors")
    )
    page.click("#save")
    expect(page.locator("#status")).to_have_text("Saved revision 2.")
    browser.shot(page, "connected")

    _, draft = live.api("GET", f"/api/scripts/{script}/draft/")
    objection = next(n for n in draft["document"]["nodes"] if n["id"] == "objection")
    assert objection["type"] == "objection"
    assert objection["routes"] == [
        {"event": "no_input", "to": "end_no_response"},
        {"event": "no_match", "to": "end_refusal"},
    ]
    offer = next(n for n in draft["document"]["nodes"] if n["id"] == "offer")
    assert offer["routes"][-1] == {"intent": "who_is_calling", "to": "objection"}


def test_a_connection_dropped_on_the_middle_of_a_node_connects_to_it(
    browser, live, script
):
    page = browser.editor(script)
    page.select_option("#add-node", "objection")
    expect(page.locator(".react-flow__node")).to_have_count(23)
    start = node(page, "offer").locator(".react-flow__handle.source").bounding_box()
    end = node(page, "objection").bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    middle = (end["x"] + end["width"] / 2, end["y"] + end["height"] / 2)
    page.mouse.move(*middle, steps=12)
    page.mouse.up()
    expect(page.locator(".react-flow__edge[data-id='offer->objection']")).to_have_count(
        1
    )
    panel = page.locator(".node-panel[data-node='offer']")
    expect(panel.locator("tr.route").last.locator(".route-to")).to_have_value(
        "objection"
    )
    # Dropped on the canvas, away from any node, it connects nothing.
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(middle[0], middle[1] + 300, steps=12)
    page.mouse.up()
    expect(page.locator(".react-flow__edge")).to_have_count(49)


def test_editing_a_variant_shows_its_preview_and_template_errors(browser, script):
    page = browser.editor(script)
    select(page, "greeting")
    variant = page.locator(".variant[data-variant='a']")
    variant.locator(".variant-text").fill(
        "Hello {{ name }}, your limit is {{ limit }}."
    )
    expect(variant.locator(".preview")).to_have_text(
        "Hello Emily, your limit is 5,000."
    )
    variant.locator(".variant-text").fill("Hello {{ name ")
    expect(variant.locator(".preview.error")).to_contain_text("Template error: line 1")
    expect(page.locator(".problem[data-code='template_syntax']")).to_have_count(1)
    browser.shot(page, "template-error")
    page.keyboard.press("Escape")
    variant.locator(".variant-text").fill("Hello {{ name }}!")
    expect(variant.locator(".preview")).to_have_text("Hello Emily!")
    expect(problems_head(page)).to_have_text("No problems")


def test_a_broken_route_shows_an_error_until_it_is_fixed(browser, script):
    page = browser.editor(script)
    select(page, "greeting")
    no_input = page.locator(".node-panel tr.route").nth(3)
    expect(no_input.locator(".route-value")).to_have_value("no_input")
    no_input.locator(".route-to").select_option("")
    expect(problems_head(page)).to_contain_text("error")
    problem = page.locator(".problem.error").first
    expect(problem).to_contain_text("greeting")
    expect(node(page, "greeting").locator(".script-node")).to_have_class(
        re.compile("has-errors")
    )
    expect(page.locator("#publish")).to_be_disabled()
    browser.shot(page, "broken-route")

    page.click(".react-flow__pane", position={"x": 5, "y": 5})
    problem.click()
    expect(page.locator(".node-panel[data-node='greeting']")).to_be_visible()
    no_input.locator(".route-to").select_option("end_no_response")
    expect(problems_head(page)).to_have_text("No problems")
    expect(node(page, "greeting").locator(".script-node")).not_to_have_class(
        re.compile("has-errors")
    )


def test_the_second_of_two_saves_gets_a_conflict_and_keeps_its_changes(
    browser, live, script
):
    first = browser.editor(script)
    second = browser.editor(script)

    select(first, "greeting")
    first.locator(".node-panel .node-title-input").fill("Hello from the first")
    first.click("#save")
    expect(first.locator("#status")).to_have_text("Saved revision 2.")

    select(second, "offer")
    second.locator(".node-panel .node-title-input").fill("Offer from the second")
    second.click("#save")
    expect(second.locator("#conflict")).to_contain_text(
        "Someone saved a newer draft (revision 2) while you were editing. "
        "Your changes are kept here, not saved yet. Merge their changes into "
        "yours, reload theirs, or overwrite theirs with yours."
    )
    expect(second.locator("#conflict")).not_to_contain_text("base_revision")
    expect(second.locator("#status")).to_have_text("Not saved: conflict.")
    expect(node(second, "offer")).to_contain_text("Offer from the second")
    browser.shot(second, "conflict")

    second.get_by_role("button", name="Merge theirs into mine").click()
    expect(second.locator("#status")).to_contain_text("Merged with revision 2")
    expect(node(second, "greeting")).to_contain_text("Hello from the first")
    second.click("#save")
    expect(second.locator("#status")).to_have_text("Saved revision 3.")

    _, draft = live.api("GET", f"/api/scripts/{script}/draft/")
    titles = {n["id"]: n.get("title") for n in draft["document"]["nodes"]}
    assert titles["greeting"] == "Hello from the first"
    assert titles["offer"] == "Offer from the second"


def test_overwrite_after_a_conflict_replaces_the_other_save(browser, live, script):
    first = browser.editor(script)
    second = browser.editor(script)
    select(first, "greeting")
    first.locator(".node-panel .node-title-input").fill("First")
    first.click("#save")
    expect(first.locator("#status")).to_have_text("Saved revision 2.")
    select(second, "greeting")
    second.locator(".node-panel .node-title-input").fill("Second")
    second.click("#save")
    expect(second.locator("#conflict")).to_be_visible()
    second.get_by_role("button", name="Overwrite with mine").click()
    expect(second.locator("#status")).to_have_text("Saved revision 3.")
    _, draft = live.api("GET", f"/api/scripts/{script}/draft/")
    assert draft["document"]["nodes"][0]["title"] == "Second"


def test_a_publisher_publishes_the_saved_draft(browser, live, script):
    page = browser.editor(script)
    select(page, "greeting")
    page.locator(".node-panel .node-title-input").fill("Greeting, v2")
    expect(page.locator("#publish")).to_be_disabled()
    page.click("#save")
    expect(page.locator("#status")).to_have_text("Saved revision 2.")
    page.click("#publish")
    expect(page.locator("#status")).to_have_text("Published version 1.")
    _, versions = live.api("GET", f"/api/scripts/{script}/versions/")
    assert [(v["number"], v["revision"], v["author"]) for v in versions] == [
        (1, 2, "demo")
    ]

    page.click("[data-tab='history']")
    page.select_option("#diff-from", "1")
    page.select_option("#diff-to", "draft")
    page.get_by_role("button", name="Show diff").click()
    expect(page.locator(".diff-same")).to_have_text("No differences.")
    browser.shot(page, "published")


def test_roles_show_in_the_page(browser, script):
    viewer = browser.editor(script, user="viewer")
    expect(viewer.locator("#save")).to_have_count(0)
    expect(viewer.locator("#publish")).to_have_count(0)
    expect(viewer.locator("#add-node")).to_have_count(0)
    select(viewer, "greeting")
    expect(viewer.locator(".node-panel fieldset")).to_have_attribute("disabled", "")
    expect(viewer.locator(".node-panel .variant-text").first).to_be_disabled()
    browser.shot(viewer, "viewer")
    with viewer.expect_download() as download:
        viewer.get_by_role("link", name="Export").click()
    assert download.value.suggested_filename == f"{script}-draft.json"
    bundle = json.loads(Path(download.value.path()).read_text())
    assert len(bundle["document"]["nodes"]) == 22

    author = browser.editor(script, user="author")
    expect(author.locator("#save")).to_have_count(1)
    expect(author.locator("#publish")).to_have_count(0)


def test_a_simulated_call_reaches_the_transfer_with_the_node_highlighted(
    browser, script
):
    page = browser.editor(script)
    page.click("[data-tab='simulator']")
    page.click("#sim-start")
    chat = page.locator("#chat")
    expect(chat.locator(".robot").first).to_contain_text("Vector Bank")
    expect(node(page, "greeting").locator(".script-node")).to_have_class(
        re.compile("current")
    )

    page.fill("#sim-text", "hello")
    page.keyboard.press("Enter")
    expect(chat.locator(".nlu").first).to_have_text(re.compile(r"^hello \(\d\.\d\d\)$"))
    expect(node(page, "check_person").locator(".script-node")).to_have_class(
        re.compile("current")
    )
    page.fill("input[aria-label='DTMF digit']", "1")
    page.get_by_role("button", name="DTMF").click()
    expect(node(page, "offer").locator(".script-node")).to_have_class(
        re.compile("current")
    )
    page.fill("#sim-text", "yes, put me through")
    page.keyboard.press("Enter")
    expect(chat.locator(".end")).to_contain_text("Transfer to")
    expect(chat.locator(".info").last).to_contain_text("Call ended: transfer")
    expect(node(page, "transfer").locator(".script-node")).to_have_class(
        re.compile("current")
    )
    expect(page.locator(".script-node.current")).to_have_count(1)
    browser.shot(page, "transfer")


def test_duplicate_delete_undo_and_redo(browser, script):
    page = browser.editor(script)
    nodes = page.locator(".react-flow__node")
    select(page, "say_robot")
    page.get_by_role("button", name="Duplicate").click()
    expect(nodes).to_have_count(23)
    expect(page.locator(".node-panel[data-node='say_robot_copy']")).to_be_visible()
    page.keyboard.press("Delete")
    expect(nodes).to_have_count(22)
    expect(node(page, "say_robot_copy")).to_have_count(0)

    page.get_by_role("button", name="Undo").click()
    expect(nodes).to_have_count(23)
    page.get_by_role("button", name="Undo").click()
    expect(nodes).to_have_count(22)
    expect(page.get_by_role("button", name="Undo")).to_be_disabled()
    page.keyboard.press("Control+Shift+Z")
    expect(node(page, "say_robot_copy")).to_have_count(1)
    expect(page.locator(".revision")).to_contain_text("unsaved changes")
    page.keyboard.press("Control+z")
    expect(nodes).to_have_count(22)
    expect(page.locator(".revision")).not_to_contain_text("unsaved changes")


def test_deleting_an_edge_removes_its_routes_in_one_undoable_step(browser, script):
    page = browser.editor(script)
    edge = page.locator(".react-flow__edge[data-id='greeting->amd_check']")
    edge.click(force=True)
    page.keyboard.press("Delete")
    expect(edge).to_have_count(0)
    expect(page.locator(".react-flow__node")).to_have_count(22)
    expect(page.locator(".problem.error").first).to_contain_text("greeting")
    page.get_by_role("button", name="Undo").click()
    expect(edge).to_have_count(1)
    expect(problems_head(page)).to_have_text("No problems")


def test_layout_on_request_saves_positions_left_to_right(browser, live, script):
    page = browser.editor(script)
    page.get_by_role("button", name="Layout").click()
    page.click("#save")
    expect(page.locator("#status")).to_have_text("Saved revision 2.")
    _, draft = live.api("GET", f"/api/scripts/{script}/draft/")
    x = {n["id"]: n["position"]["x"] for n in draft["document"]["nodes"]}
    assert x["greeting"] < x["check_person"] < x["disclaimer"] < x["offer"]
    # Endings stand together in the last column.
    endings = {x[n] for n in ("transfer", "end_refusal", "end_dnc")}
    assert len(endings) == 1
    assert endings.pop() > max(x["offer"], x["say_connect"])


def test_intents_are_edited_beside_the_built_in_packs(browser, live, script):
    page = browser.editor(script)
    page.click("[data-tab='intents']")
    expect(page.locator("details.builtin")).to_have_count(15)
    expect(page.locator("details.builtin").first).to_contain_text("yes")
    page.fill("input[aria-label='New intent id']", "card_limit")
    page.get_by_role("button", name="Add intent").click()
    examples = page.locator(".intent[data-intent='card_limit'] textarea")
    examples.fill("what is the limit\nhow much can I spend")
    page.locator("input[aria-label='New intent id']").click()
    page.click("#save")
    expect(page.locator("#status")).to_have_text("Saved revision 2.")
    _, draft = live.api("GET", f"/api/scripts/{script}/draft/")
    assert draft["document"]["intents"]["card_limit"] == {
        "examples": ["what is the limit", "how much can I spend"]
    }


def test_the_history_shows_what_changed_since_a_version(browser, live, script):
    page = browser.editor(script)
    page.click("#publish")
    expect(page.locator("#status")).to_have_text("Published version 1.")
    select(page, "end_refusal")
    page.locator(".node-panel select").nth(1).select_option("do_not_call")
    page.click("#save")
    expect(page.locator("#status")).to_have_text("Saved revision 2.")
    page.click("[data-tab='history']")
    page.select_option("#diff-from", "1")
    page.get_by_role("button", name="Show diff").click()
    expect(page.locator(".diff-node")).to_have_text(
        re.compile(r"end_refusal\s*outcome: refusal → do_not_call")
    )
    browser.shot(page, "diff")


def test_renaming_a_node_renames_the_routes_to_it(browser, live, script):
    page = browser.editor(script)
    select(page, "say_connect")
    field = page.locator(".node-panel .node-id-input")
    field.fill("end_dnc")
    expect(page.locator("#node-id-error")).to_contain_text(
        "Another node already has the id “end_dnc”."
    )
    field.fill("connect")
    field.press("Enter")
    expect(page.locator(".node-panel[data-node='connect']")).to_be_visible()
    expect(problems_head(page)).to_have_text("No problems")
    page.click("#save")
    expect(page.locator("#status")).to_have_text("Saved revision 2.")
    _, draft = live.api("GET", f"/api/scripts/{script}/draft/")
    document = draft["document"]
    targets = [r["to"] for n in document["nodes"] for r in n.get("routes", [])]
    targets += [r["to"] for r in document["global_routes"]]
    assert "say_connect" not in targets
    assert targets.count("connect") == 13


def test_export_then_import_of_the_json_document(browser, script, tmp_path):
    page = browser.editor(script)
    with page.expect_download() as download:
        page.get_by_role("link", name="Export").click()
    assert download.value.suggested_filename == f"{script}-draft.json"
    bundle = json.loads(Path(download.value.path()).read_text())
    assert bundle["script"]["slug"] == script
    assert len(bundle["document"]["nodes"]) == 22

    bundle["document"]["nodes"][0]["title"] = "Imported greeting"
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(bundle))
    page.set_input_files("input[type=file]", str(edited))
    expect(page.locator("#status")).to_have_text(
        "Imported edited.json; save to keep it."
    )
    expect(node(page, "greeting")).to_contain_text("Imported greeting")
    expect(page.locator(".revision")).to_contain_text("unsaved changes")

    edited.write_text("not json")
    page.set_input_files("input[type=file]", str(edited))
    expect(page.locator("#status")).to_contain_text("Not imported:")
    expect(node(page, "greeting")).to_contain_text("Imported greeting")


@pytest.mark.parametrize(
    "typed, reason",
    [
        ("", "An id cannot be empty."),
        ("say connect", "An id cannot contain spaces; use _ or - instead."),
        (
            "связь",
            "An id uses only Latin letters, digits, _ and -, not “с” “в” “я” “з” “ь”.",
        ),
        ("a" * 65, "An id is at most 64 characters; this one has 65."),
        ("offer", "Another node already has the id “offer”."),
    ],
    ids=["empty", "spaces", "non-ascii", "too-long", "duplicate"],
)
def test_an_id_that_cannot_be_used_says_why_beside_the_field(
    browser, script, typed, reason
):
    page = browser.editor(script)
    select(page, "say_connect")
    field = page.locator(".node-panel .node-id-input")
    field.fill(typed)
    field.press("Enter")
    field.blur()
    error = page.locator(".node-panel #node-id-error")
    expect(error).to_have_text(f"{reason} The node keeps the id “say_connect”.")
    expect(field).to_have_value(typed)
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".node-panel[data-node='say_connect']")).to_be_visible()
    expect(page.locator(".revision")).not_to_contain_text("unsaved changes")
    field.press("Escape")
    expect(field).to_have_value("say_connect")
    expect(error).to_have_count(0)


def test_the_minimap_colours_nodes_by_type_pans_and_stays_above_labels(
    browser, live, script
):
    page = browser.editor(script)
    _, draft = live.api("GET", f"/api/scripts/{script}/draft/")
    types = [n["type"] for n in draft["document"]["nodes"]]
    minimap = page.locator(".react-flow__minimap")
    expect(minimap.locator(".react-flow__minimap-node")).to_have_count(22)
    for node_type, colour in [
        ("say", "rgb(253, 224, 71)"),
        ("end", "rgb(156, 163, 175)"),
    ]:
        shapes = minimap.locator(f".react-flow__minimap-node.minimap-{node_type}")
        expect(shapes).to_have_count(types.count(node_type))
        expect(shapes.first).to_have_css("fill", colour)

    # Zoomed in, labels show; none of them is drawn over the minimap.
    for _ in range(4):
        page.click(".react-flow__controls-zoomin")
    expect(page.locator(".edge-label").first).to_be_visible()
    viewport = page.locator(".react-flow__viewport")
    before = viewport.get_attribute("style")
    box = minimap.bounding_box()
    for fx, fy in [(0.1, 0.5), (0.5, 0.5), (0.9, 0.5), (0.5, 0.2), (0.5, 0.8)]:
        x, y = box["x"] + box["width"] * fx, box["y"] + box["height"] * fy
        inside = page.evaluate(
            "([x, y]) => !!document.elementFromPoint(x, y)"
            ".closest('.react-flow__minimap')",
            [x, y],
        )
        assert inside, (fx, fy)

    # Clicking the minimap moves the view there.
    page.mouse.click(box["x"] + box["width"] * 0.9, box["y"] + box["height"] * 0.5)
    expect(viewport).not_to_have_attribute("style", before)


def test_a_recording_is_uploaded_played_and_saved_on_a_variant(
    browser, live, script, shared_data, tmp_path
):
    page = browser.editor(script)
    select(page, "greeting")
    variant = page.locator(".variant[data-variant='a']")
    expect(variant.locator(".variant-recording")).to_contain_text(
        "No recording: the text is spoken."
    )

    # Not audio: the API's reason, beside the variant; nothing changes.
    text = tmp_path / "notes.wav"
    text.write_text("these are my notes, not a recording\n" * 20)
    variant.locator("input[type=file]").set_input_files(str(text))
    expect(variant.locator(".recording-error")).to_have_text(
        "Not uploaded: The file is not audio Outcall can read; upload a WAV "
        "(PCM, mu-law or A-law) or FLAC recording."
    )
    expect(page.locator("#save")).to_be_disabled()

    recording = shared_data / "asterisk-sounds-en/vm-nobodyavail.wav"
    variant.locator("input[type=file]").set_input_files(str(recording))
    expect(variant.locator(".recording-name")).to_have_text("vm-nobodyavail.wav")
    expect(variant.locator(".recording-duration")).to_have_text("2.8 s")
    expect(variant.locator(".recording-error")).to_have_count(0)
    expect(problems_head(page)).to_have_text("No problems")
    # The browser plays it: the player loads the WAV and knows its length.
    seconds = variant.locator("audio.recording-player").evaluate(
        """(player) => new Promise((resolve, reject) => {
            player.addEventListener("loadedmetadata", () => resolve(player.duration));
            player.addEventListener("error", () => reject(new Error("no audio")));
            player.preload = "auto";
            player.load();
        })"""
    )
    assert abs(seconds - 2.79) < 0.01
    browser.shot(page, "recording")

    page.click("#save")
    expect(page.locator("#status")).to_have_text("Saved revision 2.")
    _, draft = live.api("GET", f"/api/scripts/{script}/draft/")
    greeting = next(n for n in draft["document"]["nodes"] if n["id"] == "greeting")
    [a] = [v for v in greeting["prompt"]["variants"] if v["id"] == "a"]
    _, [listed] = live.api("GET", f"/api/scripts/{script}/audio/")
    assert a["audio"] == listed["reference"]
    assert a["text"]  # the text stays: transcripts and the fallback
    assert listed["used_by"]["draft"] == [{"node": "greeting", "variant": "a"}]

    variant.get_by_role("button", name="Remove recording").click()
    expect(variant.locator(".variant-recording")).to_contain_text(
        "No recording: the text is spoken."
    )
    page.click("#save")
    expect(page.locator("#status")).to_have_text("Saved revision 3.")
    _, draft = live.api("GET", f"/api/scripts/{script}/draft/")
    greeting = next(n for n in draft["document"]["nodes"] if n["id"] == "greeting")
    assert all("audio" not in v for v in greeting["prompt"]["variants"])


def test_an_exported_bundle_brings_its_recordings_into_another_script(
    browser, live, script, shared_data, tmp_path
):
    page = browser.editor(script)
    select(page, "greeting")
    variant = page.locator(".variant[data-variant='b']")
    variant.locator("input[type=file]").set_input_files(
        str(shared_data / "asterisk-sounds-en/vm-intro.wav")
    )
    expect(variant.locator(".recording-name")).to_have_text("vm-intro.wav")
    page.click("#save")
    expect(page.locator("#status")).to_have_text("Saved revision 2.")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export").click()
    bundle = Path(download.value.path())
    assert len(json.loads(bundle.read_text())["audio"]) == 1

    other = f"{script}-copy"
    live.copy_script("bank-card-offer-en", other)
    page = browser.editor(other)
    page.set_input_files(".toolbar input[type=file]", str(bundle))
    expect(page.locator("#status")).to_have_text(
        f"Imported {bundle.name} with 1 recording; save to keep it."
    )
    select(page, "greeting")
    variant = page.locator(".variant[data-variant='b']")
    expect(variant.locator(".recording-name")).to_have_text("vm-intro.wav")
    expect(variant.locator(".recording-duration")).to_have_text("5.7 s")
    expect(problems_head(page)).to_have_text("No problems")
    _, [listed] = live.api("GET", f"/api/scripts/{other}/audio/")
    assert listed["name"] == "vm-intro.wav"


def test_a_recording_someone_else_uploaded_shows_after_merge_or_reload(
    browser, live, script, shared_data
):
    merging = browser.editor(script)
    reloading = browser.editor(script)
    uploader = browser.editor(script)

    select(uploader, "greeting")
    variant = uploader.locator(".variant[data-variant='a']")
    variant.locator("input[type=file]").set_input_files(
        str(shared_data / "asterisk-sounds-en/vm-intro.wav")
    )
    expect(variant.locator(".recording-name")).to_have_text("vm-intro.wav")
    uploader.click("#save")
    expect(uploader.locator("#status")).to_have_text("Saved revision 2.")

    # Pages opened before the upload: their list of recordings lacks it.
    for page, button in (
        (merging, "Merge theirs into mine"),
        (reloading, "Reload theirs (drop mine)"),
    ):
        select(page, "offer")
        page.locator(".node-panel .node-title-input").fill("Offer, edited")
        page.click("#save")
        expect(page.locator("#status")).to_have_text("Not saved: conflict.")
        page.get_by_role("button", name=button).click()
        select(page, "greeting")
        variant = page.locator(".variant[data-variant='a']")
        expect(variant.locator(".recording-name")).to_have_text("vm-intro.wav")
        expect(variant.locator(".variant-recording")).not_to_contain_text(
            "is not among this script"
        )
