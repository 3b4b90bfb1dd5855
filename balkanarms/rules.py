"""The book's own rules: what must hold between the columns of a row, between
rows, and between a row and its sources. Run after the schema checks; each
rule assumes only what the schema guarantees and skips cells it rejected."""

from __future__ import annotations

import datetime
import re

from .problems import Problem
from .schema import LIST_SEP

#: Years the book covers (engagement dates; other tables set theirs in the schema).
YEAR_MIN, YEAR_MAX = 1990, 2026
#: A deal value below this looks like an amount stored in thousands or millions.
VALUE_MIN = 10_000
#: Words in the notes that justify a value below VALUE_MIN.
VALUE_JUSTIFIED = "full amount"

_INT = re.compile(r"^[+-]?\d+$")
_NUM = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
#: Notes that say why a delivered deal has no delivered count.
_COUNT_REASON = re.compile(
    r"\b(numbers?|quantit(y|ies)|counts?|how many)\b[^.;]{0,80}?"
    r"\b(not|unknown|undisclosed|unclear|classified|never)\b"
    r"|\b(undisclosed|unknown|not (disclosed|stated|given|published|known))\b[^.;]{0,40}?"
    r"\b(numbers?|quantit(y|ies)|counts?)\b",
    re.I,
)


#: Bases of an order year (column ``order_basis``). The order year is the year the contract or
#: the donation agreement was signed, as in SIPRI's register: ``contract`` (a source, or SIPRI's
#: register, dates a signed contract or order), ``agreement`` (a source dates a signed
#: intergovernmental or donation agreement, or a donation both governments state as agreed),
#: ``inferred`` (a year deduced from indirect evidence, or SIPRI's year marked uncertain: the
#: notes say how). ``approval`` (a government, parliament or the US State Department approved a
#: possible purchase) and ``announcement`` (one side announced an intended purchase or a contract
#: to come) are not orders: such a row leaves ``order_year`` empty and keeps the year in its notes.
ORDER_BASES_DATED = ("contract", "agreement", "inferred")
ORDER_BASES_UNDATED = ("approval", "announcement")
#: Notes that say how an inferred order year was reached.
_INFERRED_HOW = re.compile(
    r"\border(ed)?\b[^.;]{0,160}?\b(inferred|estimat\w*|uncertain|approximate|deduced)\b"
    r"|\b(inferred|estimat\w*|uncertain|approximate|deduced)\b[^.;]{0,160}?\border(ed)?\b",
    re.I,
)
#: Notes that say why a delivered deal has fewer delivered than ordered.
_SHORT_REASON = re.compile(
    r"\b(crash\w*|lost|destroyed|written off|replac\w*|cancel\w*|reduced|cut|returned|withdrawn"
    r"|not (yet )?delivered|never (arrived|delivered)|not transferred|only \d+ (arrived|came|were delivered))\b",
    re.I,
)
#: Notes that call a deal a mix of a purchase and a donation.
_MIXED = re.compile(
    r"\bmixed\b[^.;]{0,30}?\b(purchase|donation|deal)\b|\b(purchase/donation|donation/purchase)\b", re.I
)
_ROW_ID = re.compile(r"\bT-[A-Z]{3}-\d{3}\b")
#: Scope of a published statistic: the world, Europe, or a country (ISO3 code, XKX).
STAT_SCOPES = ("world", "europe")
#: Measures whose figure is about the recipient's own imports or spending: scope is the recipient.
RECIPIENT_MEASURES = (
    "share_of_imports",
    "import_volume_change",
    "major_arms_imports_tiv",
    "military_expenditure",
    "military_expenditure_share_of_gdp",
    "defence_budget",
    "defence_budget_planned",
    "military_aid_value",
)


def _int(rec: dict, col: str) -> int | None:
    v = rec.get(col, "")
    return int(v) if v and _INT.match(v) else None


def _years(rec: dict) -> tuple[int, int] | None:
    """First and last year a deal spans (order to last delivery), if any year is known."""
    ys = [y for y in (_int(rec, c) for c in ("order_year", "delivery_start", "delivery_end")) if y]
    return (min(ys), max(ys)) if ys else None


def _item(designation: str) -> str:
    return re.sub(r"[^a-z0-9]", "", designation.lower())


