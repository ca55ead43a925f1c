"""`opsbook postmortem import`: existing Markdown postmortems in several shapes.

The fixtures under fixtures/postmortems/ are shaped like public collections (no
front matter with a dated file name, Jekyll posts, Hugo TOML pages, a date only in
the text, a file with no heading, a Google-style header block); CRLF, a BOM and
hostile titles are made from them here. Each import's front matter is written out
by hand below, and each body is compared byte for byte with the source.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import invoke, make_kb, run_validate

FIXTURES = Path(__file__).parent / "fixtures" / "postmortems"
NOW = "2026-06-01T12:00:00Z"


def kb_with_sources(tmp_path: Path) -> Path:
    root = make_kb(tmp_path)
    shutil.copytree(FIXTURES, root / "old")
    return root


def run(root: Path, *args: str):
    return invoke("--root", str(root), "postmortem", "import", *args)


def body_of_source(data: bytes) -> bytes:
    """The source's body as an independent reading: without a BOM, after a closing
    '---' or '+++' line when the file starts with one."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    lines = data.split(b"\n")
    fence = lines[0].rstrip(b"\r")
    if fence in (b"---", b"+++"):
        end = next(i for i in range(1, len(lines)) if lines[i].rstrip(b"\r") == fence)
        return b"\n".join(lines[end + 1:])
    return data


def split_written(data: bytes, newline: bytes = b"\n") -> tuple[bytes, bytes]:
    """(front matter with its fences, body) of a written file."""
    assert data.startswith(b"---" + newline)
    end = data.index(newline + b"---" + newline, 3)
    cut = end + len(newline + b"---" + newline)
    return data[:cut], data[cut:]


# (source under old/, target, the front matter by hand)
SHAPES = [
    ("plain/2024-03-07-db-outage.md", "postmortems/2024/2024-03-07-db-outage.md", """---
title: "Primary database outage"
status: published
date: 2024-03-07
visibility: internal
incidents: []
imported_from: "old/plain/2024-03-07-db-outage.md"
---
"""),
    ("jekyll/_posts/2023-11-02-cache-stampede.md", "postmortems/2023/2023-11-02-cache-stampede.md", """---
title: "Cache stampede after a deploy"
status: published
date: 2023-11-02
visibility: internal
incidents: []
tags: [redis, postmortem, caching]
imported_from: "old/jekyll/_posts/2023-11-02-cache-stampede.md"
---
"""),
    ("hugo/content/postmortems/queue-backlog.md", "postmortems/2021/2021-09-14-notification-queue-backlog.md", """---
title: "Notification queue backlog"
status: published
date: 2021-09-14
visibility: internal
incidents: []
tags: [queues, notifications]
imported_from: "old/hugo/content/postmortems/queue-backlog.md"
---
"""),
    ("text-date/payment-retries.md", "postmortems/2024/2024-03-07-payment-retries-exhausted.md", """---
title: "Payment retries exhausted"
status: published
date: 2024-03-07
visibility: internal
incidents: []
imported_from: "old/text-date/payment-retries.md"
---
"""),
    ("no-heading/retro-notes.md", "postmortems/retro-notes.md", """---
title: "Retro notes"
status: published
visibility: internal
incidents: []
imported_from: "old/no-heading/retro-notes.md"
---
"""),
    ("google-style/login-latency.md",
     "postmortems/2026/2026-03-14-login-latency-postmortem-inc-2026-001.md", """---
title: "Login latency postmortem (INC-2026-001)"
status: published
date: 2026-03-14
visibility: internal
incidents: [INC-2026-001]
imported_from: "old/google-style/login-latency.md"
---
"""),
]


@pytest.mark.parametrize("source,target,front", SHAPES, ids=[s[0].split("/")[0] for s in SHAPES])
def test_each_shape_by_hand(tmp_path, source, target, front):
    root = kb_with_sources(tmp_path)
    result = run(root, str(root / "old" / source), "--json")
    assert result.exit_code == 0, result.stderr + result.stdout
    out = json.loads(result.stdout)
    assert out["written"] == 1 and out["files"][0]["file"] == target
    written = (root / target).read_bytes()
    head, body = split_written(written)
    assert head.decode() == front
    assert body == body_of_source((root / "old" / source).read_bytes())
    code, payload = run_validate(root, now=NOW)
    assert payload["diagnostics"] == [] and code == 0


