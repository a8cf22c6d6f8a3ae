"""Script and style tags for the pages built by Vite (``npm run build``)."""

import json
from functools import lru_cache

from django import template
from django.conf import settings
from django.utils.html import format_html, format_html_join

MANIFEST = settings.BASE_DIR / "static" / "build" / "manifest.json"


class FrontendNotBuilt(RuntimeError):
    pass


@lru_cache(maxsize=1)
def _manifest(mtime: float) -> dict:
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def page_assets(page: str) -> tuple[list[str], list[str]]:
    """The script and stylesheet URLs of the built page ``page``."""
    if not MANIFEST.exists():
        raise FrontendNotBuilt(
            "the browser pages are not built: run `./dev setup` (or `npm ci && npm run build`)"
        )
    manifest = _manifest(MANIFEST.stat().st_mtime)
    entry = next(
        (chunk for chunk in manifest.values() if chunk.get("isEntry") and chunk.get("name") == page),
        None,
    )
    if entry is None:
        raise FrontendNotBuilt(f"no built page named {page!r} in {MANIFEST}")
    base = "/static/build/"
    scripts = [base + entry["file"]]
    styles = [base + css for css in entry.get("css", [])]
    for imported in entry.get("imports", []):
        styles.extend(base + css for css in manifest[imported].get("css", []))
    return scripts, styles


register = template.Library()


@register.simple_tag
def frontend_page(page: str):
    scripts, styles = page_assets(page)
    return format_html_join(
        "\n", '<link rel="stylesheet" href="{}">', ((href,) for href in styles)
    ) + format_html_join(
        "\n", '<script type="module" src="{}"></script>', ((src,) for src in scripts)
    )