def _years_rules(rec: dict, name: str) -> list[Problem]:
    out: list[Problem] = []
    line = rec["_line"]
    order, start, end = (_int(rec, c) for c in ("order_year", "delivery_start", "delivery_end"))
    if order is not None and start is not None and start < order:
        out.append(
            Problem(
                name, line, "delivery_start", rec["delivery_start"], f"delivery starts before the order year {order}"
            )
        )
    if start is not None and end is not None and end < start:
        out.append(
            Problem(name, line, "delivery_end", rec["delivery_end"], f"delivery ends before it starts ({start})")
        )
    if end is not None and start is None:
        out.append(Problem(name, line, "delivery_start", "", "delivery_end is given but delivery_start is empty"))
    basis = rec.get("delivery_start_basis", "")
    if start is not None and not basis:
        out.append(
            Problem(
                name,
                line,
                "delivery_start_basis",
                "",
                "delivery_start is given but its basis (reported or latest_possible) is empty",
            )
        )
    if start is None and basis:
        out.append(Problem(name, line, "delivery_start_basis", basis, "given without a delivery_start"))
    return out + _order_rules(rec, name)


def _order_rules(rec: dict, name: str) -> list[Problem]:
    """``order_basis``: required with an order year, one of :data:`ORDER_BASES_DATED`; an approval
    or an announcement is not an order and leaves ``order_year`` empty; an inferred year says how."""
    line, order, basis = rec["_line"], rec.get("order_year", ""), rec.get("order_basis", "")
    if "order_basis" not in rec:
        return []  # the schema check names the missing column
    if order and not basis:
        return [
            Problem(
                name,
                line,
                "order_basis",
                "",
                f"order_year is given but its basis is empty (one of {list(ORDER_BASES_DATED)})",
            )
        ]
    if order and basis in ORDER_BASES_UNDATED:
        return [
            Problem(
                name,
                line,
                "order_year",
                order,
                f"an {basis} is not an order: leave order_year empty and keep the year of the {basis} "
                "in the notes (order_year is the year the contract or donation agreement was signed)",
            )
        ]
    if order and basis == "inferred" and not _INFERRED_HOW.search(rec.get("notes", "")):
        return [
            Problem(
                name,
                line,
                "order_basis",
                basis,
                "an inferred order year needs the notes to say how it was inferred "
                "(e.g. 'order year inferred from ...', 'SIPRI's order year, marked uncertain')",
            )
        ]
    if not order and basis in ORDER_BASES_DATED:
        return [Problem(name, line, "order_basis", basis, "given without an order_year")]
    return []


def _status_rules(rec: dict, name: str) -> list[Problem]:
    out: list[Problem] = []
    line, status = rec["_line"], rec.get("status", "")
    ordered, delivered = _int(rec, "number_ordered"), _int(rec, "number_delivered")
    if ordered is not None and delivered is not None and delivered > ordered:
        out.append(
            Problem(name, line, "number_delivered", rec["number_delivered"], f"more delivered than ordered ({ordered})")
        )
    if status == "delivered" and _int(rec, "delivery_start") is None:
        out.append(Problem(name, line, "delivery_start", "", "status is 'delivered' but no delivery year is given"))
    if status in ("ordered", "cancelled") and delivered:
        out.append(
            Problem(
                name,
                line,
                "number_delivered",
                rec["number_delivered"],
                f"status is '{status}' but items are recorded as delivered",
            )
        )
    if status == "delivered" and delivered == 0:
        out.append(
            Problem(
                name,
                line,
                "number_delivered",
                rec["number_delivered"],
                "status is 'delivered' but the delivered count is 0",
            )
        )
    if (
        status == "delivered"
        and ordered is not None
        and delivered is not None
        and 0 < delivered < ordered
        and not _SHORT_REASON.search(rec.get("notes", ""))
    ):
        out.append(
            Problem(
                name,
                line,
                "status",
                status,
                f"'delivered' with {delivered} of {ordered} delivered: use 'in_delivery' while deliveries "
                "continue, or say in the notes why the rest never came (cancelled, crashed, replaced, "
                "reduced, ...)",
            )
        )
    if status == "delivered" and rec.get("number_delivered") == "" and not _COUNT_REASON.search(rec.get("notes", "")):
        out.append(
            Problem(
                name,
                line,
                "number_delivered",
                "",
                "status is 'delivered' with no delivered count and the notes give no reason "
                "(say e.g. 'number delivered not stated')",
            )
        )
    return out


def _value_rules(
    rec: dict, name: str, with_cols=("value_currency", "value_year"), example: str = "1483900000, not 1483.9"
) -> list[Problem]:
    """A value comes with its companion columns (currency, price year) and holds the full amount."""
    out: list[Problem] = []
    line, value = rec["_line"], rec.get("value", "")
    needs = " and ".join(c.removeprefix("value_") for c in with_cols)
    for col in with_cols:
        if value and not rec.get(col):
            out.append(Problem(name, line, col, "", f"a value needs its {needs}"))
        if not value and rec.get(col):
            out.append(Problem(name, line, col, rec[col], "given without a value"))
    if value and _NUM.match(value) and float(value) < VALUE_MIN and VALUE_JUSTIFIED not in rec.get("notes", ""):
        out.append(
            Problem(
                name,
                line,
                "value",
                value,
                f"looks scaled: value holds the full amount (e.g. {example}); "
                f"a real value under {VALUE_MIN:,} needs '{VALUE_JUSTIFIED}' in the notes",
            )
        )
    return out