def test_what_it_says_it_inferred_and_could_not(tmp_path):
    root = kb_with_sources(tmp_path)
    sources = [str(root / "old" / s) for s, _, _ in SHAPES]
    out = json.loads(run(root, *sources, "--json", "--dry-run").stdout)
    files = {f["source"].split("/")[1]: f for f in out["files"]}
    assert out["dry_run"] and out["written"] == 0
    assert not (root / "postmortems/2024").exists()
    assert "date 2024-03-07 from the file name" in files["plain"]["inferred"]
    assert 'title "Primary database outage" from the first heading (line 1)' in files["plain"]["inferred"]
    jekyll = files["jekyll"]
    assert "title \"Cache stampede after a deploy\" from the YAML front matter's title" in jekyll["inferred"]
    assert "YAML front-matter keys not carried over: layout, permalink" in jekyll["not_inferred"]
    assert "author Kim Park not a person id in people.yaml: left out" in jekyll["not_inferred"]
    assert "date 2021-09-14 from the TOML front matter" in files["hugo"]["inferred"]
    assert "TOML front-matter keys not carried over: draft, weight" in files["hugo"]["not_inferred"]
    assert "date 2024-03-07 from line 4 of the text ('March 7, 2024')" in files["text-date"]["inferred"]
    assert any("no heading in the document" in m for m in files["no-heading"]["not_inferred"])
    assert any("no date in the file name, front matter or text" in m for m in files["no-heading"]["not_inferred"])
    assert "incidents INC-2026-001 (mentioned in the text)" in files["google-style"]["inferred"]
    text = run(root, *sources, "--dry-run")
    assert text.exit_code == 0
    assert "Would write postmortems/2024/2024-03-07-db-outage.md (from old/plain/2024-03-07-db-outage.md)" in text.stdout
    assert "  not inferred: no heading in the document" in text.stdout


def test_all_at_once_validate(tmp_path):
    root = kb_with_sources(tmp_path)
    result = run(root, *(str(root / "old" / s) for s, _, _ in SHAPES), "--visibility", "public", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["written"] == len(SHAPES)
    assert all("visibility: public\n" in (root / t).read_text() for _, t, _ in SHAPES)
    code, payload = run_validate(root, now=NOW)
    assert payload["diagnostics"] == [] and code == 0


def test_crlf_and_bom(tmp_path):
    root = make_kb(tmp_path)
    source = (FIXTURES / "plain/2024-03-07-db-outage.md").read_bytes()
    crlf = b"\xef\xbb\xbf" + source.replace(b"\n", b"\r\n")
    (root / "old").mkdir()
    (root / "old/2024-03-07-db-outage.md").write_bytes(crlf)
    result = run(root, str(root / "old/2024-03-07-db-outage.md"), "--json")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)["files"][0]
    assert "a byte-order mark at the start was dropped (the body is kept as it was)" in out["inferred"]
    written = (root / "postmortems/2024/2024-03-07-db-outage.md").read_bytes()
    head, body = split_written(written, b"\r\n")
    assert head == SHAPES[0][2].replace("plain/", "").encode().replace(b"\n", b"\r\n")
    assert body == crlf[3:]
    assert not written.startswith(b"\xef\xbb\xbf")
    assert run_validate(root, now=NOW)[1]["diagnostics"] == []


def test_reimport_refuses_and_changes_nothing(tmp_path):
    root = kb_with_sources(tmp_path)
    source = str(root / "old" / SHAPES[0][0])
    assert run(root, source).exit_code == 0
    target = root / SHAPES[0][1]
    before = target.read_bytes()
    files = sorted(p for p in root.rglob("*") if p.is_file())
    again = run(root, source)
    assert again.exit_code == 1
    assert "imported already as postmortems/2024/2024-03-07-db-outage.md" in again.stderr
    assert target.read_bytes() == before and sorted(p for p in root.rglob("*") if p.is_file()) == files
    # Moved and retitled, it is still known by imported_from.
    moved = root / "postmortems/2024/2024-03-07-primary-db.md"
    target.rename(moved)
    third = run(root, source, "--json")
    assert third.exit_code == 1 and json.loads(third.stdout)["files"][0]["refused"].startswith("imported already")
    assert not target.exists()
    # A name someone else already uses is refused too, and left alone.
    other = root / "old/other/2024-03-07-db-outage.md"
    other.parent.mkdir()
    other.write_text("# Another outage\n")
    moved.rename(target)
    fourth = run(root, str(other))
    assert fourth.exit_code == 1 and "postmortems/2024/2024-03-07-db-outage.md exists already" in fourth.stderr
    assert target.read_bytes() == before


