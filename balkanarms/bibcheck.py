"""Checks of the BibTeX file ``references.bib``.

Each entry must parse, have a unique key, a title, an outlet, a date, an
https URL read on a given day, and a language written as a name. Its URL must
be the publisher's page: test or staging hosts and search-result pages are
rejected; a known mirror or scraper domain, or a blog or aggregator standing in
for a named outlet, is accepted only when the entry says so in a ``mirror``
field ("mirror of ..."). Rows cannot be ``confirmed`` on mirrors alone
(:mod:`balkanarms.rules`).
"""

from __future__ import annotations

import copy
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from pybtex.database import parse_string
from pybtex.scanner import PybtexError

from .bibstyle import LANGUAGES
from .problems import Problem
from .schema import read_text

#: Fields every BibTeX entry must have (``outlet`` may be any of these).
BIB_REQUIRED = ("title", "url", "urldate")
BIB_OUTLET = ("publisher", "journal", "organization", "howpublished", "institution")
BIB_DATE = ("date", "year")

#: First host labels of test and staging servers (``uat.apnews.com``).
TEST_HOST_LABELS = {"uat", "test", "staging", "stage", "dev", "qa", "preprod", "sandbox"}
#: Path segments and query keys of search-result pages.
SEARCH_SEGMENTS = {"search", "find", "pretraga", "trazi", "kerko", "suche", "recherche"}
SEARCH_KEYS = {"q", "s", "query", "search", "searchword", "keyword", "keywords", "term"}
#: Domains that copy other outlets' pages (scrapers, mirrors, search aggregators).
MIRROR_DOMAINS = {"cjms1wz26.asia", "statement.com", "dirs.info", "mobsearch.net"}
#: Blog platforms and aggregators: fine as themselves, not standing in for another outlet.
BLOG_DOMAINS = {
    "blogspot.com",
    "blogspot.ca",
    "wordpress.com",
    "medium.com",
    "livejournal.com",
    "udf.name",
    "russia-insider.com",
    "esc.guide",
    "infobalkans.com",
    "defense-aerospace.com",
    "vpk.name",
}
#: An outlet field that names another outlet: "X (via Y)", "X / Reuters", "(reposted)".
_STANDS_IN = re.compile(r"\(|/|\bvia\b|repost|reprint|republish|citing|mirror", re.I)
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")
_LANGUAGE_NAME = re.compile(r"^[A-Z][a-z]+(-[A-Z][a-z]+)?$")


def _on(host: str, domains: set[str]) -> str | None:
    """The domain of ``domains`` that ``host`` is on, if any."""
    return next((d for d in domains if host == d or host.endswith("." + d)), None)


def is_mirror(fields: dict) -> bool:
    """True when the entry is a mirror of another outlet's page."""
    return bool(fields.get("mirror", "").strip())