def _duplicate_rules(records: list[dict], name: str) -> list[Problem]:
    """Same recipient, supplier and item in overlapping years: flagged unless
    either row names the other's id in its notes."""
    out: list[Problem] = []
    seen: list[dict] = []
    for rec in records:
        item = _item(rec.get("designation", ""))
        if not (rec.get("recipient") and rec.get("supplier") and item):
            continue
        for old in seen:
            if (old["recipient"], old["supplier"], _item(old["designation"])) != (
                rec["recipient"],
                rec["supplier"],
                item,
            ):
                continue
            a, b = _years(old), _years(rec)
            if a and b and (a[1] < b[0] or b[1] < a[0]):
                continue
            if old.get("id", "") in rec.get("notes", "") or rec.get("id", "") in old.get("notes", ""):
                continue
            out.append(
                Problem(
                    name,
                    rec["_line"],
                    "designation",
                    rec["designation"],
                    f"possible duplicate of {old.get('id')} (line {old['_line']}): same recipient, "
                    f"supplier and item in overlapping years; merge them, or name each "
                    f"other's id in the notes",
                )
            )
        seen.append(rec)
    return out


def transfer_rules(records: list[dict], name: str = "transfers.csv") -> list[Problem]:
    """Rules that tie the columns of a deal together, and deals to each other."""
    out: list[Problem] = []
    for rec in records:
        out += _years_rules(rec, name) + _status_rules(rec, name) + _value_rules(rec, name)
        if rec.get("status") == "delivered" and _int(rec, "order_year") is None and _int(rec, "delivery_start") is None:
            out.append(Problem(name, rec["_line"], "order_year", "", "a delivered deal needs a year"))
        if rec.get("supplier") and rec.get("supplier") == rec.get("recipient"):
            out.append(Problem(name, rec["_line"], "supplier", rec["supplier"], "supplier is the recipient"))
        out += _mixed_rules(rec, name)
    return out + _duplicate_rules(records, name)


def _mixed_rules(rec: dict, name: str) -> list[Problem]:
    """A row whose notes call it a mix of purchase and donation is split into a purchase row
    and a donation row that name each other (notes say 'split' and the other id)."""
    notes = rec.get("notes", "")
    if not _MIXED.search(notes):
        return []
    others = set(_ROW_ID.findall(notes)) - {rec.get("id", "")}
    if others and re.search(r"\bsplit\b", notes, re.I):
        return []
    return [
        Problem(
            name,
            rec["_line"],
            "deal_type",
            rec.get("deal_type", ""),
            "the notes call this deal a mixed purchase/donation: split it into a purchase row and a "
            "donation row that name each other ('split ... see T-XXX-nnn'), or code it as one kind "
            "and say how the rest was financed (e.g. 'purchase part-financed by US aid')",
        )
    ]


#: Routes of an export that pass through a third country or intermediary, which ``via`` must name.
ROUTES_VIA = ("third_country", "transit")


def export_rules(records: list[dict], name: str = "exports.csv") -> list[Problem]:
    """Transfers from the seven (``exports.csv``): a transfer the supplier's government
    denies cannot be ``confirmed``; one through a third country or in transit names
    ``via``; its years are in order; a value has its currency and is the full amount."""
    out: list[Problem] = []
    for rec in records:
        line = rec["_line"]
        if rec.get("official_position") == "denied" and rec.get("confidence") == "confirmed":
            out.append(
                Problem(
                    name,
                    line,
                    "confidence",
                    "confirmed",
                    "the supplier's government denies this transfer: it can be at most 'reported' "
                    "(say who said what in the notes)",
                )
            )
        route = rec.get("route", "")
        if route in ROUTES_VIA and not rec.get("via", "").strip():
            out.append(
                Problem(name, line, "via", rec.get("via", ""), f"route is '{route}' but via names no third country")
            )
        first, last = _int(rec, "first_year"), _int(rec, "last_year")
        if first is not None and last is not None and last < first:
            out.append(Problem(name, line, "last_year", rec["last_year"], f"last year is before the first ({first})"))
        out += _value_rules(rec, name, ("value_currency",), "800000000, not 800")
        if rec.get("supplier") and rec.get("supplier") == rec.get("recipient"):
            out.append(Problem(name, line, "recipient", rec["recipient"], "recipient is the supplier"))
    return out