def test_two_sources_for_one_name(tmp_path):
    root = make_kb(tmp_path)
    for folder in ("a", "b"):
        (root / folder).mkdir()
        (root / folder / "2024-01-02-dns.md").write_text(f"# DNS {folder}\n")
    result = run(root, str(root / "a/2024-01-02-dns.md"), str(root / "b/2024-01-02-dns.md"))
    assert result.exit_code == 1
    assert "is also the name for a/2024-01-02-dns.md" in result.stderr
    assert (root / "postmortems/2024/2024-01-02-dns.md").read_text().endswith("# DNS a\n")


HOSTILE = [
    ("# <script>alert(1)</script> Outage \"x\" 'y'\n\nText.\n", "alert(1) Outage \"x\" 'y'"),
    ("# a < b & \"c\"\n\nText.\n", "a < b & \"c\""),
    ("---\ntitle: \"Bell\\a and\\r\\nbreak\\u0001 here\"\n---\nText.\n", "Bell and break here"),
    ("#   " + "long " * 80 + "\n", None),
]


@pytest.mark.parametrize("text,title", HOSTILE, ids=["script", "lt-quotes", "controls", "long"])
def test_hostile_titles_become_safe_lines(tmp_path, text, title):
    root = make_kb(tmp_path)
    (root / "old").mkdir()
    (root / "old/2024-05-01-x.md").write_text(text, newline="")
    result = run(root, str(root / "old/2024-05-01-x.md"), "--json")
    assert result.exit_code == 0, result.stderr
    got = json.loads(result.stdout)["files"][0]["front_matter"]["title"]
    assert all(ord(ch) >= 0x20 for ch in got)
    if title is not None:
        assert got == title
    else:
        assert len(got) <= 200 and got.endswith("…")
    assert run_validate(root, now=NOW)[1]["diagnostics"] == []


