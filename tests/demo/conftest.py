"""The demo scripts as the tests read them: straight from designer/demo/."""

import json
from pathlib import Path

import pytest

DEMO_DIR = Path(__file__).resolve().parents[2] / "designer" / "demo"
FILES = {"ru": "bank-card-offer.json", "en": "bank-card-offer-en.json"}
CONTACTS = {
    "ru": {"name": "Ольга", "limit": "120 000"},
    "en": {"name": "Margaret", "limit": "4,500"},
}


def demo_document(language: str) -> dict:
    return json.loads((DEMO_DIR / FILES[language]).read_text(encoding="utf-8"))


@pytest.fixture(params=sorted(FILES))
def language(request) -> str:
    return request.param