def url_problems(url: str, fields: dict) -> list[str]:
    """What is wrong with an entry's URL as a citation of the publisher's page."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    labels = host.split(".")
    out = []
    if len(labels) > 2 and labels[0] in TEST_HOST_LABELS:
        out.append(f"is on a test or staging host ('{labels[0]}.'); cite the publisher's public page")
    segments = {s.lower() for s in parts.path.split("/") if s}
    keys = {k.lower() for k in parse_qs(parts.query, keep_blank_values=True)}
    if segments & SEARCH_SEGMENTS or keys & SEARCH_KEYS:
        out.append("is a search-result page; cite the article itself")
    mirror = is_mirror(fields)
    domain = _on(host, MIRROR_DOMAINS)
    if domain and not mirror:
        out.append(
            f"is on '{domain}', a known mirror or scraper domain; cite the publisher's page, "
            "or say 'mirror of ...' in a 'mirror' field when no other copy exists"
        )
    outlet = " ".join(fields.get(o, "") for o in BIB_OUTLET)
    domain = _on(host, BLOG_DOMAINS)
    if domain and _STANDS_IN.search(outlet) and not mirror:
        out.append(
            f"a blog or aggregator ('{domain}') stands in for the outlet {outlet.strip()!r}; "
            "cite the outlet's page, or say 'mirror of ...' in a 'mirror' field"
        )
    return out


def language_problems(note: str) -> list[str]:
    """Languages in ``note`` ("In Serbian; ...") must be names, not codes."""
    out = []
    for part in (p.strip() for p in note.split(";")):
        if not part.startswith("In "):
            continue
        lang = part[3:].strip()
        if not _LANGUAGE_NAME.match(lang):
            name = LANGUAGES.get(lang.lower(), "the language's name")
            out.append(f"language {lang!r} is not a name; write 'In {name}'")
    return out


def _entry_lines(text: str, name: str) -> tuple[dict[str, int], list[Problem]]:
    """Line of each entry, and duplicate keys (found before parsing)."""
    lines: dict[str, int] = {}
    problems = []
    for m in re.finditer(r"^@\s*(\w+)\s*\{\s*([^,\s]+)\s*,", text, flags=re.M):
        key, line = m.group(2), text.count("\n", 0, m.start()) + 1
        if key in lines:
            problems.append(Problem(name, line, "key", key, f"duplicate BibTeX key (first on line {lines[key]})"))
        else:
            lines[key] = line
    return lines, problems


def _entry_problems(name: str, line: int | None, key: str, f: dict) -> list[Problem]:
    out = []
    for req in BIB_REQUIRED:
        if not f.get(req, "").strip():
            out.append(Problem(name, line, req, key, f"entry has no '{req}'"))
    if not any(f.get(o, "").strip() for o in BIB_OUTLET):
        out.append(Problem(name, line, "publisher", key, f"entry names no outlet (one of {list(BIB_OUTLET)})"))
    if not any(f.get(d, "").strip() for d in BIB_DATE):
        out.append(Problem(name, line, "date", key, "entry has no date or year"))
    url = f.get("url", "").strip()
    if url and not _URL.match(url):
        out.append(Problem(name, line, "url", url, "is not a well-formed http(s) URL"))
    elif url:
        out += [Problem(name, line, "url", url, msg) for msg in url_problems(url, f)]
    mirror = f.get("mirror", "").strip()
    if mirror and not mirror.startswith("mirror of "):
        out.append(Problem(name, line, "mirror", mirror, "must say 'mirror of <outlet>'"))
    out += [Problem(name, line, "note", f.get("note"), msg) for msg in language_problems(f.get("note", ""))]
    urldate = f.get("urldate", "").strip()
    if urldate and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", urldate):
        out.append(Problem(name, line, "urldate", urldate, "is not a date YYYY-MM-DD"))
    return out


def check_bib(path: Path) -> tuple[set[str], dict[str, dict], list[Problem]]:
    """Check the BibTeX file. Returns the keys, their fields (lower-case
    names) and the problems."""
    name = path.name
    text, problems = read_text(path, name)
    if text is None:
        return set(), {}, problems
    keys, entries, more = _check_text(text, name)
    return set(keys), copy.deepcopy(entries), problems + list(more)


@lru_cache(maxsize=4)
def _check_text(text: str, name: str) -> tuple[frozenset[str], dict[str, dict], tuple[Problem, ...]]:
    """:func:`check_bib` on the file's text, once per text (parsing 900 entries takes a second)."""
    keys, entries, problems = _check_parsed(text, name)
    return frozenset(keys), entries, tuple(problems)


def _check_parsed(text: str, name: str) -> tuple[set[str], dict[str, dict], list[Problem]]:
    problems: list[Problem] = []
    lines, dups = _entry_lines(text, name)
    if dups:
        return set(lines), {}, problems + dups
    try:
        db = parse_string(text, "bibtex")
    except PybtexError as e:
        return set(lines), {}, problems + [Problem(name, None, None, None, f"BibTeX does not parse: {e}")]
    entries: dict[str, dict] = {}
    urls: dict[str, str] = {}
    for key, entry in db.entries.items():
        line = lines.get(key)
        f = {k.lower(): str(v) for k, v in entry.fields.items()}
        entries[key] = f
        problems += _entry_problems(name, line, key, f)
        url = f.get("url", "").strip()
        if url in urls:
            problems.append(Problem(name, line, "url", url, f"URL is already cited by '{urls[url]}'"))
        elif url:
            urls[url] = key
    return set(entries), entries, problems
