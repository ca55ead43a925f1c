"""The files `opsbook init` writes: a small knowledge base that validates and builds.

Templates use ``%%TOKEN%%`` placeholders rather than Jinja2 because workflow
files are full of GitHub's own ``${{ ... }}`` expressions.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from importlib import resources

from opsbook import __version__
from opsbook.timeutil import get_zone


def _template_files() -> dict[str, str]:
    base = resources.files("opsbook.scaffold") / "files"
    out: dict[str, str] = {}
    stack = [(base, "")]
    while stack:
        folder, prefix = stack.pop()
        for entry in folder.iterdir():
            rel = f"{prefix}{entry.name}"
            if entry.is_dir():
                if entry.name != "__pycache__":
                    stack.append((entry, rel + "/"))
            else:
                out[rel] = entry.read_text(encoding="utf-8")
    return out


# Where the workflows install opsbook from until it is on the package index: the
# release tag of this version in the project's repository. Any pip requirement
# works (`opsbook==1.0`, a commit URL, a wheel path); see `opsbook init --help`.
DEFAULT_SOURCE = f"git+https://github.com/opsbook/opsbook@v{__version__}"
# A pip requirement written into YAML and a double-quoted shell word: no quotes,
# spaces, `$`, backticks or backslashes can reach either.
_SOURCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~:/@+=<>!,#%-]{0,299}")


def check_source(source: str) -> str:
    """``source`` if it is a pip requirement that is safe in a workflow, else ValueError."""
    if not _SOURCE.fullmatch(source):
        raise ValueError(f"{source!r} is not a pip requirement opsbook can write into a workflow: use letters, "
                         "digits and . _ ~ : / @ + = < > ! , # % - only (e.g. opsbook==0.2.0 or "
                         "git+https://github.com/acme/opsbook@<commit>)")
    return source


def scaffold_files(name: str, zone_name: str, now: datetime, source: str = DEFAULT_SOURCE) -> dict[str, str]:
    """Relative path -> content of every file of a new knowledge base."""
    from opsbook.schema import schema_folder_files

    zone = get_zone(zone_name)
    local = now.astimezone(zone)
    today = local.date()
    incident_day = today - timedelta(days=7)
    start = datetime(incident_day.year, incident_day.month, incident_day.day, 14, 2, tzinfo=timezone.utc)
    iso = lambda minutes: (start + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    tokens = {
        "NAME": name,
        # Into YAML as double-quoted scalars (JSON strings are YAML): a name with
        # '#', ': ' or brackets stays the name. Into Markdown with HTML escaped.
        "Q_NAME": json.dumps(name, ensure_ascii=False),
        "Q_SITE_NAME": json.dumps(f"{name} incident handbook", ensure_ascii=False),
        "Q_STATUS_NAME": json.dumps(f"{name} Status", ensure_ascii=False),
        "MD_NAME": name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
        "TIMEZONE": zone_name,
        "TODAY": today.isoformat(),
        "YEAR": str(incident_day.year),
        "MONDAY": (today - timedelta(days=today.weekday())).isoformat(),
        "DUE": (today + timedelta(days=30)).isoformat(),
        "VERSION": __version__,
        "OPSBOOK_SOURCE": check_source(source),
        "INC_START": iso(0), "INC_DETECT": iso(3), "INC_DECLARE": iso(5), "INC_ACK": iso(6),
        "INC_MITIGATE": iso(25), "INC_RESOLVE": iso(40),
    }
    files = {}
    for rel, text in _template_files().items():
        for key, value in tokens.items():
            rel = rel.replace(f"%%{key}%%", value)
            text = text.replace(f"%%{key}%%", value)
        files[rel] = text
    for file_name, text in schema_folder_files().items():
        files[f"schemas/{file_name}"] = text
    return dict(sorted(files.items()))
