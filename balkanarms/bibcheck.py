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
from .schema import LIST_SEP, read_text

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
#: Aggregators and repost sites that copy or redirect to other outlets' articles: never the
#: publisher's page. Accepted only with a ``mirror`` field, and a row citing one needs another
#: source that is not a mirror (:func:`confirmed_rules`).
AGGREGATOR_DOMAINS = {
    "naslovi.net",
    "abnase.com",
    "cazin.net",
    "vpk.name",
    "news-pravda.com",
    "pravda-en.com",
}
#: Host labels of blog platforms (``*.blogspot.com``, ``*.blogspot.ca``, ...): reposts of others' articles.
BLOG_LABELS = {"blogspot"}
#: Path segments of tag, category and other listing pages (not an article).
LISTING_SEGMENTS = {
    "tag",
    "tags",
    "category",
    "categories",
    "kategorija",
    "oznaka",
    "oznake",
    "topic",
    "topics",
    "label",
}
#: Path segments of redirect links (``naslovi.net/rd/123``).
REDIRECT_SEGMENTS = {"rd", "redirect"}
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
    stands_in = bool(domain and _STANDS_IN.search(outlet) and not mirror)
    if stands_in:
        out.append(
            f"a blog or aggregator ('{domain}') stands in for the outlet {outlet.strip()!r}; "
            "cite the outlet's page, or say 'mirror of ...' in a 'mirror' field"
        )
    aggregator = _on(host, AGGREGATOR_DOMAINS) or next((lab for lab in labels if lab in BLOG_LABELS), None)
    if aggregator and not mirror and not stands_in:
        out.append(
            f"is on '{aggregator}', an aggregator or repost site; cite the publisher's page, or say "
            "'mirror of <outlet>' in a 'mirror' field (a row citing it then needs another source)"
        )
    listing = sorted(segments & (LISTING_SEGMENTS | REDIRECT_SEGMENTS))
    if listing and not mirror:
        out.append(f"is a listing or redirect page ('/{listing[0]}/'); cite the article on the publisher's site")
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
    names) and the problems. When the change log ``changes.csv`` sits next to the
    file, a source it removed for a reason may not come back silently
    (:func:`returned_sources`)."""
    name = path.name
    text, problems = read_text(path, name)
    if text is None:
        return set(), {}, problems
    keys, entries, more = _check_text(text, name)
    problems = problems + list(more)
    if (path.parent / CHANGES).exists():
        problems += returned_sources(path.parent, set(keys))
    return set(keys), copy.deepcopy(entries), problems


#: The change log, read for removed sources.
CHANGES = "changes.csv"
#: The ledger tables whose ``sources`` a removal can concern.
LEDGER_FILES = ("transfers.csv", "engagements.csv", "statistics.csv", "exports.csv")
#: The change-log field that brings a removed source back, with its reason.
RESTORE = "_restore"


def _removals(rows: list[dict]) -> tuple[dict, dict, set]:
    """From the change log: keys removed from references.bib (field ``_remove``, row_id the key),
    keys dropped from a row's sources (field ``sources``, in ``old`` and not in ``new``), each with
    the line that removed it, and the (row or key, source key) pairs a later ``_restore`` brings back."""
    from .schema import LIST_SEP

    bib_removed: dict[str, int] = {}
    row_removed: dict[tuple[str, str], int] = {}
    restored: set[tuple[str, str]] = set()
    for line, r in rows:
        field, rid = r.get("field", ""), r.get("row_id", "")
        if field == RESTORE and r.get("reason", "").strip():
            for key in (k for k in r.get("new", "").split(LIST_SEP) if k):
                restored.add((rid, key))
                row_removed.pop((rid, key), None)
                if rid == key:
                    bib_removed.pop(key, None)
        elif field == "_remove" and not re.match(r"^(T-[A-Z]{3}|X-[A-Z]{3}|E|S)-\d{3}$", rid):
            bib_removed[rid] = line
        elif field == "sources":
            old = {k for k in r.get("old", "").split(LIST_SEP) if k}
            new = {k for k in r.get("new", "").split(LIST_SEP) if k}
            for key in old - new:
                row_removed[(rid, key)] = line
            for key in new - old:
                row_removed.pop((rid, key), None) if (rid, key) in restored else None
    return bib_removed, row_removed, restored


def returned_sources(data_dir: Path, keys: set[str]) -> list[Problem]:
    """A source removed for a reason in the change log that is back without a ``_restore`` log row
    giving the reason it may return: a removed BibTeX key defined again, or a key dropped from a
    row's sources that the row cites again."""
    from .schema import LIST_SEP, read_rows

    header, raw, _ = read_rows(data_dir / CHANGES, CHANGES)
    rows = [(line, dict(zip(header, cells, strict=False))) for line, cells in raw]
    bib_removed, row_removed, _ = _removals(rows)
    out = []
    for key, line in sorted(bib_removed.items()):
        if key in keys:
            out.append(
                Problem(
                    "references.bib",
                    None,
                    "key",
                    key,
                    f"this source was removed for a reason ({CHANGES}, line {line}) and is defined again; "
                    f"log a '{RESTORE}' row (row_id and new = the key) saying why it may return",
                )
            )
    if not row_removed:
        return out
    for file in LEDGER_FILES:
        if not (data_dir / file).exists():
            continue
        header, raw, _ = read_rows(data_dir / file, file)
        for line, cells in raw:
            rec = dict(zip(header, cells, strict=False))
            for key in rec.get("sources", "").split(LIST_SEP):
                if (rec.get("id", ""), key) in row_removed:
                    out.append(
                        Problem(
                            file,
                            line,
                            "sources",
                            key,
                            f"{key} was removed from {rec['id']} for a reason ({CHANGES}, line "
                            f"{row_removed[(rec['id'], key)]}) and is cited again; log a '{RESTORE}' row "
                            f"(row_id {rec['id']}, new = the key) saying why it may return, or drop it",
                        )
                    )
    return out


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


#: Tables whose rows may not rest on mirrors alone, whatever their confidence (the deal list;
#: statistics and engagements that rest on copies are kept as second sources).
MIRROR_SUPPORT_FILES = ("transfers.csv",)


def confirmed_rules(records: list[dict], entries: dict[str, dict], name: str) -> list[Problem]:
    """A row marked ``confirmed`` needs at least one source that is not a mirror, and any row
    citing a mirror (an aggregator's or a repost's copy, marked ``mirror`` in references.bib)
    needs another source that is not one: a copy never stands alone."""
    out: list[Problem] = []
    for rec in records:
        keys = [k for k in rec.get("sources", "").split(LIST_SEP) if k in entries]
        mirrors = [k for k in keys if is_mirror(entries[k])]
        if (
            mirrors
            and len(mirrors) == len(keys)
            and name.endswith(MIRROR_SUPPORT_FILES)
            and rec.get("confidence") != "confirmed"
        ):
            out.append(
                Problem(
                    name,
                    rec["_line"],
                    "sources",
                    rec.get("sources", ""),
                    f"rests only on mirrors ({', '.join(mirrors)}): cite the publisher's page or add "
                    "a source that is not a copy",
                )
            )
        if rec.get("confidence") == "confirmed" and keys and all(is_mirror(entries[k]) for k in keys):
            out.append(
                Problem(
                    name,
                    rec["_line"],
                    "confidence",
                    "confirmed",
                    f"rests only on mirrors ({', '.join(keys)}); a mirror cannot alone support 'confirmed'",
                )
            )
    return out
