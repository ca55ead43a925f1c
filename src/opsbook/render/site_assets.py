"""The site's own stylesheet and script, published on every build.

``assets/opsbook/site.css``: severity colours, people colours in calendars,
tables as cards on phones. ``assets/opsbook/site.js``: time-relative rows and
"today" by the reader's clock (see ``render.live``). The MkDocs plugin links
both from every page; another engine lists them under ``extra_css`` and
``extra_javascript``.
"""

from __future__ import annotations

from importlib.resources import files

from opsbook.render.page import Asset, Site

CSS = "assets/opsbook/site.css"
SCRIPT = "assets/opsbook/site.js"


def _read(name: str) -> str:
    return files("opsbook.render").joinpath(f"templates/{name}").read_text(encoding="utf-8")


def site_pages(site: Site) -> list[Asset]:
    return [Asset(CSS, _read("site.css")), Asset(SCRIPT, _read("site.js"))]
