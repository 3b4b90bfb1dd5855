"""The ledger reconciled with SIPRI's trade register, deal by deal.

``data/sipri_links.csv`` links every SIPRI deal (2026 edition) for the seven
recipients with an order or a delivery in 2006 or later to the ledger row(s)
that record it, or says why the ledger leaves it out; and it gives every
ledger row that SIPRI lacks the reason SIPRI lacks it (see ``CONTRACTS``:
columns ``sipri_key, ledger_id, match, reason, disagreements``).

This module loads and checks those links and computes what the reconciliation
chapter shows: the share of SIPRI's deals and of SIPRI's TIV that the ledger
covers, and the tables of SIPRI-only deals, ledger-only deals, disagreements
and coverage by recipient.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from . import DATA_DIR

#: The edition the links are made against, and the first year they cover.
EDITION = "2026"
FROM_YEAR = 2006
LINKS_FILE = "sipri_links.csv"
#: Ledger rows added from SIPRI wait here until the lead merges them into transfers.csv.
COLUMNS = ["sipri_key", "ledger_id", "match", "reason", "disagreements"]
MATCHES = ("matched", "sipri_only", "ledger_only")
#: Why SIPRI lacks a ledger row: the reason (before the colon) is one of these, and the free text
#: after it must explain (:func:`vacuous_reason`). ``possible_gap`` names the row as a likely gap
#: in SIPRI's register and says what SIPRI lists elsewhere that makes it one; ``cancelled`` is a
#: deal that never went ahead; ``not_major_arms`` an item outside SIPRI's categories or below its
#: thresholds, ``small_arms`` small arms and light weapons, ``donation_non_major`` a donation of such items.
LEDGER_ONLY_REASONS = (
    "donation_non_major",
    "small_arms",
    "non_major_item",
    "too_recent",
    "unconfirmed",
    "cancelled",
    "possible_gap",
)
#: Words that explain nothing: a reason's text must say more than these and the reason's label.
_EMPTY_WORDS = {
    "sipri",
    "sipri's",
    "s",
    "2026",
    "edition",
    "has",
    "no",
    "entry",
    "entries",
    "for",
    "it",
    "them",
    "the",
    "a",
    "an",
    "of",
    "in",
    "lists",
    "none",
    "not",
    "is",
    "are",
    "this",
    "deal",
    "row",
    "item",
    "items",
    "and",
}
_NO_ENTRY = re.compile(r"sipri'?s? (2026 edition )?(has no entry|lists none|lists no)[^;,.]*", re.I)
#: A possible gap must give the evidence: what SIPRI lists or covers elsewhere.
_GAP_EVIDENCE = re.compile(r"\bSIPRI\b[^;]*\b(lists|covers|counts|includes|records)\b", re.I)
#: Fields whose disagreement with SIPRI is computed at build time (:func:`field_disagreements`).
DISAGREEMENT_FIELDS = ("supplier", "order_year", "number_ordered", "number_delivered", "delivery_start")
#: The reason a link gives when the SIPRI deal was added to the ledger because of SIPRI.
ADDED = "added to the book's deal list from SIPRI"
REASON_LABELS = {
    "donation_non_major": "donation of non-major items",
    "small_arms": "small arms",
    "non_major_item": "item outside SIPRI's categories",
    "too_recent": "too recent",
    "unconfirmed": "unconfirmed",
    "cancelled": "cancelled",
    "possible_gap": "possible gap in SIPRI's register",
}


class LinkError(ValueError):
    """Problems in ``sipri_links.csv``, one line each, naming file, line, column and value."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the SIPRI links:\n" + "\n".join(problems))


def _register(edition: str) -> pd.DataFrame:
    """SIPRI's per-deal register with the columns this module uses (read by :mod:`balkanarms.sipri`)."""
    from . import sipri

    return sipri.register(edition).rename(columns={"supplier_sipri": "supplier_name"})


