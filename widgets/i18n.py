"""Saying things in the user's language: Qt's catalogue lookup, and the core's phrases.

Every text limner writes for the window goes through Qt's translation with a fixed context
per view: ``translate("StartPage", "Open project…")``, a call ``lupdate`` finds in the
source, so the catalogue (``resources/i18n/limner_*.ts``) lists it. ``lupdate`` reads the
context and the text only where they are written out as literals, so every call spells
both. Values go into named placeholders after the lookup (``translate(...,
"{path} is not a folder.").format(path=…)``), so a translation may put them where its
grammar wants. A count that changes the words has a text for one and a text for more
(:func:`counted`): ``lupdate`` cannot mark Qt's ``%n`` plurals in a ``translate`` call
whose count is a variable, and the catalogue's languages (German, Chinese) need no more
than those two forms.

Text the Qt-free core made for the user (an undo step's name, a tool's hint) arrives as a
:class:`~limner.models.domain.phrases.Phrase`; :func:`said` looks its template up under
its own context and fills its values in again. Any other string (a file name, a class
name, a server's or an error's own words) is shown as it is.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from limner.models.domain.phrases import Phrase, counted

__all__ = ["counted", "said", "translate"]

translate = QCoreApplication.translate


def said(text: object) -> str:
    """``text`` in the user's language when it is a phrase of the core, else as it is.

    A translation whose placeholders do not fit its template (a damaged catalogue) is
    never allowed to break a view: the English text is shown instead.
    """
    if not isinstance(text, Phrase):
        return "" if text is None else str(text)
    template = translate(text.context, text.template) if text.context else text.template
    values = {k: said(v) if isinstance(v, str) else v for k, v in text.values.items()}
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return str(text)
