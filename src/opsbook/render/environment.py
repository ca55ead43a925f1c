"""The Jinja2 environment for Markdown pages: escaping is the default.

Jinja's autoescape speaks HTML only, so ``finalize`` plays its part: every
``{{ value }}`` goes through ``md_escape`` unless the value is ``Markdown``
(a body the team wrote, or a link or cell a helper already escaped). A
template that forgets a filter therefore shows data literally instead of
letting it inject markup.
"""

from __future__ import annotations

from functools import cache

import jinja2

from opsbook import humanize
from opsbook.render.markdown import md_cell, md_code, md_escape


def _finalize(value: object) -> str:
    return md_escape(value)


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("opsbook.render", "templates"),
        autoescape=False,  # HTML escaping would garble Markdown; see module doc
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        md_escape=md_escape,
        md_cell=md_cell,
        md_code=md_code,
        duration=humanize.duration_text,
        deadline=humanize.deadline_text,
    )
    return env


def render_template(name: str, **context: object) -> str:
    markdown = environment().get_template(name).render(**context)
    # One trailing newline, whatever the template's last block left behind.
    return markdown.rstrip("\n") + "\n"