def deals(edition: str = EDITION) -> pd.DataFrame:
    """SIPRI's deals for the seven recipients with an order or a delivery in ``FROM_YEAR`` or later.

    Columns: sipri_key, recipient, supplier (book codes; missing when SIPRI names none),
    supplier_name (SIPRI's), designation, description,
    order_year, tiv_delivered, tiv_order (TIV in millions; missing TIV counts 0)."""
    reg = _register(edition)
    late = [
        bool(pd.notna(y) and y >= FROM_YEAR) or any(d >= FROM_YEAR for d in ds)
        for y, ds in zip(reg["order_year"], reg["delivery_years"], strict=True)
    ]
    cols = ["sipri_key", "recipient", "supplier", "supplier_name", "designation", "description", "order_year"]
    out = reg.loc[late, cols].copy()
    out["tiv_delivered"] = reg.loc[late, "tiv_delivered"].fillna(0).astype(float)
    out["tiv_order"] = reg.loc[late, "tiv_order"].fillna(0).astype(float)
    return out.reset_index(drop=True)


def ledger(data_dir: Path | str = DATA_DIR) -> pd.DataFrame:
    """The deal list's transfers, all as text."""
    return pd.read_csv(Path(data_dir) / "transfers.csv", dtype=str, keep_default_na=False)


def row_problems(row, keys: set[str] | None, ids: set[str] | None) -> list[tuple[str, str]]:
    """(column, message) for each problem of one link: the rules of a link, here once for both the
    chapter's loader and the validator. ``keys`` None skips the check against SIPRI's register (it
    did not parse); ``ids`` None checks only that a row is named (the validator's foreign key checks
    that it exists)."""
    if row.match not in MATCHES:
        return [("match", f"must be one of {MATCHES}")]
    out = []
    if keys is not None and row.match != "ledger_only" and row.sipri_key not in keys:
        out.append(("sipri_key", f"is not a deal of SIPRI's {EDITION} edition since {FROM_YEAR}"))
    if row.match != "sipri_only" and (not row.ledger_id if ids is None else row.ledger_id not in ids):
        out.append(("ledger_id", f"a {row.match} link names a row of transfers.csv"))
    if row.match == "sipri_only" and (row.ledger_id or not row.reason):
        out.append(("reason", "a sipri_only link has a reason and no ledger_id"))
    if row.match == "ledger_only" and (row.sipri_key or row.reason.split(":")[0] not in LEDGER_ONLY_REASONS):
        out.append(
            ("reason", f"a ledger_only link has no sipri_key and a reason starting with one of {LEDGER_ONLY_REASONS}")
        )
    elif row.match == "ledger_only" and vacuous_reason(row.reason):
        out.append(("reason", vacuous_reason(row.reason)))
    return out


def vacuous_reason(reason: str) -> str:
    """Why a ledger_only reason explains nothing, or '' when it explains.

    The text after ``kind:`` must name something beyond the reason's label and beyond "SIPRI's
    2026 edition has no entry": at least one other word (the items, the user, the why). A
    ``possible_gap`` must also give its evidence, what SIPRI lists, covers or counts elsewhere."""
    kind, _, text = reason.partition(":")
    label = set(re.findall(r"[a-z']+", REASON_LABELS.get(kind, kind).lower())) | set(kind.split("_"))
    words = [w for w in re.findall(r"[\w'-]+", _NO_ENTRY.sub(" ", text).lower()) if w not in _EMPTY_WORDS | label]
    if not words:
        return (
            "the explanation says nothing beyond the reason's name or 'SIPRI has no entry': say why "
            "SIPRI lacks the row, or mark it possible_gap with the evidence"
        )
    if kind == "possible_gap" and not _GAP_EVIDENCE.search(text):
        return "a possible_gap needs its evidence: what SIPRI lists, covers or counts elsewhere"
    return ""


def check_links(links: pd.DataFrame, keys: set[str], ids: set[str], file: str) -> list[str]:
    """Every problem of the links table, each naming file, line, column and value."""
    out = []
    if list(links.columns) != COLUMNS:
        return [f"{file}: columns are {list(links.columns)}, expected {COLUMNS}"]
    for n, row in enumerate(links.itertuples(index=False), start=2):
        for col, msg in row_problems(row, keys, ids):
            out.append(f"{file}, line {n}, column '{col}': value {getattr(row, col)!r}: {msg}")
    pairs = links[["sipri_key", "ledger_id"]].apply(tuple, axis=1)
    for n in pairs[pairs.duplicated()].index:
        out.append(
            f"{file}, line {n + 2}, column 'sipri_key': value {links.at[n, 'sipri_key']!r}: "
            f"the pair with {links.at[n, 'ledger_id']!r} is listed twice"
        )
    return out


