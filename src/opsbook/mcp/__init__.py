"""The MCP server: the knowledge base for AI agents, over stdio.

Wiring only, like ``cli/``: each tool parses its arguments, loads what it needs
and calls the same core functions the CLI calls; answers are pydantic models
(structured content), failures are tool errors with the CLI's messages.
``server.build_server`` assembles it; ``opsbook mcp`` (cli/mcp_cmd.py) runs it.
"""
