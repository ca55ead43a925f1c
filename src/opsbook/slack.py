"""Posting to Slack through an incoming webhook, without ever showing its URL.

A webhook URL is a credential: anyone holding it can post to the channel. It
comes from ``OPSBOOK_SLACK_WEBHOOK_URL`` and never appears in output, error
messages or logs: slack_sdk logs request URLs at debug level, so its logger
here scrubs them, and every exception is re-raised as ``SlackError`` with the
URL (and its secret path) replaced.
"""

from __future__ import annotations

import base64
import logging
import os
import re
import threading
from urllib.parse import quote, unquote, urlsplit

ENV_VAR = "OPSBOOK_SLACK_WEBHOOK_URL"
REDACTED = "[webhook URL]"
_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


class SlackError(Exception):
    """A post failed; the message is safe to show."""


# Slack's documented incoming-webhook errors. A response body is shown only as
# one of these codes: anything else a server sends back may echo the URL (or a
# piece of it, encoded somehow), so it is withheld rather than filtered.
_SLACK_ERRORS = frozenset({
    "invalid_payload", "user_not_found", "channel_not_found", "channel_is_archived", "action_prohibited",
    "posting_to_general_channel_denied", "too_many_attachments", "no_service", "no_service_id", "no_team",
    "team_disabled", "invalid_token", "no_active_hooks", "missing_text_or_fallback_or_attachments",
    "invalid_blocks", "invalid_blocks_format", "invalid_attachments", "msg_too_long", "rate_limited",
    "request_timeout", "missing_charset", "superfluous_charset", "invalid_auth", "account_inactive",
    "not_authed", "token_revoked", "restricted_action", "ratelimited", "service_unavailable", "fatal_error",
})
_CODE = re.compile(r"[a-z][a-z_]{1,60}")
# Path segments and query values shorter than this are words like "services",
# not secrets; they are scrubbed anyway when they are part of a longer match.
_MIN_SECRET = 3
# Spellings at least this long are also hidden in part: any run of _WINDOW of
# their characters is scrubbed (Slack's tokens are 24 characters).
_WINDOWED, _WINDOW = 10, 8


def _encodings(secret: str) -> set[str]:
    """The spellings a server could plausibly echo ``secret`` in."""
    raw = secret.encode("utf-8")
    found = {secret, unquote(secret), unquote(unquote(secret)), quote(secret, safe=""), quote(secret, safe="/"),
             quote(quote(secret, safe=""), safe=""), raw.hex(), raw.hex().upper(), secret[::-1]}
    # Base64 of the secret inside a longer encoded text depends on its offset
    # modulo 3; the characters that only encode the secret are the same at each.
    for shift in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode, base64.b32encode):
            text = encode(b"\0" * shift + raw).decode("ascii").rstrip("=")
            lead = (shift * 8 + 5) // 6 if encode is not base64.b32encode else (shift * 8 + 4) // 5
            core = text[lead:-2] if len(text) - lead > 6 else ""
            if len(core) >= 4:
                found.add(core)
    return {s for s in found if len(s) >= _MIN_SECRET}


def _secrets(url: str) -> list[str]:
    parts = urlsplit(url)
    pieces = [url, url.rstrip("/"), parts.netloc + parts.path, parts.path, parts.path.strip("/"), parts.query]
    # Every path segment and query value on its own: a server may echo them
    # one by one ("team T0... hook B0... token xyz...").
    pieces += [seg for seg in parts.path.split("/") if seg]
    for pair in parts.query.split("&"):
        pieces += [pair, pair.partition("=")[2]]
    spellings: set[str] = set()
    for piece in pieces:
        if len(piece) >= _MIN_SECRET:
            spellings |= _encodings(piece)
    return sorted(spellings, key=len, reverse=True)


def _windows(url: str) -> set[str]:
    """Every run of ``_WINDOW`` characters of every long secret spelling: a
    server that echoes part of a token (a prefix, a truncated log line) must
    not show that part either."""
    found = set()
    for secret in _secrets(url):
        if len(secret) >= _WINDOWED:
            found |= {secret[i:i + _WINDOW] for i in range(len(secret) - _WINDOW + 1)}
    return found