def links(data_dir: Path | str = DATA_DIR, edition: str = EDITION) -> pd.DataFrame:
    """The links, checked against SIPRI's register and the ledger; :class:`LinkError` lists every problem."""
    path = Path(data_dir) / LINKS_FILE
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    problems = check_links(df, set(deals(edition)["sipri_key"]), set(ledger(data_dir)["id"]), str(path))
    if problems:
        raise LinkError(problems)
    return df


def coverage(deals_df: pd.DataFrame, links_df: pd.DataFrame) -> dict:
    """How much of SIPRI the ledger covers: deal counts and TIV, matched and matched-or-explained.

    A deal is *matched* when a link ties it to a ledger row, *matched before*
    when that row was in the ledger before the reconciliation added SIPRI's
    missing deals, *explained* when a ``sipri_only`` link says why the ledger
    leaves it out. Shares are of all deals in ``deals_df``, whose totals are
    returned too (``deals``, ``tiv_delivered_total``, ``tiv_order_total``)."""
    m = links_df[links_df["match"] == "matched"]
    matched = set(m["sipri_key"])
    before = set(m.loc[~m["reason"].str.startswith(ADDED), "sipri_key"])
    explained = set(links_df.loc[links_df["match"] == "sipri_only", "sipri_key"]) - matched
    keys = deals_df["sipri_key"]
    masks = {"matched": keys.isin(matched), "matched_before": keys.isin(before)}
    masks["matched_or_explained"] = masks["matched"] | keys.isin(explained)
    out = {
        "deals": len(deals_df),
        "explained": int((masks["matched_or_explained"] & ~masks["matched"]).sum()),
        "added": int((masks["matched"] & ~masks["matched_before"]).sum()),
    }
    for name, mask in masks.items():
        out[name] = int(mask.sum())
        for col in ("tiv_delivered", "tiv_order"):
            out[f"{col}_total"] = float(deals_df[col].sum())
            out[f"{col}_{name}"] = float(deals_df.loc[mask, col].sum())
    for name in masks:
        out[f"share_deals_{name}"] = out[name] / out["deals"] if out["deals"] else float("nan")
        for col in ("tiv_delivered", "tiv_order"):
            t = out[f"{col}_total"]
            out[f"share_{col}_{name}"] = out[f"{col}_{name}"] / t if t else float("nan")
    return out


def ledger_since(ledger_df: pd.DataFrame) -> pd.DataFrame:
    """Ledger rows the reconciliation covers: every row, since the ledger starts in ``FROM_YEAR``
    (rows without any year are announced or planned deals of the same period)."""
    years = ledger_df[["order_year", "delivery_start", "delivery_end"]].replace("", pd.NA).astype("Int64")
    early = years.max(axis=1) < FROM_YEAR
    return ledger_df[~early.fillna(False)]


# --- tables for the chapter ---------------------------------------------------------------


def _names() -> dict[str, str]:
    c = pd.read_csv(Path(DATA_DIR) / "countries.csv", dtype=str, keep_default_na=False)
    return dict(zip(c["code"], c["name"], strict=True))


def _recipient_filter(df: pd.DataFrame, col: str, recipient: str) -> pd.DataFrame:
    return df if recipient == "ALL" else df[df[col] == recipient]


def sipri_only_table(deals_df, links_df, recipient: str = "ALL") -> pd.DataFrame:
    """SIPRI deals the ledger lacks: those added because of SIPRI and those left out, with the reason."""
    names = _names()
    keep = links_df[(links_df["match"] == "sipri_only") | links_df["reason"].str.startswith(ADDED)]
    df = keep.merge(deals_df, on="sipri_key")
    df = _recipient_filter(df, "recipient", recipient)
    return (
        pd.DataFrame(
            {
                "Recipient": df["recipient"].map(names),
                "Supplier (SIPRI)": df["supplier_name"],
                "Weapon": df["designation"] + " (" + df["description"] + ")",
                "Ordered": df["order_year"],
                "TIV delivered (m)": df["tiv_delivered"],
                "What the book does": [
                    f"added as {i}" if i else r for i, r in zip(df["ledger_id"], df["reason"], strict=True)
                ],
            }
        )
        .sort_values(["Recipient", "Ordered"])
        .reset_index(drop=True)
    )


