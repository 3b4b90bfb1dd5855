"""The bibliography style of the book (a Sphinx extension registering pybtex plugins).

* Labels are author-year ("RFE/RL 2025", "Reuters 2019a"), as the in-text citations read.
* Titles keep the capitals they are written with (pybtex's plain style lower-cases them).
* A language left as a code in a ``note`` ("In uk") prints as its name ("In Ukrainian").
"""

from __future__ import annotations

import re
from collections import Counter

from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting import toplevel
from pybtex.style.formatting.plain import Style as Plain
from pybtex.style.formatting.unsrt import date
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.template import field, optional, sentence

#: Language codes seen in notes, with the name to write instead (the style prints the name;
#: the validator asks for it).
LANGUAGES = {
    "ar": "Arabic",
    "bg": "Bulgarian",
    "bs": "Bosnian",
    "cs": "Czech",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "hr": "Croatian",
    "hu": "Hungarian",
    "it": "Italian",
    "mk": "Macedonian",
    "nl": "Dutch",
    "no": "Norwegian",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "sk": "Slovak",
    "sl": "Slovenian",
    "sq": "Albanian",
    "sr": "Serbian",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "vi": "Vietnamese",
    "zh": "Chinese",
}


def language_names(note):
    """'In uk; state-owned media' -> 'In Ukrainian; state-owned media' (plain or rich text)."""
    if not isinstance(note, str):
        return Text(language_names(str(note)))
    return re.sub(r"\bIn ([a-z]{2})\b", lambda m: "In " + LANGUAGES.get(m.group(1), m.group(1)), note)


def _plain(text: str) -> str:
    return text.replace("{", "").replace("}", "")


def author_year(entry) -> str:
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    who = _plain(" ".join(persons[0].last_names)) if persons else _plain(entry.fields.get("organization", entry.key))
    return f"{who} {entry.fields.get('year', 'n.d.')}"


class AuthorYearLabels(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        labels = [author_year(e) for e in sorted_entries]
        count, seen = Counter(labels), Counter()
        for label in labels:
            if count[label] == 1:
                yield label
            else:
                yield label + chr(ord("a") + seen[label])
                seen[label] += 1


class BookStyle(Plain):
    default_label_style = "balkanarms-author-year"

    def format_title(self, e, which_field, as_sentence=True):
        title = field(which_field)
        return sentence[title] if as_sentence else title

    def get_misc_template(self, e):
        return toplevel[
            optional[sentence[self.format_names("author")]],
            optional[self.format_title(e, "title")],
            sentence[optional[field("howpublished")], optional[date]],
            sentence[optional[field("note", apply_func=language_names)]],
            self.format_web_refs(e),
        ]


def setup(app):
    register_plugin("pybtex.style.labels", "balkanarms-author-year", AuthorYearLabels)
    register_plugin("pybtex.style.formatting", "balkanarms", BookStyle)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
