"""Whose shape is whose: telling the person at this machine apart from everyone else.

A project can hold shapes from several people: the ones drawn here, and the ones a sync
pulled from a server, whose ``author`` is the server user who made them (often an email
address) or, when the server did not say, ``remote:<kind>``. Views mark the shapes of other
people with a short form of the name and leave the local user's own shapes unmarked.

Who is local is decided from what limner already stamps on edits made here: the name
``models.store.tx.current_user`` returns (``LIMNER_USER``, else the login name). The login name
also counts when ``LIMNER_USER`` is set, because older edits on this machine carry it. So do
the placeholders an author column holds when nobody was recorded (empty, ``user``,
``local``) and the author of the demo project's example shapes, which belong to whoever
opened the demo. Names compare without regard to case or surrounding spaces; there is no
fuzzy matching (``ana`` here is not taken to be ``ana@example.com`` on a server, since two
different people can share the part before the ``@``).

Names come from servers, so they are untrusted text: the short form drops control
characters and collapses whitespace, and it is bounded in length so a label stays a label.
Nothing here imports Qt.
"""

from __future__ import annotations

import getpass
import re
from collections.abc import Iterable

from limner.models.store.tx import current_user

PLACEHOLDER_AUTHORS = ("", "user", "local", "limner demo")
"""Authors that mean "nobody else": nothing recorded, or the demo project's own examples."""
SHORT_MAX = 24
"""Longest short name shown in a label; longer ones end in an ellipsis."""
REMOTE_PREFIX = "remote:"

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"\s+")


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def _key(name: str) -> str:
    return name.strip().casefold()


def local_authors(*extra: str) -> frozenset[str]:
    """The author names (normalized) whose shapes count as the local user's own."""
    names: Iterable[str] = (*PLACEHOLDER_AUTHORS, current_user(), _login_name(), *extra)
    return frozenset(_key(n) for n in names)


def is_local(author: str, local: frozenset[str]) -> bool:
    """``author`` is the local user (``local`` comes from :func:`local_authors`)."""
    return _key(author) in local


def clean_name(author: str) -> str:
    """``author`` as one line of printable text, for tooltips and status lines."""
    return _SPACES.sub(" ", _UNPRINTABLE.sub(" ", author)).strip()


def short_author(author: str) -> str:
    """The name to show next to a label: the part before ``@``, bounded in length.

    ``remote:labelstudio`` (a pulled shape whose server named no author) shows as
    ``labelstudio``; an address with nothing before the ``@`` keeps its domain.
    """
    name = clean_name(author)
    if name.casefold().startswith(REMOTE_PREFIX):
        name = name[len(REMOTE_PREFIX) :].strip() or name
    head = name.split("@", 1)[0].strip()
    if head:
        name = head
    if len(name) > SHORT_MAX:
        name = name[: SHORT_MAX - 1].rstrip() + "…"
    return name


def chip_text(label: str, author: str, local: frozenset[str]) -> str:
    """What a shape's label chip says: the class, plus the author if someone else."""
    if is_local(author, local):
        return label
    who = short_author(author)
    if not who:
        return label
    return f"{label} · {who}" if label else who
