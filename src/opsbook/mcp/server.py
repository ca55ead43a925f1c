"""Assemble the server: read tools always, write tools only when allowed.

Built on the official SDK's ``FastMCP`` (``mcp`` 1.x; 2.x renamed it
``MCPServer`` and changed ``ToolAnnotations`` to snake_case, hence the pin
in pyproject.toml).
"""

from __future__ import annotations

from mcp.server.fastmcp import FastMCP

from opsbook.mcp import read_tools, write_tools
from opsbook.mcp.session import Settings

INSTRUCTIONS = """\
opsbook: the team's incident knowledge base (on-call schedules, escalation, severity ladder, runbooks, \
incidents, postmortems, status page), kept as YAML and Markdown files in git. Answers come from the files \
at the time of each call. Ids are file names (schedules/payments.yaml is schedule 'payments'). Times are \
ISO 8601; a time without an offset is in the organisation's zone. Write tools (present only when the server \
runs with --allow-write) edit files in the work tree through opsbook's validated editor and return the path \
changed; they never commit or push: show the person the diff. Never edit an incident record by hand when a \
tool does it, and run the validate tool before proposing any other change."""


def build_server(settings: Settings) -> FastMCP:
    server = FastMCP("opsbook", instructions=INSTRUCTIONS, log_level="WARNING")
    read_tools.register(server, settings)
    if settings.allow_write:
        write_tools.register(server, settings)
    return server


def serve(settings: Settings) -> None:
    """Serve over stdio until the client closes the connection."""
    build_server(settings).run("stdio")
