"""Generate a synthetic but valid opsbook knowledge base for benchmarks.

    python benchmarks/generate_kb.py DEST [--scale 0.1] [--seed 1]

The knowledge base is deterministic for a given seed and scale, and every
cross-reference resolves: `opsbook validate --now 2026-11-20T15:00:00Z` must
report no errors (a few warnings are generated on purpose, see
``warn_fraction``). opsbook.yaml also carries ``as_of`` at the same instant, so
a bare `opsbook validate` gives the same answer on any day.

Sizes aim at a large but plausible organisation: a runbook is ~60 lines, an
incident record ~40 lines, a postmortem ~80 lines, people.yaml ~1,100 lines.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
NOW_TEXT = "2026-11-20T15:00:00Z"
FIRST_INCIDENT = datetime(2023, 1, 2, tzinfo=UTC)

FIRST_NAMES = [
    "ada", "alan", "amara", "anika", "arjun", "aurora", "beatriz", "bruno", "camille", "carlos", "chen",
    "chloe", "dalia", "dario", "diego", "elena", "elif", "emeka", "emil", "esther", "farah", "felix",
    "greta", "hana", "hugo", "ibrahim", "ines", "isaac", "jana", "javier", "jin", "joao", "julia",
    "kai", "kamala", "karin", "kenji", "lars", "leila", "lucia", "luka", "mai", "malik", "marta",
    "mateo", "mei", "mila", "nadia", "naveen", "nia", "nikos", "noor", "olga", "omar", "oskar", "paula",
    "pedro", "petra", "quinn", "rahul", "rania", "rhea", "rui", "sade", "sara", "selin", "soren",
    "sofia", "tariq", "tomas", "uma", "valentina", "vera", "wanjiru", "xavier", "yara", "yusuf",
    "zainab", "zoe"
]
LAST_NAMES = [
    "abebe", "adeyemi", "alvarez", "andersen", "bakker", "banerjee", "bianchi", "brennan", "castillo",
    "chowdhury", "costa", "dahl", "delacroix", "dubois", "eriksson", "fernandes", "fischer", "fontaine",
    "garcia", "gupta", "haddad", "hansen", "hashimoto", "ivanova", "jansen", "jovanovic", "kaur", "kim",
    "kowalski", "kruger", "lambert", "larsen", "lindqvist", "lopez", "marino", "markovic", "martins",
    "meyer", "moreau", "murphy", "nakamura", "nguyen", "novak", "obi", "okafor", "oliveira", "osei",
    "park", "pereira", "petrov", "popescu", "quist", "ramos", "rao", "reyes", "rossi", "sato",
    "schmidt", "silva", "singh", "sousa", "tanaka", "takahashi", "tan", "torres", "vargas", "varga",
    "wagner", "walsh", "wang", "weber", "yamamoto", "yilmaz", "zhang", "ziegler"
]
DOMAINS = [
    "payments", "ledger", "identity", "search", "catalog", "checkout", "billing", "messaging",
    "notifications", "storage", "compute", "network", "edge", "data", "analytics", "ml", "fraud",
    "risk", "onboarding", "mobile", "web", "growth", "ads", "maps", "media", "video", "chat", "email",
    "security", "observability"
]
QUALIFIERS = [
    "core", "platform", "api", "infra", "apps", "ops", "backend", "services", "pipeline", "frontend"
]
COMPONENTS = ["api", "worker", "db", "gateway", "scheduler", "cache", "ui", "consumer", "exporter", "sync"]
ZONES = [
    "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Sao_Paulo",
    "Europe/London", "Europe/Berlin", "Europe/Paris", "Europe/Madrid", "Europe/Warsaw", "Africa/Lagos",
    "Africa/Nairobi", "Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney", "UTC",
]
CONDITIONS = [
    ("high-error-rate", "HighErrorRate", "the 5xx ratio is above 2% for 5 minutes"),
    ("latency-p99", "LatencyP99High", "p99 latency is above its SLO for 10 minutes"),
    ("pod-crashloop", "PodCrashLooping", "a pod restarted more than 5 times in 15 minutes"),
    ("disk-almost-full", "DiskAlmostFull", "a volume is more than 85% full and growing"),
    ("certificate-expiry", "CertificateExpiresSoon", "a TLS certificate expires within 14 days"),
    ("queue-backlog", "QueueBacklogGrowing", "the work queue has grown for 20 minutes"),
    ("replication-lag", "ReplicationLagHigh", "a replica is more than 60 seconds behind"),
    ("connection-saturation", "ConnectionPoolSaturated", "the connection pool is over 90% used"),
    ("oom-kills", "ContainerOOMKilled", "containers are killed for exceeding their memory limit"),
    ("deploy-stuck", "DeploymentStuck", "a rollout made no progress for 15 minutes"),
    ("dns-failures", "DNSResolutionFailing", "DNS lookups from the service fail above 1%"),
    ("job-missed", "ScheduledJobMissed", "a scheduled job did not complete in its window"),
    ("cache-hit-ratio", "CacheHitRatioLow", "the cache hit ratio fell below 70%"),
    ("throttling", "UpstreamThrottling", "an upstream dependency returns 429 above 1%"),
    ("cpu-saturation", "CPUSaturation", "CPU usage is above 90% across the deployment"),
    ("synthetic-failing", "SyntheticCheckFailing", "the synthetic probe failed 3 times in a row"),
    ("error-budget-burn", "ErrorBudgetBurnFast", "the error budget burns 14x faster than sustainable"),
    ("consumer-lag", "KafkaConsumerLag", "consumer lag is above 100k messages"),
    ("backup-failed", "BackupFailed", "the nightly backup did not finish"),
    ("node-not-ready", "NodeNotReady", "a node has been NotReady for 10 minutes"),
]
LEVELS = ["SEV0", "SEV1", "SEV2", "SEV3", "SEV4"]
ROLES = {"SEV0": ["comms", "scribe", "ops", "liaison"], "SEV1": ["comms", "scribe"], "SEV2": ["comms"],
         "SEV3": [], "SEV4": []}
DUE_DAYS = {"SEV0": 5, "SEV1": 5, "SEV2": 10}
IMPACT = {"SEV0": "critical", "SEV1": "major", "SEV2": "major", "SEV3": "minor", "SEV4": "none"}
COMPONENT_STATUS = {"SEV0": "major_outage", "SEV1": "major_outage", "SEV2": "partial_outage",
                    "SEV3": "degraded_performance", "SEV4": "degraded_performance"}
WORDS = [
    "request", "retries", "timeout", "upstream", "queue", "replica", "shard", "primary", "failover",
    "cache", "node", "pool", "connection", "deploy", "config", "rollout", "canary", "traffic", "region",
    "zone", "cluster", "broker", "consumer", "partition", "index", "schema", "migration", "certificate",
    "token", "session", "limit", "quota", "budget", "alert", "dashboard", "latency", "throughput",
    "saturation", "backlog", "worker", "scheduler", "batch", "export", "import"
]


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def camel(slug: str) -> str:
    return "".join(part.capitalize() for part in slug.split("-"))


class Generator:
    def __init__(self, dest: Path, *, runbooks: int, postmortems: int, incidents: int, schedules: int,
                 people: int, seed: int, warn_fraction: float) -> None:
        self.dest = dest
        self.n_runbooks, self.n_incidents = runbooks, incidents
        self.n_postmortems = min(postmortems, incidents)
        self.n_schedules, self.n_people = max(1, schedules), max(4, people)
        self.rng = random.Random(seed)
        self.warn_fraction = warn_fraction
        self.files = 0
        self.bytes = 0

    # --- helpers -------------------------------------------------------------------

    def write(self, rel: str, text: str) -> None:
        path = self.dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        path.write_bytes(data)
        self.files += 1
        self.bytes += len(data)

    def sentence(self, low: int = 8, high: int = 16) -> str:
        words = self.rng.choices(WORDS, k=self.rng.randint(low, high))
        return (" ".join(words)).capitalize() + "."

    # --- people, teams, services ------------------------------------------------------

    def make_people(self) -> None:
        rng = self.rng
        seen: set[str] = set()
        self.people: list[dict] = []
        while len(self.people) < self.n_people:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            pid, n = f"{first}-{last}", 2
            while pid in seen:
                pid, n = f"{first}-{last}-{n}", n + 1
            seen.add(pid)
            slack = "U" + "".join(rng.choices("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", k=rng.randint(8, 10)))
            self.people.append({
                "id": pid, "name": f"{first.capitalize()} {last.capitalize()}",
                "email": f"{pid}@example.com", "timezone": rng.choice(ZONES), "slack": slack,
                "phone": f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}" if rng.random() < 0.6 else None,
            })
        n_teams = max(1, self.n_people // 8)
        names = [f"{d}-{qual}" for qual in QUALIFIERS for d in DOMAINS]
        rng.shuffle(names)
        team_ids = [names[i % len(names)] + (f"-{i // len(names) + 1}" if i >= len(names) else "")
                    for i in range(n_teams)]
        assert not set(team_ids) & seen, "team and person ids must not overlap"
        order = [p["id"] for p in self.people]
        self.teams = []
        for i, tid in enumerate(team_ids):
            members = order[i::n_teams]
            self.teams.append({"id": tid, "name": tid.replace("-", " ").title(), "members": members,
                               "lead": members[0], "slack_channel": f"#{tid}-oncall",
                               "description": self.sentence()})

    def make_services(self) -> None:
        rng = self.rng
        n_services = max(len(self.teams), self.n_runbooks // 20)
        self.services: list[dict] = []
        for i in range(n_services):
            team = self.teams[i % len(self.teams)]
            comp = COMPONENTS[(i // len(self.teams)) % len(COMPONENTS)]
            suffix = i // (len(self.teams) * len(COMPONENTS))
            sid = f"{team['id']}-{comp}" + (f"-{suffix + 1}" if suffix else "")
            self.services.append({"id": sid, "name": sid.replace("-", " ").title(), "team": team["id"],
                                  "tier": rng.randint(1, 4), "description": self.sentence(12, 24)})
        self.services_of: dict[str, list[dict]] = {}
        for svc in self.services:
            self.services_of.setdefault(svc["team"], []).append(svc)

    # --- schedules and escalation --------------------------------------------------

    def make_schedules(self) -> None:
        self.schedules: list[dict] = []
        n_teams = len(self.teams)
        seen: set[str] = set()
        for i in range(self.n_schedules):
            team = self.teams[i % n_teams]
            if i < n_teams:  # every team's main schedule: mostly 24/7 weekly, some follow-the-sun
                kind = "follow-the-sun" if i % 3 == 2 else "oncall"
            else:
                kind = ["business-hours", "secondary", "follow-the-sun"][((i - n_teams) // n_teams) % 3]
            sid, n = f"{team['id']}-{kind}", 2
            while sid in seen:
                sid, n = f"{team['id']}-{kind}-{n}", n + 1
            seen.add(sid)
            self.schedules.append({"id": sid, "team": team, "kind": kind})
        self.schedule_of = {}
        for sched in self.schedules:
            self.schedule_of.setdefault(sched["team"]["id"], sched["id"])
        for svc in self.services:
            svc["escalation"] = svc["team"]
            svc["schedule"] = self.schedule_of.get(svc["team"], self.schedules[0]["id"])
        for sched in self.schedules:
            self.write(f"schedules/{sched['id']}.yaml", self.schedule_text(sched))

    def schedule_text(self, sched: dict) -> str:
        rng = self.rng
        team, kind = sched["team"], sched["kind"]
        members = team["members"]
        zone = rng.choice(ZONES)
        always = kind in ("oncall", "secondary")
        lines = [
            "# yaml-language-server: $schema=../schemas/schedule.schema.json",
            f"# {team['name']} {kind.replace('-', ' ')} rotation. Handoffs happen in writing in the",
            "# team's on-call channel; swap shifts with an override below, never by editing a layer.",
            f"name: {q(team['name'] + ' ' + kind.replace('-', ' '))}",
            f"team: {team['id']}",
            f"timezone: {zone}",
            f"coverage: {q('24/7') if always else 'partial'}",
            f"description: {q(self.sentence(10, 20))}",
            f"handoff_channel: {q(team['slack_channel'])}",
            "layers:",
        ]
        start = date(2025, 1, 6) + timedelta(days=7 * rng.randint(0, 40))  # a Monday
        if always:
            lines += [
                "  - name: weekly",
                f"    members: [{', '.join(members)}]",
                f"    start: {start.isoformat()}T09:00",
                "    length: 1w",
                "    backup: next",
            ]
            if len(members) > 2:
                lines += [
                    "  - name: weekend-cover",
                    f"    members: [{', '.join(reversed(members))}]",
                    f"    start: {(start + timedelta(days=5)).isoformat()}T18:00",
                    "    length: 1w",
                    f"    backup: [{', '.join(members[:2])}]",
                    "    restrict:",
                    '      - {days: [sat, sun], from: "00:00", to: "24:00"}',
                ]
        elif kind == "business-hours":
            lines += [
                "  - name: weekdays",
                f"    members: [{', '.join(members)}]",
                f"    start: {start.isoformat()}T09:00",
                "    length: 1d",
                "    backup: next",
                "    restrict:",
                '      - {days: [mon, tue, wed, thu, fri], from: "09:00", to: "17:30"}',
            ]
        else:  # follow-the-sun: three 8-hour windows in three zones
            thirds = [members[j::3] or members for j in range(3)]
            for j, (frm, to) in enumerate([("22:00", "06:00"), ("06:00", "14:00"), ("14:00", "22:00")]):
                lines += [
                    f"  - name: window-{j + 1}",
                    f"    members: [{', '.join(thirds[j])}]",
                    f"    start: {start.isoformat()}T{frm}",
                    "    length: 1w",
                    "    backup: null" if j == 0 else "    backup: next",
                    f"    timezone: {ZONES[(ZONES.index(zone) + 5 * j) % len(ZONES)]}",
                    "    restrict:",
                    f'      - {{from: "{frm}", to: "{to}"}}',
                ]
        lines.append("overrides:")
        moment = datetime(2026, 1, 1, 18, 0) + timedelta(days=rng.randint(0, 20))
        for _ in range(rng.randint(4, 12)):
            moment += timedelta(days=rng.randint(5, 30))
            end = moment + timedelta(hours=rng.choice([15, 24, 39, 63]))
            person = rng.choice(members)
            reason = rng.choice(["swap", "parental leave cover", "conference travel", "public holiday",
                                 "moving house", "sick day", "family event"])
            lines.append(f"  - {{role: {rng.choice(['primary', 'primary', 'backup'])}, person: {person}, "
                         f"start: {moment.isoformat(timespec='minutes')}, end: {end.isoformat(timespec='minutes')}, "
                         f"reason: {q(reason)}}}")
            moment = end
        return "\n".join(lines) + "\n"

    def write_escalation(self) -> None:
        lines = ["# yaml-language-server: $schema=../schemas/escalation.schema.json",
                 "# One policy per team, plus the major-incident policy SEV0 uses.", "policies:"]
        for team in self.teams:
            sched = self.schedule_of.get(team["id"], self.schedules[0]["id"])
            lines += [
                f"  - id: {team['id']}",
                f"    name: {q(team['name'] + ' escalation')}",
                "    steps:",
                f"      - {{after: 0m, notify: [{{schedule: {sched}, role: primary}}]}}",
                f"      - {{after: 5m, notify: [{{schedule: {sched}, role: backup}}]}}",
                f"      - {{after: 15m, notify: [{{person: {team['lead']}}}]}}",
                f"      - {{after: 30m, notify: [{{team: {team['id']}}}]}}",
                f"    repeat: {self.rng.randint(0, 3)}",
            ]
        first = [s["id"] for s in self.schedules[:3]]
        leads = [t["lead"] for t in self.teams[:3]]
        lines += [
            "  - id: major-incident",
            "    name: Major incident (SEV0)",
            "    steps:",
            "      - {after: 0m, notify: [" + ", ".join(f"{{schedule: {s}, role: primary}}" for s in first) + "]}",
            "      - {after: 5m, notify: [" + ", ".join(f"{{schedule: {s}, role: backup}}" for s in first) + "]}",
            "      - {after: 10m, notify: [" + ", ".join(f"{{person: {p}}}" for p in leads) + "]}",
            "    repeat: 3",
        ]
        self.write("schedules/escalation.yaml", "\n".join(lines) + "\n")

    # --- root files -------------------------------------------------------------------

    def write_config(self) -> None:
        lines = [
            "# yaml-language-server: $schema=schemas/opsbook.schema.json",
            "# Synthetic knowledge base generated by benchmarks/generate_kb.py.",
            "name: Benchmark Corp",
            "timezone: America/New_York",
            "site_url: https://incidents.example.com/",
            "repo_url: https://git.example.com/sre/incidents",
            f"as_of: {NOW_TEXT}",
            "",
            "services:",
        ]
        for svc in self.services:
            lines += [
                f"  - id: {svc['id']}",
                f"    name: {q(svc['name'])}",
                f"    team: {svc['team']}",
                f"    escalation: {svc['escalation']}",
                f"    schedule: {svc['schedule']}",
                f"    tier: {svc['tier']}",
                f"    description: {q(svc['description'])}",
            ]
        lines += ["", "policies:", "  runbooks:", "    profile: standard", "    review_every: 180d",
                  "  action_items:", "    due_default: 30d"]
        self.write("opsbook.yaml", "\n".join(lines) + "\n")

    def write_people(self) -> None:
        lines = ["# yaml-language-server: $schema=../schemas/people.schema.json",
                 "# Everyone who can be paged, and the teams they form.", "people:"]
        for p in self.people:
            fields = [f"id: {p['id']}", f"name: {p['name']}", f"email: {p['email']}",
                      f"timezone: {p['timezone']}", f"slack: {p['slack']}"]
            if p["phone"]:
                fields.append(f"phone: {q(p['phone'])}")
            lines.append("  - {" + ", ".join(fields) + "}")
        lines += ["", "teams:"]
        for t in self.teams:
            lines += [
                f"  - id: {t['id']}",
                f"    name: {q(t['name'])}",
                f"    members: [{', '.join(t['members'])}]",
                f"    lead: {t['lead']}",
                f"    slack_channel: {q(t['slack_channel'])}",
                f"    description: {q(t['description'])}",
            ]
        self.write("schedules/people.yaml", "\n".join(lines) + "\n")

    def write_severity(self) -> None:
        text = """\
