"""`opsbook mcp`: serve the knowledge base to AI agents over MCP (stdio).

Argument checking only; the server is ``opsbook.mcp``, imported when the
command runs so that `opsbook --help` stays fast.
"""

from __future__ import annotations

import click

from opsbook.cli.common import now_for, root_from, usage_error


@click.command()
@click.option("--allow-write", is_flag=True,
              help="Also offer the write tools (declare, update, note, resolve, postmortem, action item done). "
                   "They edit files in the work tree and never commit or push.")
@click.option("--now", "now_text", metavar="TIME",
              help="Answer as of this instant for the whole session (default: opsbook.yaml as_of, else the clock).")
@click.pass_context
def mcp(ctx: click.Context, allow_write: bool, now_text: str | None) -> None:
    """Serve the knowledge base to AI agents over MCP (stdio).

    An MCP client starts this command and speaks JSON-RPC on its stdin and
    stdout; nothing else is printed there. Read tools answer who is on call,
    escalation, severity, incidents, action items, runbooks, postmortems,
    validation findings and the status page. Write tools exist only with
    --allow-write. Files are read again on every call.
    """
    root = root_from(ctx)
    now_for(root, now_text)  # a bad --now or an opsbook.yaml zone fails here, before any client connects
    try:
        from opsbook.mcp.server import serve
        from opsbook.mcp.session import Settings
    except ImportError as exc:  # pragma: no cover - mcp is a dependency; a broken install
        raise usage_error(f"`opsbook mcp` needs the mcp package ({exc}); install it with "
                          "pip install 'mcp>=1.30,<2'") from None
    serve(Settings(root=root.resolve(), now_text=now_text, allow_write=allow_write))