def scrub(text: str, url: str) -> str:
    """``text`` with every fragment of the URL's path and query, in any encoding
    from ``_encodings``, replaced: whole spellings first (case-insensitively,
    for hex and percent forms), then any run of ``_WINDOW`` characters that
    also occurs in a long secret."""
    for secret in _secrets(url):
        if secret.lower() in text.lower():
            text = re.sub(re.escape(secret), REDACTED, text, flags=re.IGNORECASE)
    windows = _windows(url)
    hidden = [False] * len(text)
    for i in range(len(text) - _WINDOW + 1):
        if text[i:i + _WINDOW] in windows:
            hidden[i:i + _WINDOW] = [True] * _WINDOW
    if any(hidden):
        out, previous = [], False
        for char, hide in zip(text, hidden):
            if not hide:
                out.append(char)
            elif not previous:
                out.append(REDACTED)
            previous = hide
        text = "".join(out)
    return text


def _safe_reason(body: str) -> str:
    """A Slack error code from a response body, or nothing: the rest of a body
    is never shown (see _SLACK_ERRORS)."""
    match = _CODE.match(body.strip())
    return match.group(0) if match and match.group(0) in _SLACK_ERRORS else ""


def _exception_reason(exc: BaseException) -> str:
    """What went wrong, from the exception's type and OS error alone: exception
    texts of HTTP libraries quote URLs (after a redirect, the server's URL)."""
    cause = getattr(exc, "reason", None)
    for error in (cause, exc, exc.__cause__, exc.__context__):
        if isinstance(error, TimeoutError) or error.__class__.__name__ in ("timeout", "TimeoutError"):
            return "timed out"
        if isinstance(error, OSError) and error.strerror:
            return error.strerror
    return type(exc).__name__


class _ScrubFilter(logging.Filter):
    def __init__(self, url: str):
        super().__init__()
        self.url = url

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage(), self.url)
        record.args = None
        return True


def webhook_url_from_env(environ: dict | None = None) -> str:
    """The webhook URL, checked; the error messages never echo it."""
    url = (environ if environ is not None else os.environ).get(ENV_VAR, "").strip()
    if not url:
        raise SlackError(f"{ENV_VAR} is not set; put the channel's incoming-webhook URL in it "
                         "(in GitHub Actions, from a repository secret)")
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError:  # e.g. an unclosed IPv6 bracket; the message must not quote the URL
        raise SlackError(f"{ENV_VAR} is not a valid URL") from None
    loopback = hostname in _LOOPBACK
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        # The URL is the credential: never send it in clear over the network.
        raise SlackError(f"{ENV_VAR} must be an https:// URL (plain http only for a loopback test server)")
    if not hostname:
        raise SlackError(f"{ENV_VAR} is not a URL with a host")
    return url


def post_webhook(url: str, payload: dict, timeout: int = 15) -> None:
    """Send ``payload`` (``text`` plus ``blocks``) to an incoming webhook.

    Raises SlackError with a scrubbed message when the request fails or Slack
    answers anything but 200 "ok".
    """
    from slack_sdk.webhook import WebhookClient

    logger = logging.getLogger("opsbook.slack.webhook")
    if not logger.handlers:
        # SlackError says what failed; without a handler Python's last-resort
        # handler would print slack_sdk's own copy of it as well.
        logger.addHandler(logging.NullHandler())
    logger.addFilter(_ScrubFilter(url))
    outcome: dict = {}

    def send() -> None:
        try:
            client = WebhookClient(url, timeout=timeout, logger=logger)
            outcome["response"] = client.send_dict(payload)
        except Exception as exc:  # noqa: BLE001 - any failure becomes one safe message
            outcome["error"] = exc

    # slack_sdk's timeout bounds each socket read, not the request: a server that
    # drips one byte a second would hold a handoff for as long as it likes. The
    # post runs in a daemon thread with one deadline for the whole exchange.
    worker = threading.Thread(target=send, name="opsbook-slack-post", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        # The scrubbing filter stays on: the abandoned request may still log.
        raise SlackError(f"could not reach Slack: no complete answer within {timeout} s")
    for f in list(logger.filters):
        logger.removeFilter(f)
    if "error" in outcome:
        raise SlackError(f"could not reach Slack: {scrub(_exception_reason(outcome['error']), url)}") from None
    response = outcome["response"]
    if response.status_code != 200 or (response.body or "").strip() != "ok":
        body = response.body or ""
        reason = _safe_reason(body) or ("(response withheld: it may quote the webhook URL)" if body.strip() else "")
        raise SlackError(f"Slack refused the message: HTTP {response.status_code}" + (f" {reason}" if reason else ""))
