"""Words the core says to the user, written in English here and said in the user's language
by the window.

``models/`` has no Qt, so it cannot translate; yet some of what it writes is read in the
window: the name of an undo step ("Draw box" in Edit > Undo), a tool's hint in the status
bar ("3 points · Enter closes"), the title of an edit that failed. Such a text is a
:class:`Phrase`: a ``str`` that reads as the English text, so the command line, the event
log and the tests use it as any string, and that also remembers the catalogue context, the
English template and the values it was made from. The window looks the template up in the
translation catalogue and fills the values in again (``limner.widgets.i18n.said``).

:func:`QT_TRANSLATE_NOOP` carries the name Qt's ``lupdate`` looks for, so the context and
template written at each call land in the catalogue. Text that comes from data or from
outside (class names, file names, server and error messages) stays a plain ``str`` and is
shown as it is.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["QT_TRANSLATE_NOOP", "Phrase", "counted", "joined"]


class Phrase(str):
    """English text that can be said again in another language; see the module docstring.

    ``context`` None means the template itself is not in the catalogue (it only joins
    other phrases); its values are still said in the user's language.
    """

    context: str | None
    template: str
    values: Mapping[str, object]

    def __new__(
        cls, context: str | None, template: str, values: Mapping[str, object] | None = None
    ) -> Phrase:
        shown = template.format(**values) if values else template
        made = super().__new__(cls, shown)
        made.context, made.template, made.values = context, template, dict(values or {})
        return made

    def format(self, *args: object, **values: object) -> str:  # type: ignore[override]
        """The phrase with ``{name}`` filled in, still a phrase (positional arguments give a
        plain ``str``, as ``str.format`` does: templates name their values)."""
        if args:
            return str.format(self, *args, **values)
        return Phrase(self.context, self.template, {**self.values, **values})

    def __reduce__(self) -> tuple[object, ...]:
        return (Phrase, (self.context, self.template, dict(self.values)))


def QT_TRANSLATE_NOOP(context: str, text: str) -> Phrase:  # the name lupdate looks for
    """Mark ``text`` for the catalogue under ``context``; the phrase reads as ``text``."""
    return Phrase(context, text)


def counted(count: int, one: str, many: str) -> str:
    """``one`` or ``many`` (both marked phrases with a ``{count}``) for ``count``: English
    has one plural form, and so do the languages of the catalogue for these phrases."""
    return (one if count == 1 else many).format(count=count)


def joined(separator: str, *parts: str) -> str:
    """``parts`` joined by ``separator``, each part still said in the user's language."""
    kept = [p for p in parts if p]
    if len(kept) == 1:
        return kept[0]
    names = {f"p{i}": part for i, part in enumerate(kept)}
    template = separator.replace("{", "{{").replace("}", "}}").join(f"{{{n}}}" for n in names)
    return Phrase(None, template, names)
