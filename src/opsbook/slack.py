"""Posting to Slack through an incoming webhook, without ever showing its URL.

A webhook URL is a credential: anyone holding it can post to the channel. It
comes from ``OPSBOOK_SLACK_WEBHOOK_URL`` and never appears in output, error
messages or logs: slack_sdk logs request URLs at debug level, so its logger
here scrubs them, and every exception is re-raised as ``SlackError`` with the
URL (and its secret path) replaced.
"""

from __future__ import annotations

import logging
import os
from urllib.parse import quote, unquote, urlsplit

ENV_VAR = "OPSBOOK_SLACK_WEBHOOK_URL"
REDACTED = "[webhook URL]"
_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


class SlackError(Exception):
    """A post failed; the message is safe to show."""


def _secrets(url: str) -> list[str]:
    parts = urlsplit(url)
    found = [url, url.rstrip("/")]
    if parts.path and parts.path != "/":
        found += [parts.path, parts.path.strip("/")]
    # A server may echo the URL decoded, or encoded once or twice more.
    spellings = set()
    for text in found:
        spellings |= {text, unquote(text), unquote(unquote(text)), quote(text, safe=""), quote(text, safe="/"),
                      quote(quote(text, safe=""), safe="")}
    return sorted({s for s in spellings if len(s) > 1}, key=len, reverse=True)


def scrub(text: str, url: str) -> str:
    for secret in _secrets(url):
        text = text.replace(secret, REDACTED)
    return text


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
    try:
        client = WebhookClient(url, timeout=timeout, logger=logger)
        response = client.send_dict(payload)
    except Exception as exc:  # noqa: BLE001 - any failure becomes one safe message
        reason = scrub(f"{type(exc).__name__}: {exc}", url)
        raise SlackError(f"could not reach Slack: {reason}") from None
    finally:
        for f in list(logger.filters):
            logger.removeFilter(f)
    if response.status_code != 200 or (response.body or "").strip() != "ok":
        body = scrub((response.body or "").strip()[:200], url)
        raise SlackError(f"Slack refused the message: HTTP {response.status_code}" + (f" {body}" if body else ""))
