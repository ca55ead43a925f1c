"""Output folders keep what a person put there: `render --out` and `status build
--out` never overwrite or delete a file opsbook did not write (a CNAME, a
hand-written page), nor one a person changed since; stale pages of an earlier
run go."""

from __future__ import annotations

import json

import pytest
from conftest import invoke, make_kb

NOW = "2026-06-01T12:00:00Z"
RUNBOOK = "runbooks/payments/checkout-errors.md"


def render(root, out, *extra):
    return invoke("--root", str(root), "render", "--out", str(out), "--now", NOW, *extra)


def status_build(root, out, *extra):
    return invoke("--root", str(root), "status", "build", "--out", str(out), "--now", NOW, *extra)


def _snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("command", [render, status_build], ids=["render", "status-build"])
@pytest.mark.parametrize("name", ["CNAME", ".nojekyll", "robots.txt", "notes/plan.md"])
def test_a_persons_file_survives_every_rebuild(tmp_path, command, name):
    root = make_kb(tmp_path)
    out = tmp_path / "out"
    assert command(root, out).exit_code == 0
    if "/" in name and command is status_build:
        name = name.replace("/", "-")  # status build refuses a tree without a manifest; with one it is fine
    (out / name).parent.mkdir(parents=True, exist_ok=True)
    (out / name).write_text("mine\n")
    for _ in range(2):
        result = command(root, out)
        assert result.exit_code == 0, result.stderr
        assert (out / name).read_text() == "mine\n"


@pytest.mark.parametrize("command,generated", [
    (render, "runbooks/payments/checkout-errors.md"),
    (render, "incidents/index.md"),
    (status_build, "index.html"),
    (status_build, "history.atom"),
], ids=["render-runbook", "render-index", "status-index", "status-api"])
def test_a_persons_file_where_a_generated_one_goes_is_refused_and_nothing_changes(tmp_path, command, generated):
    root = make_kb(tmp_path)
    out = tmp_path / "out"
    (out / generated).parent.mkdir(parents=True)
    (out / generated).write_text("hand-written\n")
    before = _snapshot(out)
    result = command(root, out)
    assert result.exit_code == 2
    assert "did not write" in result.stderr and generated in result.stderr and "Traceback" not in result.stderr
    assert _snapshot(out) == before


@pytest.mark.parametrize("command,generated", [
    (render, "runbooks/payments/checkout-errors.md"),
    (status_build, "index.html"),
], ids=["render", "status-build"])
def test_a_generated_file_a_person_changed_is_not_overwritten(tmp_path, command, generated):
    root = make_kb(tmp_path)
    out = tmp_path / "out"
    assert command(root, out).exit_code == 0
    (out / generated).write_text("my fixes\n")
    result = command(root, out)
    assert result.exit_code == 2 and "changed since opsbook wrote" in result.stderr
    assert (out / generated).read_text() == "my fixes\n"
    (out / generated).unlink()  # as the message says: move it away, run again
    assert command(root, out).exit_code == 0


def test_render_removes_its_own_stale_page_but_not_a_changed_one(tmp_path):
    root = make_kb(tmp_path)
    out = tmp_path / "out"
    assert render(root, out).exit_code == 0
    page = out / RUNBOOK
    assert page.is_file()
    moved = root / "runbooks/payments/checkout-error-rate.md"
    (root / RUNBOOK).rename(moved)
    result = render(root, out)
    assert result.exit_code == 0, result.stderr
    assert not page.exists() and (out / "runbooks/payments/checkout-error-rate.md").is_file()
    # The same again, but the person edited the old page: it stays.
    (out / "runbooks/payments/checkout-error-rate.md").write_text("edited\n")
    moved.rename(root / RUNBOOK)
    assert render(root, out).exit_code == 0
    assert (out / "runbooks/payments/checkout-error-rate.md").read_text() == "edited\n"