def ledger_only_table(ledger_df, links_df, recipient: str = "ALL") -> pd.DataFrame:
    """Ledger rows SIPRI lacks, with the reason."""
    names = _names()
    lo = links_df[links_df["match"] == "ledger_only"].merge(ledger_df, left_on="ledger_id", right_on="id")
    lo = _recipient_filter(lo, "recipient", recipient)
    kind = lo["reason"].str.split(":").str[0]
    return (
        pd.DataFrame(
            {
                "Row": lo["ledger_id"],
                "Recipient": lo["recipient"].map(names),
                "Supplier": lo["supplier"].map(names),
                "Designation": lo["designation"],
                "Reason": kind.map(REASON_LABELS),
                "Why": lo["reason"].str.split(":", n=1).str[1].str.strip(),
            }
        )
        .sort_values(["Recipient", "Row"])
        .reset_index(drop=True)
    )


def explanations(text: str) -> dict[str, str]:
    """A link's stored explanations keyed by field: "field: explanation; field: ..." (semicolons
    inside brackets do not split)."""
    out: dict[str, str] = {}
    depth, start = 0, 0
    parts = []
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if ch == ";" and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    for part in (p.strip() for p in parts if p.strip()):
        field, _, expl = part.partition(":")
        out[field.strip()] = expl.strip()
    return out


def _first(years) -> float:
    return min(years) if isinstance(years, list) and years else float("nan")


def field_disagreements(ledger_df: pd.DataFrame, links_df: pd.DataFrame, edition: str = EDITION) -> pd.DataFrame:
    """Computed now, from the ledger and SIPRI's register: for each matched link, every field of
    :data:`DISAGREEMENT_FIELDS` whose values differ, with both values and the stored explanation
    for that field (empty when none). A value SIPRI marks uncertain is shown with '(uncertain)'.
    Columns: ledger_id, sipri_key, field, ledger, sipri, explanation."""
    reg = _register(edition).set_index("sipri_key")
    led = ledger_df.set_index("id")
    rows = []
    for link in links_df[links_df["match"] == "matched"].itertuples(index=False):
        if link.sipri_key not in reg.index or link.ledger_id not in led.index:
            continue
        s, g = reg.loc[link.sipri_key], led.loc[link.ledger_id]
        expl = explanations(link.disagreements)
        sipri_vals = {
            "supplier": (s["supplier"], False),
            "order_year": (s["order_year"], bool(s["order_year_uncertain"])),
            "number_ordered": (s["number_ordered"], bool(s["number_ordered_uncertain"])),
            "number_delivered": (s["number_delivered"], bool(s["number_delivered_uncertain"])),
            "delivery_start": (_first(s["delivery_years"]), False),
        }
        for field in DISAGREEMENT_FIELDS:
            sv, unsure = sipri_vals[field]
            sv = (
                ""
                if sv is None or (isinstance(sv, float) and pd.isna(sv)) or pd.isna(sv)
                else str(int(sv))
                if isinstance(sv, float)
                else str(sv)
            )
            if field == "number_delivered" and sv == "0":
                sv = ""
            lv = str(g.get(field, ""))
            if lv == sv or (not lv and not sv):
                continue
            rows.append(
                {
                    "ledger_id": link.ledger_id,
                    "sipri_key": link.sipri_key,
                    "field": field,
                    "ledger": lv or "empty",
                    "sipri": (sv or "empty") + (" (uncertain)" if unsure and sv else ""),
                    "explanation": expl.get(field, ""),
                }
            )
    return pd.DataFrame(rows, columns=["ledger_id", "sipri_key", "field", "ledger", "sipri", "explanation"])