@pytest.mark.parametrize("name,data,needle", [
    ("binary.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "NUL bytes"),
    ("latin1.md", "# Caf\u00e9 outage\n".encode("latin-1"), "not valid UTF-8"),
    ("huge.md", b"# Big\n" + b"x" * (2 * 1024 * 1024 + 10), "MiB"),
])
def test_unreadable_inputs_are_clear_errors(tmp_path, name, data, needle):
    root = make_kb(tmp_path)
    (root / "old").mkdir()
    (root / "old" / name).write_bytes(data)
    (root / "old/2024-01-01-fine.md").write_text("# Fine\n")
    result = run(root, str(root / "old/2024-01-01-fine.md"), str(root / "old" / name))
    assert result.exit_code == 2
    assert f"old/{name}" in result.stderr and needle in result.stderr and "nothing was written" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (root / "postmortems/2024").exists()  # not even the readable one


def test_folders_missing_files_and_into(tmp_path):
    root = kb_with_sources(tmp_path)
    folder = run(root, str(root / "old/plain"))
    assert folder.exit_code == 2 and "is a folder" in folder.stderr
    missing = run(root, str(root / "old/nope.md"))
    assert missing.exit_code == 2 and "old/nope.md: no such file" in missing.stderr
    outside = run(root, str(root / "old" / SHAPES[0][0]), "--into", "runbooks")
    assert outside.exit_code == 2 and "must be postmortems/" in outside.stderr
    into = run(root, str(root / "old" / SHAPES[0][0]), "--into", "postmortems/imported", "--json")
    assert into.exit_code == 0, into.stderr
    assert json.loads(into.stdout)["files"][0]["file"] == "postmortems/imported/2024/2024-03-07-db-outage.md"
    assert run_validate(root, now=NOW)[1]["diagnostics"] == []


def test_infer_units():
    from opsbook.incidents.history import date_in_line, date_in_name, one_line

    assert date_in_name("2024-03-07-db-outage").isoformat() == "2024-03-07"
    assert date_in_name("2024_03_07_db").isoformat() == "2024-03-07"
    assert date_in_name("20240307-db").isoformat() == "2024-03-07"
    assert date_in_name("2024-13-07-db") is None and date_in_name("release-1234567") is None
    assert date_in_line("on Mar. 7th, 2024 at noon")[0].isoformat() == "2024-03-07"
    assert date_in_line("the 7 March 2024 outage")[0].isoformat() == "2024-03-07"
    assert date_in_line("03/07/2024") is None  # ambiguous: never read
    assert one_line("a\r\nb\tc\x1b[31m d\u2028e") == "a b c [31m d e"


# --- the model's history fields on the site, in actions and in `postmortem new` ---------------

PM = "postmortems/2026/2026-03-14-card-payments.md"


def history_kb(tmp_path: Path) -> Path:
    from conftest import BASE_FILES

    return make_kb(tmp_path, {
        PM: BASE_FILES[PM].replace("incident: INC-2026-001\n",
                                   "incidents: [INC-2026-001, INC-2026-002]\ntags: [acquirer]\n"
                                   "related: [2025/2025-01-01-old, 2025/2025-02-01-secret]\n"),
        "incidents/INC-2026-002.yaml": "id: INC-2026-002\ntitle: Slow <b>dashboard</b>\nseverity: SEV3\n"
                                       "status: identified\ndeclared: 2026-05-30T10:00:00Z\n",
        "postmortems/2025/2025-01-01-old.md": "---\ntitle: Old one\nstatus: published\nvisibility: internal\n"
                                              "incidents: []\nimported_from: old/x.md\n---\n# Old one\n\nText.\n",
        "postmortems/2025/2025-02-01-secret.md": "---\ntitle: Secret one\nstatus: published\n"
                                                 "visibility: restricted\n---\n# Secret one\n",
    })


def test_history_fields_render_and_validate(tmp_path):
    from opsbook.load import load
    from opsbook.render.postmortems import postmortem_pages

    root = history_kb(tmp_path)
    assert run_validate(root, now=NOW)[1]["diagnostics"] == []
    loaded = load(root)
    kb = loaded[0] if isinstance(loaded, tuple) else loaded
    pages = {p.path: p.markdown for p in postmortem_pages(kb, "internal")}
    page = pages["postmortems/2026/2026-03-14-card-payments.md"]
    assert "- **Incidents:** INC-2026-001; INC-2026-002 · Slow &lt;b&gt;dashboard&lt;/b&gt;" in page
    assert "- **Tags:** acquirer" in page
    assert "- **Related:** [Old one](../2025/2025-01-01-old.md)\n" in page  # the restricted one is left out
    assert "Secret" not in page
    assert "- **Incident:** none recorded" in pages["postmortems/2025/2025-01-01-old.md"]
    assert "INC-2026-001, INC-2026-002" in pages["postmortems/index.md"]


def test_actions_json_and_new_know_the_incidents_list(tmp_path):
    root = history_kb(tmp_path)
    out = invoke("--root", str(root), "actions", "--format", "json", "--now", NOW)
    rows = json.loads(out.stdout)
    rows = rows["action_items"]
    assert rows[0]["incident"] == "INC-2026-001" and rows[0]["incidents"] == ["INC-2026-001", "INC-2026-002"]
    again = invoke("--root", str(root), "postmortem", "new", "INC-2026-002", "--now", NOW)
    assert again.exit_code == 1 and f"INC-2026-002 already has a postmortem: {PM}" in again.stderr


def test_a_postmortem_covering_several_incidents_is_found_from_each():
    """kb.postmortems_for (incident pages, `incident show`, the status page, MCP)
    finds a postmortem by every incident in `incidents:`, not only by `incident:`."""
    from opsbook.load import load

    repo = Path(__file__).resolve().parents[1]
    kb, _ = load(repo)
    pm = kb.postmortem_list[0]
    assert pm.incident_ids  # the example's postmortems name their incident
    for incident_id in pm.incident_ids:
        assert pm in kb.postmortems_for(incident_id)
    covered = pm.model_copy(update={"incidents": [*pm.incident_ids, "INC-2026-006"]})
    kb2 = type(kb)(root=kb.root, config=kb.config, people_file=kb.people_file, incident_list=kb.incident_list,
                   postmortem_list=(covered,))
    assert [p.incident_ids for p in kb2.postmortems_for("INC-2026-006")] == [covered.incident_ids]


def test_a_year_folder_that_is_a_symlink_out_is_refused(tmp_path):
    """Found in review: postmortems/2025 -> elsewhere wrote the import outside the
    knowledge base."""
    root = make_kb(tmp_path)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (root / "postmortems" / "2025").symlink_to(outside, target_is_directory=True)
    source = tmp_path / "2025-02-02-db-outage.md"
    source.write_text("# Database outage\n\nThe primary ran out of disk.\n")
    result = invoke("--root", str(root), "postmortem", "import", str(source))
    assert result.exit_code == 1, result.output
    assert "symlink" in result.stdout + result.stderr
    assert not any(outside.iterdir())
