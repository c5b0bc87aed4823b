"""The magazine says "du" to its readers everywhere: site, mails, admin texts for readers, the
German catalogue and the demo content. The scan looks for the formal "Sie" address; lowercase
"sie" (she, they) is fine, and a capital "Sie" at a sentence start is "they" unless a formal
phrase follows ("Sie können ...")."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FORMAL = re.compile(
    r"""
    \bIhnen\b
    # Capitalised in the middle of a sentence: only the formal "you" is.
    | (?<=[a-zäöüß,;]\ ) (?:Sie|Ihr|Ihre[mnrs]?) \b
    # At a sentence start "Sie" may be "they": these phrases address the reader.
    | (?:^|[.!?:]\s+|["'„>]\s*)
      (?:
        Sie \s+ (?:können|möchten|müssen|sollten|dürfen|erhalten|haben|finden|bekommen) \b
        | Ihr(?:e[mnrs]?)? \s+ (?:E-Mail|Kommentar|Anmeldung|Newsletter|Konto|Passwort|Daten)
      )
    """,
    re.VERBOSE | re.MULTILINE,
)


def formal_phrases(text: str) -> list[str]:
    return [
        text[max(0, m.start() - 40) : m.end() + 20].replace("\n", " ")
        for m in FORMAL.finditer(text)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Bitte geben Sie Ihre E-Mail-Adresse ein.",
        "Sammeln Sie konkrete Beispiele.",
        "Das hilft Ihnen, die Stelle einzuschätzen.",
        "Sie können die Einwilligung jederzeit widerrufen.",
        "Ihre Anmeldung ist fast fertig.",
        "Ob Sie im Homeoffice arbeiten dürfen, regelt der Vertrag.",
    ],
)
def test_the_scan_finds_the_formal_address(text):
    assert formal_phrases(text)


@pytest.mark.parametrize(
    "text",
    [
        "Social-Media-Manager verantworten Auftritte. Sie entwickeln Redaktionspläne.",
        "3 Mails wurden nicht angefasst: Sie sind schon gesendet.",
        "Hobbys lohnen sich nur, wenn sie etwas über dich aussagen.",
        "Bitte gib deine E-Mail-Adresse ein.",
    ],
)
def test_the_scan_leaves_they_and_du_alone(text):
    assert not formal_phrases(text)


def test_the_german_catalogue_says_du():
    with open(ROOT / "locale/de/LC_MESSAGES/django.mo", "rb") as catalogue:
        translations = gettext.GNUTranslations(catalogue)
    found = {
        msgid: phrases
        for msgid, msgstr in translations._catalog.items()
        if (phrases := formal_phrases(msgstr))
    }
    assert not found


@pytest.mark.parametrize(
    "folder, patterns",
    [
        ("templates", ["**/*.html", "**/*.txt"]),
        ("articles", ["**/*.py"]),  # the demo content among them
        ("comments", ["**/*.py"]),
        ("newsletter", ["**/*.py"]),
        ("karriere", ["**/*.py"]),
        ("static/js", ["*.js"]),
    ],
)
def test_templates_mails_code_and_demo_texts_say_du(folder, patterns):
    found = {
        str(path.relative_to(ROOT)): phrases
        for pattern in patterns
        for path in (ROOT / folder).glob(pattern)
        if (phrases := formal_phrases(path.read_text(encoding="utf-8")))
    }
    assert not found
