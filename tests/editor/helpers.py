"""Teams, members and the English demo script, for the editor's API,
page and simulator tests (in process, on the test database)."""

import copy
import json

from django.contrib.auth import get_user_model

from designer import services
from designer.management.commands.load_demo import DEMO_DIR
from designer.models import Membership, Team

DEMO_EN = json.loads((DEMO_DIR / "bank-card-offer-en.json").read_text())


def demo_document() -> dict:
    return copy.deepcopy(DEMO_EN)


def make_team(slug="acme") -> Team:
    return Team.objects.create(slug=slug, name=slug.title())


def member(team, username, role):
    user = get_user_model().objects.create_user(username=username)
    Membership.objects.create(user=user, team=team, role=role)
    return user


def make_script(team, slug="offer", document=None):
    return services.script_create(
        team=team,
        slug=slug,
        name="Card offer",
        language="en",
        document=document or demo_document(),
    )


def node(document, node_id):
    return next(n for n in document["nodes"] if n["id"] == node_id)