def test_render_json_lists_pages_and_manifest_records_hashes(tmp_path):
    root = make_kb(tmp_path)
    out = tmp_path / "out"
    result = render(root, out, "--json")
    assert result.exit_code == 0
    pages = {row["path"] for row in json.loads(result.stdout)["written"]}
    manifest = json.loads((out / ".opsbook-manifest.json").read_text())
    assert set(manifest["files"]) == pages
    assert all(len(digest) == 64 for digest in manifest["files"].values())


@pytest.mark.parametrize("command", [render, status_build], ids=["render", "status-build"])
def test_a_corrupt_manifest_is_a_clear_error(tmp_path, command):
    root = make_kb(tmp_path)
    out = tmp_path / "out"
    assert command(root, out).exit_code == 0
    (out / ".opsbook-manifest.json").write_text("{not json")
    result = command(root, out)
    assert result.exit_code == 2 and ".opsbook-manifest.json" in result.stderr and "Traceback" not in result.stderr


def test_render_does_not_follow_a_symlinked_folder_out_of_dir(tmp_path):
    root = make_kb(tmp_path)
    out = tmp_path / "out"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out.mkdir()
    (out / "runbooks").symlink_to(elsewhere, target_is_directory=True)
    result = render(root, out)
    assert result.exit_code == 2 and "outside" in result.stderr
    assert not any(elsewhere.rglob("*"))


def test_status_build_of_an_older_opsbook_without_a_manifest_explains_itself(tmp_path):
    root = make_kb(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / ".opsbook-status-site").write_text("")
    (out / "index.html").write_text("old build")
    result = status_build(root, out)
    assert result.exit_code == 2 and "earlier opsbook" in result.stderr
    assert (out / "index.html").read_text() == "old build"


def test_ics_out_never_overwrites_a_persons_file_and_is_public_by_default(tmp_path):
    root = make_kb(tmp_path)
    out = tmp_path / "feeds"
    out.mkdir()
    (out / "payments.ics").write_text("my own calendar\n")
    result = invoke("--root", str(root), "oncall", "ics", "--out", str(out), "--now", NOW)
    assert result.exit_code == 2 and "did not write" in result.stderr and "payments.ics" in result.stderr
    assert (out / "payments.ics").read_text() == "my own calendar\n"
    (out / "payments.ics").unlink()
    (out / "index.html").write_text("web root\n")
    result = invoke("--root", str(root), "oncall", "ics", "--out", str(out), "--now", "2026-03-01T12:00:00Z")
    assert result.exit_code == 0, result.stderr
    assert (out / "index.html").read_text() == "web root\n"
    assert _descriptions(out / "payments.ics") >= {"Override"}  # the base override's reason is personal
    assert not any("swap" in d for d in _descriptions(out / "payments.ics"))
    result = invoke("--root", str(root), "oncall", "ics", "--out", str(out), "--now", "2026-03-01T12:00:00Z",
                    "--audience", "internal")
    assert result.exit_code == 0 and "Override: swap" in _descriptions(out / "payments.ics")


def _descriptions(path):
    """Each line of each event's DESCRIPTION, read by icalendar."""
    from icalendar import Calendar

    cal = Calendar.from_ical(path.read_bytes())
    return {line for event in cal.walk("VEVENT") for line in str(event["DESCRIPTION"]).splitlines()}


def test_render_out_publishes_files_beside_runbooks_as_the_plugin_does(tmp_path):
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    root = make_kb(tmp_path, {"runbooks/payments/img/dashboard.png": png})
    page = (root / RUNBOOK).read_text()
    (root / RUNBOOK).write_text(page + "\n![The dashboard](img/dashboard.png)\n")
    out = tmp_path / "out"
    result = render(root, out, "--json")
    assert result.exit_code == 0, result.stderr
    assert (out / "runbooks/payments/img/dashboard.png").read_bytes() == png
    rows = {row["path"]: row for row in json.loads(result.stdout)["written"]}
    assert rows["runbooks/payments/img/dashboard.png"]["source"] == "runbooks/payments/img/dashboard.png"
