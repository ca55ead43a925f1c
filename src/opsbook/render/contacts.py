"""How to reach a person: phone (a ``tel:`` link), Slack (a link that opens a
direct message) and e-mail, for internal builds only.

Whether contacts show is ``visibility.shows_contacts``' decision; every page
that shows them asks it, so a public page, feed or status site never carries a
phone number or a Slack id. Each link is built from a checked value: a phone
becomes ``tel:`` only from digits (and a leading +), an e-mail a ``mailto:``
only when it looks like one address, and a Slack id already matches the model's
``U``/``W`` pattern. Anything else is shown as escaped text, never as a link.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from opsbook.model.people import Person
from opsbook.render.markdown import Markdown, md_escape
from opsbook.visibility import Audience, shows_contacts

_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%+/=?^_{}~'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_PHONE_TEXT = re.compile(r"^\+?[0-9 ().\-/]{3,40}$")
_SLACK_ID = re.compile(r"^[UW][A-Z0-9]{6,12}$")


def tel_uri(phone: str | None) -> str | None:
    """``tel:+12125550142`` (RFC 3966 global number) from "+1 212 555 0142";
    None for text that is not a plain number (an extension, letters)."""
    if not phone or not _PHONE_TEXT.match(phone.strip()):
        return None
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 3:
        return None
    return "tel:" + ("+" if phone.strip().startswith("+") else "") + digits


def slack_uri(member: str | None) -> str | None:
    """A link that opens a direct message with the member in the reader's own
    workspace (Slack's app_redirect takes a member id as its channel)."""
    if not member or not _SLACK_ID.match(member):
        return None
    return f"https://slack.com/app_redirect?channel={member}"


def mailto_uri(email: str | None) -> str | None:
    if not email or not _EMAIL.match(email):
        return None
    return "mailto:" + quote(email, safe="@.+-_")


def contact_links(person: Person) -> list[tuple[str, str]]:
    """(URI, text) for each way to reach ``person`` that makes a safe link, for
    raw HTML and for the on-call script's data (internal builds only)."""
    out = []
    for uri, text in ((tel_uri(person.phone), person.phone), (slack_uri(person.slack), "Slack"),
                      (mailto_uri(person.email), person.email)):
        if uri and text:
            out.append((uri, text))
    return out


def contact_html(person: Person | None, audience: Audience) -> str:
    """The links as HTML (for blocks the renderer writes as raw HTML), or ""."""
    from opsbook.render.markdown import html_text

    if person is None or not shows_contacts(audience):
        return ""
    return " · ".join(f'<a href="{html_text(uri)}">{html_text(text)}</a>' for uri, text in contact_links(person))


def contact_items(person: Person) -> list[tuple[str, Markdown]]:
    """(kind, Markdown) for each way to reach ``person``: phone, Slack, e-mail."""
    items: list[tuple[str, Markdown]] = []
    if person.phone:
        uri = tel_uri(person.phone)
        text = md_escape(person.phone)
        items.append(("phone", Markdown(f"[{text}]({uri})") if uri else text))
    if person.slack:
        uri = slack_uri(person.slack)
        items.append(("Slack", Markdown(f"[Slack]({uri})") if uri else md_escape(person.slack)))
    if person.email:
        uri = mailto_uri(person.email)
        text = md_escape(person.email)
        items.append(("e-mail", Markdown(f"[{text}]({uri})") if uri else text))
    return items


def contact_line(person: Person | None, audience: Audience) -> Markdown:
    """"phone [+1 …](tel:…) · [Slack](…) · e-mail [a@b](mailto:…)", or empty
    when the audience may not see contacts or there is none."""
    if person is None or not shows_contacts(audience):
        return Markdown("")
    items = contact_items(person)
    return Markdown(" · ".join(f"{kind} {value}" if kind != "Slack" else value for kind, value in items))