# yaml-language-server: $schema=../schemas/severity.schema.json
# The severity ladder, most severe first.
levels:
  - id: SEV0
    name: Catastrophic
    description: "Data loss, a security breach, or the product down for everyone."
    examples: ["Writes lost or applied twice", "Confirmed unauthorised access", "Every region unreachable"]
    page: true
    ack_within: 5m
    update_every: 15m
    roles: [commander, comms, scribe, ops, liaison]
    postmortem: required
    postmortem_due: 5d
    status_page: required
    escalation: major-incident
  - id: SEV1
    name: Critical
    description: "A core flow fails for most customers and there is no workaround."
    examples: ["More than 20% of requests failing for five minutes", "Nobody can sign in"]
    page: true
    ack_within: 5m
    update_every: 30m
    roles: [commander, comms, scribe]
    postmortem: required
    postmortem_due: 5d
    status_page: required
  - id: SEV2
    name: Major
    description: "A core flow is degraded for some customers, or a workaround exists."
    examples: ["Webhooks more than 15 minutes late", "One region failing over"]
    page: true
    ack_within: 15m
    update_every: 1h
    roles: [commander, comms]
    postmortem: required
    postmortem_due: 10d
    status_page: optional
  - id: SEV3
    name: Minor
    description: "Limited impact that can wait for business hours."
    examples: ["Reports a few hours late"]
    page: false
    ack_within: 4h
    update_every: 1d
    roles: [commander]
    postmortem: optional
    postmortem_due: 14d
    status_page: optional
  - id: SEV4
    name: Pre-emptive
    description: "Nothing is broken yet, but will be if left alone."
    examples: ["A disk at 80% and growing"]
    page: false
    ack_within: 2d
    update_every: 1w
    roles: [commander]
    postmortem: none
    status_page: none