_LEDGER_VALUE = re.compile(r"\b(?:ledger|deal list) (?:has |gives |says )?([A-Z]{3}|\d{1,4}|empty)\b")


def stale_explanations(ledger_df: pd.DataFrame, links_df: pd.DataFrame) -> list[str]:
    """Stored explanations that no longer hold: one that names a ledger value the ledger no longer
    has ("ledger FRA" where the ledger now says BEL), and one that explains a disagreement with
    SIPRI's register that no longer exists (the two now agree on that field). Each problem names
    the link's line, the field and the values."""
    led = ledger_df.set_index("id")
    live = {(d.ledger_id, d.sipri_key, d.field) for d in field_disagreements(ledger_df, links_df).itertuples()}
    in_register = set(_register(EDITION)["sipri_key"])
    out = []
    for n, link in enumerate(links_df.itertuples(index=False), start=2):
        if link.ledger_id not in led.index:
            continue
        where = f"{LINKS_FILE}, line {n}, column 'disagreements': {link.ledger_id}"
        for field, expl in explanations(link.disagreements).items():
            if field not in DISAGREEMENT_FIELDS:
                continue
            now = str(led.loc[link.ledger_id].get(field, "")) or "empty"
            for named in _LEDGER_VALUE.findall(expl):
                if named != now:
                    out.append(
                        f"{where} {field}: the explanation names the ledger value {named!r}, the ledger now has {now!r}"
                    )
            if (
                link.match == "matched"
                and link.sipri_key in in_register
                and (link.ledger_id, link.sipri_key, field) not in live
            ):
                out.append(
                    f"{where} {field}: the explanation {expl!r} is for a disagreement that no longer exists "
                    f"(the deal list and SIPRI now agree: {now!r})"
                )
    return out


def disagreements_table(ledger_df, links_df, recipient: str = "ALL") -> pd.DataFrame:
    """Matched deals whose fields differ between the ledger and SIPRI, computed now from both
    (:func:`field_disagreements`), with the stored explanation of each: a disagreement the ledger
    has since settled no longer shows, and a new one shows without waiting for a note."""
    names = _names()
    d = field_disagreements(ledger_df, links_df)
    d = d.merge(ledger_df[["id", "recipient"]], left_on="ledger_id", right_on="id")
    d = _recipient_filter(d, "recipient", recipient)
    text = [
        f"{f}: deal list {lv} vs SIPRI {sv}" + (f" ({e})" if e else "")
        for f, lv, sv, e in zip(d["field"], d["ledger"], d["sipri"], d["explanation"], strict=True)
    ]
    return (
        pd.DataFrame(
            {
                "Row": d["ledger_id"],
                "Recipient": d["recipient"].map(names),
                "SIPRI deal": d["sipri_key"].str.split("|").str[1:4].str.join(", "),
                "Disagreement (explanation)": text,
            }
        )
        .sort_values(["Recipient", "Row"])
        .reset_index(drop=True)
    )


def coverage_by_recipient(deals_df, links_df, ledger_df) -> pd.DataFrame:
    """Per recipient: SIPRI deals and TIV covered, and ledger rows SIPRI lacks."""
    names = _names()
    led = ledger_since(ledger_df)
    rows = []
    for code, name in names.items():
        dd = deals_df[deals_df["recipient"] == code]
        if dd.empty and code not in set(led["recipient"]):
            continue
        c = coverage(dd, links_df[links_df["sipri_key"].isin(dd["sipri_key"])])
        own = led.loc[led["recipient"] == code, "id"]
        lo = links_df[(links_df["match"] == "ledger_only") & links_df["ledger_id"].isin(own)]
        rows.append(
            {
                "Recipient": name,
                "SIPRI deals": c["deals"],
                "matched": c["matched"],
                "of which added from SIPRI": c["added"],
                "explained": c["explained"],
                "TIV delivered (m)": c["tiv_delivered_total"],
                "TIV delivered matched (%)": 100 * c["share_tiv_delivered_matched"],
                "deal list rows": int((led["recipient"] == code).sum()),
                "deal list rows SIPRI lacks": len(lo),
            }
        )
    return pd.DataFrame(rows)
