"""Status page rules (OB6xx): what a public update and a maintenance window must hold.

Stages and component statuses outside the vocabulary are schema errors
(OB103, with the allowed values), unknown components are OB208 and incident
updates out of order OB307; these rules cover the rest: maintenance windows
and their updates, and whether the page's last word agrees with the record.
"""

from __future__ import annotations

from typing import Iterable

from opsbook.check.registry import Context, check
from opsbook.diagnostics import Diagnostic, Level, define_rule

UPDATE_ORDER = define_rule("OB601", "maintenance-update-order", Level.ERROR,
                           "a maintenance window's updates are not in time order")
MAINTENANCE_WINDOW = define_rule("OB602", "maintenance-window", Level.ERROR,
                                 "a maintenance window does not end after it starts")
RESOLVED_LAST_UPDATE = define_rule("OB603", "resolved-last-update", Level.ERROR,
                                   "a resolved incident's last public update does not say resolved")
PUBLIC_WITHOUT_UPDATE = define_rule("OB604", "public-incident-without-update", Level.ERROR,
                                    "a public incident has no public update")


@check
def incident_updates(ctx: Context) -> Iterable[Diagnostic]:
    for inc in ctx.kb.incident_list:
        f = inc.file
        if inc.public and not inc.updates:
            yield Diagnostic(PUBLIC_WITHOUT_UPDATE, f, "the incident is public but has no updates, so the status "
                             "page cannot show it", "add an update (at, status, message, components), or set "
                             "public: false", path=("public",))
        if not inc.updates:
            continue
        last = len(inc.updates) - 1
        said = inc.updates[last].status
        if inc.status == "resolved" and said != "resolved":
            yield Diagnostic(RESOLVED_LAST_UPDATE, f, f"the incident is resolved but its last update says {said}",
                             "add a final update with status: resolved telling customers it is over",
                             path=("updates", last, "status"))


@check
def maintenance_windows(ctx: Context) -> Iterable[Diagnostic]:
    page = ctx.kb.status
    if page is None:
        return
    f = page.file
    for i, window in enumerate(page.maintenance):
        if window.end <= window.start:
            yield Diagnostic(MAINTENANCE_WINDOW, f, f"maintenance '{window.id}' ends at or before it starts",
                             "set end later than start (times without an offset are in the page's zone)",
                             path=("maintenance", i, "end"))
        for j in range(1, len(window.updates)):
            if window.updates[j].at < window.updates[j - 1].at:
                yield Diagnostic(UPDATE_ORDER, f, f"maintenance '{window.id}': update {j + 1} is earlier than "
                                 f"update {j}", "list updates oldest first, as they were posted",
                                 path=("maintenance", i, "updates", j, "at"))
