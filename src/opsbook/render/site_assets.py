"""The site's own stylesheet and script, published on every build.

``assets/opsbook/site.css``: severity colours, people colours in calendars,
tables as cards on phones. ``assets/opsbook/site.js``: time-relative rows and
"today" by the reader's clock (see ``render.live``); ``assets/opsbook/oncall.js``
(from ``render.oncall``): who is on call now. The MkDocs plugin links them from
every page; another engine lists them under ``extra_css`` and
``extra_javascript``. Both scripts do nothing on a page without their data.
"""

from __future__ import annotations

from importlib.resources import files

from opsbook.render.page import Asset, Site

CSS = "assets/opsbook/site.css"
SCRIPT = "assets/opsbook/site.js"
ONCALL_SCRIPT = "assets/opsbook/oncall.js"  # published by render.oncall
STYLESHEETS = (CSS,)
SCRIPTS = (SCRIPT, ONCALL_SCRIPT)


def _read(name: str) -> str:
    return files("opsbook.render").joinpath(f"templates/{name}").read_text(encoding="utf-8")


def site_pages(site: Site) -> list[Asset]:
    return [Asset(CSS, _read("site.css")), Asset(SCRIPT, _read("site.js"))]
