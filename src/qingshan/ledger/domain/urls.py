"""Web addresses the platform stores and links to: ``http`` and ``https`` only, in one
canonical form.

A stored address ends up in an ``href`` on a public page, so anything a browser could run or
misread is refused rather than repaired: another scheme (``javascript:``, ``data:``, …), no
host, credentials before the host, white space, control characters or a backslash anywhere.
The canonical form is close to what a browser's address bar shows after parsing (WHATWG URL):
lower-case scheme and host (international names in IDNA), no default port, ``/`` for an empty
path, and characters outside printable ASCII percent-encoded as UTF-8 (existing ``%XX`` escapes
are kept as written).
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit, urlunsplit

SCHEMES = frozenset({"http", "https"})
DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_URL = 500
_FORBIDDEN = re.compile(r"[\x00-\x20\x7f\\]")  # controls, space, DEL, backslash
_HOST = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")
_SAFE_PATH = "/:@!$&'()*+,;=-._~%"
_SAFE_QUERY = _SAFE_PATH + "?"


class UrlRefused(ValueError):
    """Why an address cannot be stored or linked (the message says what to fix)."""


def _netloc(scheme: str, netloc: str, hostname: str | None, port: int | None) -> str:
    if "@" in netloc:
        raise UrlRefused("an address must not carry a user name or password")
    if netloc.startswith("["):
        raise UrlRefused("an address must name its host, not an IP literal in brackets")
    try:
        host = hostname.encode("idna").decode("ascii").lower() if hostname else ""
    except UnicodeError:
        raise UrlRefused("the host name is not a valid domain name") from None
    if not host or not _HOST.match(host):
        raise UrlRefused("an address must name a host, e.g. https://example.org/")
    if port is None or port == DEFAULT_PORTS[scheme]:
        return host
    return f"{host}:{port}"


def canonical_url(text: str) -> str:
    """The canonical form of an ``http`` or ``https`` address; ``UrlRefused`` otherwise."""
    if not isinstance(text, str) or not text:
        raise UrlRefused("an address is text such as https://example.org/report.pdf")
    if _FORBIDDEN.search(text):
        raise UrlRefused("an address must not contain spaces, control characters or '\\'")
    try:
        parts = urlsplit(text)
    except ValueError:  # an unbalanced "[" or "]" around the host
        raise UrlRefused("an address must name its host, not an IP literal in brackets") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise UrlRefused("only http:// and https:// addresses are accepted")
    if not text[len(scheme) + 1:].startswith("//"):
        raise UrlRefused("an address must name a host, e.g. https://example.org/")
    try:
        port = parts.port
    except ValueError:
        raise UrlRefused("the port must be a number from 1 to 65535") from None
    if port == 0:
        raise UrlRefused("the port must be a number from 1 to 65535")
    netloc = _netloc(scheme, parts.netloc, parts.hostname, port)
    path = quote(parts.path or "/", safe=_SAFE_PATH)
    query = quote(parts.query, safe=_SAFE_QUERY)
    fragment = quote(parts.fragment, safe=_SAFE_QUERY)
    out = urlunsplit((scheme, netloc, path, query, fragment))
    if len(out) > MAX_URL:
        raise UrlRefused(f"an address is at most {MAX_URL} characters")
    return out


def safe_href(value: object) -> str | None:
    """What a page may put in an ``href`` for a stored address: its canonical form when it is
    an ``http`` or ``https`` address, else ``None`` (then the page shows no link). For rows
    stored before addresses were checked, so an old database cannot make a page run script."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return canonical_url(value)
    except UrlRefused:
        return None