def engagement_rules(records: list[dict], name: str = "engagements.csv") -> list[Problem]:
    out: list[Problem] = []
    for rec in records:
        parties = [p for p in rec.get("parties", "").split(LIST_SEP) if p]
        if len(parties) != len(set(parties)):
            out.append(Problem(name, rec["_line"], "parties", rec["parties"], "a party is listed twice"))
        date = rec.get("date", "")
        if not _DATE.match(date):
            continue  # already reported by the schema check
        if not YEAR_MIN <= int(date[:4]) <= YEAR_MAX:
            out.append(Problem(name, rec["_line"], "date", date, f"year is outside {YEAR_MIN}-{YEAR_MAX}"))
        try:
            if len(date) == 10:
                datetime.date.fromisoformat(date)
            elif len(date) == 7 and not 1 <= int(date[5:]) <= 12:
                raise ValueError
        except ValueError:
            out.append(Problem(name, rec["_line"], "date", date, "is not a real calendar date"))
    return out


def statistics_rules(records: list[dict], name: str = "statistics.csv") -> list[Problem]:
    out: list[Problem] = []
    seen: dict[tuple, int] = {}
    for rec in records:
        key = tuple(
            rec.get(c, "") for c in ("recipient", "supplier", "measure", "period_start", "period_end", "unit", "value")
        )
        if key in seen:
            out.append(
                Problem(
                    name,
                    rec["_line"],
                    "value",
                    rec.get("value"),
                    f"duplicate figure: same country, supplier, measure, period and value "
                    f"as line {seen[key]} (cite both sources on one row)",
                )
            )
        else:
            seen[key] = rec["_line"]
        a, b = _int(rec, "period_start"), _int(rec, "period_end")
        if a is not None and b is not None and b < a:
            out.append(
                Problem(name, rec["_line"], "period_end", rec["period_end"], f"period ends before it starts ({a})")
            )
        if rec.get("measure", "").startswith("share_") and rec.get("value") and _NUM.match(rec["value"]):
            if float(rec["value"]) > 100:
                out.append(Problem(name, rec["_line"], "value", rec["value"], "a percentage above 100"))
        out += _scope_rules(rec, name)
    return out


def _scope_rules(rec: dict, name: str) -> list[Problem]:
    """``scope`` says what the figure covers: ``world``, ``europe`` or a country's code. A figure
    about a recipient's own imports or spending has that recipient as its scope; a figure
    without a recipient is the world's or Europe's, never a country's."""
    if "scope" not in rec:
        return []
    scope, recipient, measure = rec.get("scope", ""), rec.get("recipient", ""), rec.get("measure", "")
    if not scope:
        return []  # the schema check reports the required value
    if not recipient and scope not in STAT_SCOPES:
        return [
            Problem(
                name,
                rec["_line"],
                "scope",
                scope,
                f"a figure without a recipient covers {' or '.join(STAT_SCOPES)}, not a country",
            )
        ]
    if recipient and measure in RECIPIENT_MEASURES and scope != recipient:
        return [
            Problem(
                name,
                rec["_line"],
                "scope",
                scope,
                f"a {measure} figure for {recipient} has the scope {recipient}",
            )
        ]
    return []


def country_rules(records: list[dict], name: str = "countries.csv") -> list[Problem]:
    out: list[Problem] = []
    for rec in records:
        claims = [c for c in ("nato_member_since", "eu_member_since", "eu_status") if rec.get(c)]
        if claims and not rec.get("sources"):
            out.append(Problem(name, rec["_line"], "sources", "", f"{' and '.join(claims)} given without a source"))
        joined = rec.get("nato_member_since") or rec.get("eu_member_since")
        if rec.get("bloc") == "nato_eu" and rec.get("role") != "organisation" and not joined:
            out.append(
                Problem(
                    name,
                    rec["_line"],
                    "bloc",
                    "nato_eu",
                    "a NATO/EU member needs its year of NATO or EU accession: its deliveries before then "
                    "belong to no bloc of members",
                )
            )
        if rec.get("role") == "recipient" and not rec.get("eu_status"):
            out.append(Problem(name, rec["_line"], "eu_status", "", "a recipient needs its EU status"))
    return out


#: Rules of each table, by resource name.
RULES = {
    "countries": country_rules,
    "transfers": transfer_rules,
    "engagements": engagement_rules,
    "statistics": statistics_rules,
    "exports": export_rules,
}
