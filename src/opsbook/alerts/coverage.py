"""Which alert has which runbook: by ``alerts:``, by file name, or by ``runbook_url``.

An alert is covered by a runbook that names it in ``alerts:``, by a runbook
named after it (``KubePodCrashLooping.md`` without ``alerts:``), or by its
``runbook_url`` when that points at a runbook's page: on the site
(``site_url`` + ``runbooks/<id>/``) or in a collection the runbooks were copied
from (``policies.alerts.upstream``). URLs compare case-insensitively (Hugo
lower-cases page addresses), ignoring the scheme, a trailing slash, ``.html``,
``.md`` and a ``#fragment``. A ``runbook_url`` under one of those addresses
that reaches no runbook points nowhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from opsbook.alerts.rules import AlertRule
from opsbook.model.kb import KnowledgeBase
from opsbook.model.runbook import Runbook


@dataclass(frozen=True)
class CoveredAlert:
    rule: AlertRule
    runbook: Runbook | None
    how: str  # "alerts", "file name", "runbook_url" or "" when missing


@dataclass(frozen=True)
class Orphan:
    runbook: Runbook
    alert: str
    how: str  # "alerts" or "file name"


@dataclass
class Coverage:
    alerts: list[CoveredAlert] = field(default_factory=list)
    missing: list[AlertRule] = field(default_factory=list)
    orphans: list[Orphan] = field(default_factory=list)
    nowhere: list[AlertRule] = field(default_factory=list)
    """Rules whose runbook_url points at the site or a collection but at no runbook."""


def runbook_url(kb: KnowledgeBase, runbook: Runbook) -> str:
    """The address of the runbook's page, for a rule's runbook_url (relative when site_url is unset)."""
    path = "runbooks/" + "/".join(quote(part, safe="") for part in runbook.id.split("/")) + "/"
    base = str(kb.config.site_url) if kb.config.site_url else ""
    if base and not base.endswith("/"):
        base += "/"
    return base + path


def _comparable(url: str) -> str:
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # "https://[bad/...": no address of ours, whatever it meant
        return url.strip().casefold()
    text = (parts.netloc + parts.path).casefold()
    return text


def _bases(kb: KnowledgeBase) -> list[tuple[str, str]]:
    """(comparable URL prefix, folder under runbooks/) for the site and each upstream collection."""
    out = []
    if kb.config.site_url:
        site = _comparable(str(kb.config.site_url)).rstrip("/") + "/runbooks/"
        out.append((site, ""))
    for upstream in kb.config.policies.alerts.upstream:
        out.append((_comparable(str(upstream.url)).rstrip("/") + "/", upstream.folder.strip("/")))
    # The longest prefix first: a collection published under the site's own address wins.
    return sorted(out, key=lambda item: -len(item[0]))


def _page_id(rest: str) -> str:
    rest = rest.strip("/")
    for suffix in (".html", ".md"):
        if rest.endswith(suffix):
            rest = rest[: -len(suffix)]
    for tail in ("/index", "/_index"):
        if rest.endswith(tail):
            rest = rest[: -len(tail)]
    return rest


def resolve_url(kb: KnowledgeBase, url: str, by_id: dict[str, Runbook]) -> tuple[bool, Runbook | None]:
    """(whether the URL is one of ours, the runbook it reaches)."""
    text = _comparable(url)
    for base, folder in _bases(kb):
        if text.startswith(base) or text + "/" == base:
            rest = _page_id(text[len(base):])
            key = f"{folder}/{rest}".strip("/").casefold() if folder else rest.casefold()
            return True, by_id.get(key)
    return False, None


def coverage(kb: KnowledgeBase, rules: list[AlertRule]) -> Coverage:
    policy = kb.config.policies.runbooks
    runbooks = [rb for rb in kb.runbook_list if not rb.rules(policy).is_page]
    by_id = {rb.id.casefold(): rb for rb in runbooks}
    by_name: dict[str, tuple[Runbook, str]] = {}
    for rb in sorted(runbooks, key=lambda r: r.id):
        how = "file name" if rb.alerts_from_file_name else "alerts"
        for name in rb.alert_names:
            current = by_name.get(name)
            if current is None or (current[1] == "file name" and how == "alerts"):
                by_name[name] = (rb, how)
    folded = {name.casefold(): hit for name, hit in by_name.items()}
    result = Coverage()
    for rule in rules:
        hit = by_name.get(rule.name) or folded.get(rule.name.casefold())
        covered = CoveredAlert(rule, hit[0], hit[1]) if hit else None
        if rule.runbook_url:
            ours, target = resolve_url(kb, rule.runbook_url, by_id)
            if ours and target is None:
                result.nowhere.append(rule)
            elif target is not None and covered is None:
                covered = CoveredAlert(rule, target, "runbook_url")
        if covered is None:
            result.missing.append(rule)
            covered = CoveredAlert(rule, None, "")
        result.alerts.append(covered)
    defined = {rule.name for rule in rules} | {rule.name.casefold() for rule in rules}
    reached = {id(c.runbook) for c in result.alerts if c.runbook is not None and c.how == "runbook_url"}
    for rb in sorted(runbooks, key=lambda r: r.id):
        how = "file name" if rb.alerts_from_file_name else "alerts"
        for name in rb.alert_names:
            if name not in defined and name.casefold() not in defined and not (how == "file name" and id(rb) in reached):
                result.orphans.append(Orphan(rb, name, how))
    return result