decision_tree:
  start: data-at-risk
  questions:
    - id: data-at-risk
      text: "Is data lost or exposed, or is the product unreachable for everyone?"
      "yes": SEV0
      "no": core-flow-down
    - id: core-flow-down
      text: "Is a core flow failing for most customers with no workaround?"
      "yes": SEV1
      "no": core-flow-degraded
    - id: core-flow-degraded
      text: "Is a core flow failing or slow for some customers?"
      "yes": SEV2
      "no": visible-impact
    - id: visible-impact
      text: "Can any customer see something broken right now?"
      "yes": SEV3
      "no": SEV4
"""
        self.write("playbooks/severity.yaml", text)

    def write_playbooks(self) -> None:
        for slug, title, sevs in [("incident-response", "Incident response", "SEV0, SEV1, SEV2, SEV3"),
                                  ("communications", "Communications", "SEV0, SEV1, SEV2")]:
            body = [f"# {title}", ""]
            for section in ("Who can declare", "Roles", "Cadence", "Handover", "Closing"):
                body += [f"## {section}", ""] + [self.sentence(12, 20) for _ in range(4)] + [""]
            self.write(f"playbooks/{slug}.md",
                       f"---\ntitle: {title}\nowner: {self.teams[0]['id']}\nseverities: [{sevs}]\n"
                       f"tags: [process]\n---\n" + "\n".join(body))

    def write_status_page(self) -> None:
        self.component_of: dict[str, str] = {}
        groups = sorted({t["id"].split("-")[0] for t in self.teams})
        lines = ["# yaml-language-server: $schema=../schemas/statuspage.schema.json",
                 "name: Benchmark Corp Status", "url: https://status.example.com", "timezone: UTC", "groups:"]
        lines += [f"  - {{id: {g}, name: {q(g.title())}}}" for g in groups]
        lines.append("components:")
        for team in self.teams:
            cid = team["id"]
            svcs = [s["id"] for s in self.services_of.get(cid, [])]
            for s in svcs:
                self.component_of[s] = cid
            lines.append(f"  - {{id: {cid}, name: {q(team['name'])}, group: {cid.split('-')[0]}, "
                         f"services: [{', '.join(svcs)}], since: 2024-01-01}}")
        comp = self.teams[0]["id"]
        lines += [
            "maintenance:",
            "  - id: database-upgrade-2026-12",
            "    title: Database upgrade",
            "    start: 2026-12-05T03:00:00-05:00",
            "    end: 2026-12-05T05:00:00-05:00",
            f"    components: [{comp}]",
            "    updates:",
            '      - {at: 2026-11-18T15:00:00Z, status: scheduled, message: "We will upgrade a database."}',
        ]
        self.write("status/page.yaml", "\n".join(lines) + "\n")

    # --- runbooks ------------------------------------------------------------------------

    def make_runbooks(self) -> None:
        rng = self.rng
        self.runbook_ids_of: dict[str, list[str]] = {}
        today = NOW.date()
        for i in range(self.n_runbooks):
            svc = self.services[i % len(self.services)]
            k = i // len(self.services)
            slug, alert_suffix, meaning = CONDITIONS[k % len(CONDITIONS)]
            if k >= len(CONDITIONS):
                slug = f"{slug}-{k // len(CONDITIONS) + 1}"
            rid = f"{svc['team']}/{svc['id']}/{slug}"
            self.runbook_ids_of.setdefault(svc["id"], []).append(rid)
            overdue = rng.random() < self.warn_fraction
            reviewed = today - timedelta(days=rng.randint(200, 400) if overdue else rng.randint(1, 170))
            alert = camel(svc["id"]) + alert_suffix
            self.write(f"runbooks/{rid}.md", self.runbook_text(svc, slug, alert, meaning, reviewed))

    def runbook_text(self, svc: dict, slug: str, alert: str, meaning: str, reviewed: date) -> str:
        rng = self.rng
        sid, ns = svc["id"], svc["team"]
        title = f"{svc['name']}: {slug.replace('-', ' ')}"
        other = rng.choice(self.services)["id"]
        front = [
            "---",
            f"title: {q(title)}",
            f"service: {sid}",
            f"owner: {svc['team']}",
            f"alerts: [{alert}, {alert}Critical]",
            f"severity: {rng.choice(['SEV1', 'SEV2', 'SEV2', 'SEV3'])}",
            f"last_reviewed: {reviewed.isoformat()}",
        ]
        if rng.random() < 0.2:
            front.append("review_every: 365d")
        front += [f"tags: [{svc['team'].split('-')[0]}, {slug.split('-')[0]}, tier-{svc['tier']}]",
                  f"description: {q(self.sentence(10, 18))}", "---"]
        body = [
            f"# {title}",
            "",
            "## Trigger",
            "",
            f"`{alert}` fires when {meaning}. The critical variant `{alert}Critical` pages at any hour.",
            "",
            "```promql",
            f'sum(rate(http_requests_total{{service="{sid}",code=~"5.."}}[5m]))',
            f'  / sum(rate(http_requests_total{{service="{sid}"}}[5m])) > 0.02',
            "```",
            "",
            "## Diagnosis",
            "",
            f"1. Open the *{svc['name']} / Overview* dashboard and find the first panel that turned red.",
            "2. Check for a recent change:",
            "",
            "   ```bash",
            f"   argocd app history {sid} | tail -5",
            f"   kubectl --context prod -n {ns} get events --sort-by=.lastTimestamp | tail -20",
            "   ```",
            "",
            f"3. Read the top errors of the last ten minutes: {self.sentence()}",
            f"4. If the errors point at `{other}`, follow its runbook instead; {self.sentence(6, 10).lower()}",
            "",
            "## Mitigation",
            "",
            f"**A. Bad deploy.** Roll back to the previous revision: `argocd app rollback {sid} <revision>`.",
            "",
            f"**B. Saturation.** Scale out: `kubectl -n {ns} scale deploy/{sid} --replicas=<2x current>`.",
            f"{self.sentence(12, 20)}",
            "",
            f"**C. Dependency down.** {self.sentence(10, 18)}",
            "",
            "## Verification",
            "",
            f"- `{alert}` resolved and silent for 15 minutes.",
            "- Error ratio below 0.5% and p99 latency back under the SLO on the dashboard.",
            f"- {self.sentence(8, 14)}",
            "",
            "## Rollback",
            "",
            f"Undo scaling with `kubectl -n {ns} scale deploy/{sid} --replicas=<original>`.",
            f"{self.sentence(10, 16)}",
            "",
            "## Escalation",
            "",
            f"Page the `{svc['escalation']}` escalation policy if not mitigated within 30 minutes.",
            "For customer-visible impact declare an incident (see the severity ladder).",
            "",
        ]
        return "\n".join(front + body)

    # --- incidents and postmortems -----------------------------------------------------

    def make_incidents(self) -> None:
        rng = self.rng
        span = (NOW - timedelta(days=2) - FIRST_INCIDENT).total_seconds()
        declared = sorted(FIRST_INCIDENT + timedelta(seconds=rng.uniform(0, span)) for _ in range(self.n_incidents))
        # The last ~0.5% are still open; postmortems go to the oldest SEV0-2 incidents
        # (their deadlines have passed), picked at random among the resolved ones.
        n_open = min(len(declared) // 200, 50)
        resolved_idx = list(range(len(declared) - n_open))
        with_pm = set(rng.sample(resolved_idx, min(self.n_postmortems, len(resolved_idx))))
        per_year: dict[int, int] = {}
        self.pm_incidents: list[dict] = []
        for i, when in enumerate(declared):
            per_year[when.year] = per_year.get(when.year, 0) + 1
            inc_id = f"INC-{when.year}-{per_year[when.year]:04d}"
            is_open = i >= len(declared) - n_open
            if i in with_pm:
                sev = rng.choices(["SEV0", "SEV1", "SEV2"], weights=[1, 4, 10])[0]
            elif is_open:
                sev = rng.choice(["SEV2", "SEV3", "SEV4"])
            else:
                sev = rng.choices(["SEV3", "SEV4"], weights=[4, 1])[0]
            inc = self.incident(inc_id, sev, when, is_open)
            if i in with_pm:
                self.pm_incidents.append(inc)

    def incident(self, inc_id: str, sev: str, declared: datetime, is_open: bool) -> dict:
        rng = self.rng
        svc = rng.choice(self.services)
        services = [svc["id"]] + ([rng.choice(self.services)["id"]] if rng.random() < 0.3 else [])
        services = list(dict.fromkeys(services))
        team = next(t for t in self.teams if t["id"] == svc["team"])
        crew = rng.sample(self.people, 6)
        commander = rng.choice(team["members"])
        roles = {role: crew[j]["id"] for j, role in enumerate(ROLES[sev])}
        started = declared - timedelta(minutes=rng.randint(3, 60))
        detected = started + timedelta(minutes=rng.randint(0, int((declared - started).total_seconds() // 60)))
        acknowledged = declared + timedelta(minutes=rng.randint(1, 10))
        mitigated = acknowledged + timedelta(minutes=rng.randint(10, 240))
        resolved = mitigated + timedelta(minutes=rng.randint(10, 600))
        if is_open:
            stage = rng.choice(["investigating", "identified", "monitoring"])
        else:
            stage = "resolved"
        public = sev in ("SEV0", "SEV1") or rng.random() < {"SEV2": 0.6, "SEV3": 0.3}.get(sev, 0)
        condition = rng.choice(CONDITIONS)
        title = f"{svc['name']}: {condition[0].replace('-', ' ')}"
        runbooks = self.runbook_ids_of.get(svc["id"], [])
        lines = [
            "# yaml-language-server: $schema=../schemas/incident.schema.json",
            f"id: {inc_id}",
            f"title: {q(title)}",
            f"severity: {sev}",
            f"status: {stage}",
            f"services: [{', '.join(services)}]",
            f"commander: {commander}",
        ]
        if roles:
            lines.append("roles:")
            lines += [f"  {role}: {person}" for role, person in roles.items()]
        lines += [f"started: {iso(started)}", f"detected: {iso(detected)}", f"declared: {iso(declared)}",
                  f"acknowledged: {iso(acknowledged)}"]
        if not is_open or stage == "monitoring":
            lines.append(f"mitigated: {iso(mitigated)}")
        if not is_open:
            lines.append(f"resolved: {iso(resolved)}")
        lines += [f"public: {'true' if public else 'false'}", f"impact: {IMPACT[sev]}",
                  f"summary: {q(self.sentence(20, 35))}"]
        if runbooks:
            lines.append(f"runbooks: [{rng.choice(runbooks)}]")
        end = resolved if not is_open else acknowledged + timedelta(minutes=30)
        if public:
            lines.append("updates:")
            comp = self.component_of.get(svc["id"])
            stages = ["investigating", "identified", "monitoring", "resolved"]
            last = stages.index(stage)
            for j, st in enumerate(stages[: last + 1]):
                at = declared + (end - declared) * (j / max(1, last)) + timedelta(minutes=2)
                status = "operational" if st == "resolved" else COMPONENT_STATUS[sev]
                lines += [f"  - at: {iso(at)}", f"    status: {st}", f"    message: {q(self.sentence(15, 30))}"]
                if comp:
                    lines.append(f"    components: {{{comp}: {status}}}")
        lines.append("timeline:")
        moments = sorted(started + (end - started) * rng.random() for _ in range(rng.randint(10, 18)))
        for at in moments:
            who = rng.choice([commander] + list(roles.values()))
            lines.append(f"  - {{at: {iso(at)}, text: {q(self.sentence(8, 18))}, by: {who}}}")
        self.write(f"incidents/{inc_id}.yaml", "\n".join(lines) + "\n")
        return {"id": inc_id, "sev": sev, "title": title, "resolved": resolved, "commander": commander,
                "crew": [p["id"] for p in crew], "team": team, "service": svc["id"]}

    def make_postmortems(self) -> None:
        rng = self.rng
        ai = 0
        for inc in self.pm_incidents:
            written = (inc["resolved"] + timedelta(days=rng.randint(1, DUE_DAYS[inc["sev"]] - 1))).date()
            written = max(inc["resolved"].date(), min(written, NOW.date()))
            slug = f"{written.isoformat()}-{inc['id'].lower()}-{inc['service']}"
            items = []
            for _ in range(rng.randint(3, 6)):
                ai += 1
                due = written + timedelta(days=rng.choice([14, 30, 30, 60, 90]))
                if due < NOW.date():
                    status = rng.choices(["done", "wont-do"], weights=[9, 1])[0]
                    closed = max(written, due - timedelta(days=rng.randint(0, 10)))
                else:
                    status, closed = rng.choice(["open", "in-progress"]), None
                items.append({"id": f"AI-{ai}", "title": self.sentence(5, 10).rstrip("."),
                              "owner": rng.choice(inc["team"]["members"]), "due": due, "status": status,
                              "type": rng.choice(["prevent", "mitigate", "detect", "process"]),
                              "ticket": f"{inc['team']['id'].split('-')[0].upper()}-{rng.randint(100, 9999)}",
                              "closed": closed})
            self.write(f"postmortems/{written.year}/{slug}.md", self.postmortem_text(inc, written, items))

    def postmortem_text(self, inc: dict, written: date, items: list[dict]) -> str:
        rng = self.rng
        front = [
            "---",
            f"incident: {inc['id']}",
            f"title: {q(inc['title'])}",
            f"status: {rng.choice(['in-review', 'published', 'published'])}",
            f"owner: {inc['commander']}",
            f"date: {written.isoformat()}",
            f"visibility: {rng.choice(['public', 'internal', 'internal', 'restricted'])}",
            f"authors: [{', '.join(dict.fromkeys([inc['commander'], inc['crew'][0]]))}]",
            f"summary: {q(self.sentence(15, 30))}",
            "action_items:",
        ]
        for it in items:
            front += [f"  - id: {it['id']}", f"    title: {q(it['title'])}", f"    owner: {it['owner']}",
                      f"    due: {it['due'].isoformat()}", f"    status: {it['status']}", f"    type: {it['type']}",
                      f"    ticket: {it['ticket']}"]
            if it["closed"]:
                front.append(f"    closed: {it['closed'].isoformat()}")
        front.append("---")
        body = [f"# {inc['title']}", ""]
        for section in ("Summary", "Impact", "Timeline", "Root cause", "What went well", "What went poorly"):
            body += [f"## {section}", ""]
            if section == "Timeline":
                body += [f"- {h:02d}:{rng.randint(0, 59):02d} {self.sentence(6, 12)}" for h in range(8, 14)]
            else:
                body += [self.sentence(15, 30) for _ in range(rng.randint(2, 4))]
            body.append("")
        body += ["## Action items", "", "| Id | Title | Owner | Due |", "|---|---|---|---|"]
        body += [f"| {it['id']} | {it['title']} | {it['owner']} | {it['due'].isoformat()} |" for it in items]
        return "\n".join(front + body) + "\n"

    # --- all -------------------------------------------------------------------------------

    def run(self) -> dict:
        self.make_people()
        self.make_services()
        self.make_schedules()
        self.write_escalation()
        self.write_config()
        self.write_people()
        self.write_severity()
        self.write_playbooks()
        self.write_status_page()
        self.make_runbooks()
        self.make_incidents()
        self.make_postmortems()
        return {"files": self.files, "bytes": self.bytes, "people": len(self.people), "teams": len(self.teams),
                "services": len(self.services), "schedules": len(self.schedules), "runbooks": self.n_runbooks,
                "incidents": self.n_incidents, "postmortems": len(self.pm_incidents)}


def generate(dest: Path, runbooks: int = 5000, postmortems: int = 2000, incidents: int = 10000,
             schedules: int = 200, people: int = 1000, seed: int = 1, warn_fraction: float = 0.02) -> dict:
    """Write a knowledge base into ``dest`` (emptied first); returns counts and total bytes.

    ``warn_fraction`` of the runbooks get a last_reviewed date past their interval, so
    the validator also exercises its warning path (positions resolved on demand).
    """
    dest = Path(dest)
    if dest.exists():
        if not (dest / "opsbook.yaml").is_file() and any(dest.iterdir()):
            raise SystemExit(f"{dest} is not empty and not a knowledge base; refusing to delete it")
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    return Generator(dest, runbooks=runbooks, postmortems=postmortems, incidents=incidents, schedules=schedules,
                     people=people, seed=seed, warn_fraction=warn_fraction).run()


def scaled(scale: float) -> dict:
    """Counts for ``generate`` at a fraction (or multiple) of the full size."""
    base = {"runbooks": 5000, "postmortems": 2000, "incidents": 10000, "schedules": 200, "people": 1000}
    return {k: max(4, round(v * scale)) for k, v in base.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every count (default 1.0 = full size)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--warn-fraction", type=float, default=0.02,
                        help="share of runbooks with an overdue review (warnings); 0 for none")
    args = parser.parse_args(argv)
    stats = generate(args.dest, seed=args.seed, warn_fraction=args.warn_fraction, **scaled(args.scale))
    print(json.dumps(stats))
    print(f"validate with: python -m opsbook --root {args.dest} validate --now {NOW_TEXT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
