"""Secrets never reach a screen or a log: redaction of URLs and free text.

Servers echo what they were sent: a 401 page may quote the ``Authorization`` header, a
validation error may repeat a request body with a refresh token, a proxy's error page may
print the full URL with ``?api_key=...``. Every server text limner shows or logs goes
through :func:`clean_message` first, which removes control characters, replaces anything
that looks like a credential with ``***`` and keeps one short line.

What counts as a credential (deliberately generous; a redacted word costs less than a
leaked key):

- an auth scheme followed by a token-like value: ``Token x``, ``Bearer x``, ``Basic x``,
  ``Key x``, ``Api-Key x`` (the value must look like a key: at least 8 characters with a
  digit, or at least 20 characters, so prose such as "Token expired" stays readable);
- a JSON Web Token anywhere (``eyJ...``);
- ``name=value`` of a secret-looking name, as in query strings and form bodies;
- ``"name": "value"`` of a secret-looking name, as in JSON or Python reprs.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from limner.sync.names import one_line

MESSAGE_LIMIT = 300
MASK = "***"

# Query and form parameters whose values are credentials (compared lower-cased).
SECRET_PARAMS = {
    "token",
    "key",
    "api_key",
    "apikey",
    "access_token",
    "refresh_token",
    "id_token",
    "password",
    "refresh",
    "secret",
    "client_secret",
    "signature",
    "sig",
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
}
# Field names in JSON-like text whose values are credentials.
SECRET_FIELDS = (
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "refresh",
    "api_key",
    "apikey",
    "password",
    "secret",
    "client_secret",
    "authorization",
)

_TOKEN_CHARS = r"[A-Za-z0-9._~+/=-]"
_SCHEME = re.compile(
    rf"\b(Token|Bearer|Basic|Key|Api-Key|ApiKey)(\s+)({_TOKEN_CHARS}{{8,}})", re.IGNORECASE
)
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)?")
_PARAM = re.compile(
    r"(?i)(?<![A-Za-z0-9_-])("
    + "|".join(re.escape(name) for name in sorted(SECRET_PARAMS, key=len, reverse=True))
    + r")=([^&\s\"'<>;,]+)"
)
_FIELD = re.compile(
    r"(?i)([\"']?)\b("
    + "|".join(SECRET_FIELDS)
    + r")\1(\s*:\s*)([\"']?)((?:(?:Token|Bearer|Basic|Key|Api-Key|ApiKey)\s+)?)"
    + r"([^\"'\s,;}\[\]{][^\"'\s,;}]*)"
)


def _scheme(match: re.Match[str]) -> str:
    value = match.group(3)
    looks_like_key = len(value) >= 20 or any(ch.isdigit() for ch in value)
    if not looks_like_key:
        return match.group(0)
    return f"{match.group(1)}{match.group(2)}{MASK}"


def redact_text(text: str) -> str:
    """``text`` with every credential-looking value replaced by ``***``."""
    text = _JWT.sub(MASK, text)
    text = _SCHEME.sub(_scheme, text)
    text = _PARAM.sub(lambda m: f"{m.group(1)}={MASK}", text)
    return _FIELD.sub(_field, text)


def _field(match: re.Match[str]) -> str:
    quote, name, colon, value_quote, scheme = match.group(1, 2, 3, 4, 5)
    return f"{quote}{name}{quote}{colon}{value_quote}{scheme}{MASK}"


def clean_message(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """Server text fit for a status bar or a log line: one line, no control characters,
    credentials redacted, at most ``limit`` characters."""
    return one_line(redact_text(one_line(text, limit=max(limit * 8, 4096))), limit=limit)


def redact_url(url: str) -> str:
    """``url`` with the values of secret-looking query parameters and any password in the
    user-info part replaced, for logs."""
    parts = urlsplit(url)
    if parts.password is None and not parts.query:
        return url
    if parts.password is not None:
        host = parts.netloc.rsplit("@", 1)[1]
        parts = parts._replace(netloc=f"{parts.username or ''}:{MASK}@{host}")
    if not parts.query:
        return urlunsplit(parts)
    query = [
        (k, MASK if k.lower() in SECRET_PARAMS else v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query)))
