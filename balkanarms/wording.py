"""Sentences whose wording depends on the data or on a reader's selection.

A notebook glues what these return, so the prose reads right for any parameter
value, including an empty selection ("No deal with China is recorded for Croatia").
"""

from __future__ import annotations


def with_article(name: str) -> str:
    """'United States' -> 'the United States'; other names unchanged (for use inside a sentence)."""
    return f"the {name}" if name.startswith(("United ", "Netherlands")) else name


def capitalised(text: str) -> str:
    """'the United States' -> 'The United States': the first letter only, the rest as it is."""
    return text[:1].upper() + text[1:]


def plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n} {word if n == 1 else (words or word + 's')}"


def spelled(n: int, capital: bool = False) -> str:
    """0-10 in words ('three'), larger numbers in digits; ``capital`` for the start of a sentence."""
    words = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
    w = words[n] if 0 <= n <= 10 else str(n)
    return capitalised(w) if capital else w


def ordinal(n: int | None) -> str:
    """1 -> 'first', 2 -> 'second', ..., 11 -> '11th'; None -> 'not ranked'."""
    if n is None:
        return "not ranked"
    words = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]
    if 1 <= n <= 10:
        return words[n - 1]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def listing(items: list[str]) -> str:
    """['a', 'b', 'c'] -> 'a, b and c'."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def counted(counts: dict[str, int], name: str, years: tuple[int, int]) -> str:
    """Which of a recipient's deals the book counts, and why the others are not counted."""
    listed, n = counts["listed"], counts["counted"]
    if listed == 0:
        return f"The book's deal list records no deal for {name}."
    span = f"{years[0]}–{str(years[1])[-2:]}"
    s = f"The book counts {n} of the {plural(listed, 'deal')} it lists for {name}"
    rest = []
    if counts["unconfirmed"]:
        rest.append(f"{counts['unconfirmed']} {'is' if counts['unconfirmed'] == 1 else 'are'} unconfirmed")
    if counts["cancelled"]:
        rest.append(f"{counts['cancelled']} {'was' if counts['cancelled'] == 1 else 'were'} cancelled")
    if counts["undated"]:
        rest.append(f"{counts['undated']} {'has' if counts['undated'] == 1 else 'have'} no public year")
    if counts["outside"]:
        rest.append(f"{counts['outside']} {'falls' if counts['outside'] == 1 else 'fall'} outside {span}")
    s += (": of the others, " + listing(rest) if rest else "") + "."
    if counts["drawn"] < n:
        left = n - counts["drawn"]
        s += f" {plural(left, 'counted deal')} {'has' if left == 1 else 'have'} no year on this chart's basis."
    return s


def first_deal(name: str, partner: str, year: int | None) -> str:
    if year is None:
        return f"No counted deal of {name} with {partner} is recorded."
    return f"{name}'s first counted deal with {partner} dates from {year}."


#: A kind of deal (``deal_type``) as a count of it is said: singular, plural.
KINDS = {
    "purchase": ("purchase", "purchases"),
    "donation": ("donation", "donations"),
    "licence": ("licence deal", "licence deals"),
    "co_production": ("co-production", "co-productions"),
    "unknown": ("deal of a kind its sources do not state", "deals of a kind their sources do not state"),
}


def _kind(n: int, kind: str) -> str:
    one, many = KINDS.get(kind, (kind, kind + "s"))
    return f"{n} {one if n == 1 else many}"


def of_which(parts: dict[str, int], what: str) -> str:
    """({'donation': 6, 'purchase': 10}, 'deals with Russia and Belarus') ->
    'Of the 16 deals with Russia and Belarus, 10 were purchases and 6 donations.'"""
    total = sum(parts.values())
    if total == 0:
        return f"There are no {what}."
    if total == 1:
        kind = next(iter(parts))
        deal = what.replace("deals", "deal", 1)
        if kind == "unknown":
            return f"The sources of the one {deal} do not say whether it was bought or given."
        return f"The one {deal} was a {KINDS.get(kind, (kind,))[0]}."
    named = [_kind(v, k) for k, v in sorted(parts.items(), key=lambda kv: (kv[0] == "unknown", -kv[1], kv[0]))]
    if len(named) == 1:
        return f"{'Both' if total == 2 else f'All {total}'} {what} were {named[0].split(' ', 1)[1]}."
    verb = "was" if named[0].startswith("1 ") else "were"
    count, kind = named[0].split(" ", 1)
    return f"Of the {total} {what}, {count} {verb} {listing([kind] + named[1:])}."


def share(part: float, total: float, unit: str = "") -> str:
    """'62 % (of 1,234)' — a share always shows its denominator."""
    if not total:
        return "no share (the total is zero)"
    return f"{100 * part / total:.0f} % (of {total:,.0f}{(' ' + unit) if unit else ''})"


def ties_sentence(name: str, kinds, labels: dict[str, str]) -> str:
    """Lanes x kinds table of tie counts -> 'For Serbia the book records 12 deals and military
    ties with China, 26 with Russia and Belarus and 21 with NATO/EU members.'"""
    totals = kinds.sum(axis=1)
    if totals.sum() == 0:
        return f"The book records no deal or military tie with these partners for {name}."
    parts = [f"{int(n)} with {labels[lane]}" for lane, n in totals.items()]
    parts[0] = f"{parts[0].split(' ', 1)[0]} deals and military ties {parts[0].split(' ', 1)[1]}"
    return f"For {name} the book records {listing(parts)}."


def since_sentence(years, year: int, partner: str) -> str:
    """'10 of the 12 ties with China date from 2019 or later.'"""
    n = len(years)
    if n == 0:
        return f"No tie with {partner} is recorded."
    k = int((years >= year).sum())
    return f"{k} of the {plural(n, 'tie')} with {partner} date from {year} or later."


def capabilities_sentence(deals, supplier: str, supplier_name: str) -> str:
    """'China has 12 deals in the selection: 4 air defence, 3 UAVs, ...' (labels from the data)."""
    from .tables import words

    d = deals[deals["supplier"] == supplier]
    if d.empty:
        return f"{supplier_name} has no deal in this selection."
    caps = d["capability"].value_counts()
    caps = caps.sort_index().sort_values(ascending=False, kind="stable")
    labels = {c: ("other equipment" if c == "other" else words(c)) for c in caps.index}

    def one(lab: str, n: int) -> str:
        lab = lab if lab[:2].isupper() else lab.lower()
        return lab[:-1] if n == 1 and lab.endswith("s") else lab  # '1 missile', '1 UAV'

    parts = [f"{n} {one(labels[c], n)}" for c, n in caps.items()]
    return f"{supplier_name} has {plural(len(d), 'deal')} in this selection: {listing(parts)}."


def widest_sentence(matrix, names: dict[str, str]) -> str:
    """Which supplier appears in the most capability classes of the matrix."""
    if matrix.empty:
        return "No supplier appears in this selection."
    m = matrix.drop(index="Other", errors="ignore")
    if m.empty:
        return "Every supplier in this selection has fewer deals than the threshold."
    breadth = (m > 0).sum(axis=1)
    best = sorted(s for s in breadth.index if breadth[s] == breadth.max())
    who = listing([names.get(s, s) for s in best])
    verb = "appears" if len(best) == 1 else "each appear"
    tail = ", more than any other supplier" if len(best) == 1 and len(breadth) > 1 else ""
    return f"{who} {verb} in {breadth.max()} of the {matrix.shape[1]} capability classes drawn{tail}."


def fills_sentence(fills: dict[str, str], names: dict[str, str], labels: dict[str, str]) -> str:
    """Which bloc fills which country, grouped: 'NATO/EU members fill Croatia, ...; China fills Serbia.'"""
    if not fills:
        return "No country has a deal in this window."
    by_bloc: dict[str, list[str]] = {}
    for r, b in fills.items():
        by_bloc.setdefault(b, []).append(names.get(r, r))
    parts = [
        f"{labels[b]} {'is' if len(rs) == 1 else 'are'} the largest bloc for {listing(sorted(rs))}"
        for b, rs in sorted(by_bloc.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    ]
    return "; ".join(parts) + "."


def largest_sentence(largest, measure: str) -> str:
    """Summarise a :func:`balkanarms.claims.largest_table` by the chosen measure."""
    col = "largest by volume" if measure == "tiv" else "largest by deals"
    what = "volume" if measure == "tiv" else "number of deals"
    groups: dict[str, list[str]] = {}
    for country, bloc in zip(largest["country"], largest[col]):
        groups.setdefault(bloc, []).append(country)
    parts = [
        f"{bloc.lower() if bloc.startswith('no ') else bloc} for {listing(cs)}"
        for bloc, cs in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    ]
    return f"By {what}, the largest supplier bloc is " + "; ".join(parts) + "."


def top_pair_sentence(pairs, names: dict[str, str], span: str, source: str) -> str:
    """'the largest relationship in 2021–25 is China to Serbia (TIV 1,234 m of 2,345 m for the
    seven countries; SIPRI, 2026 edition).'"""
    if len(pairs) == 0:
        return f"SIPRI records no delivery to the seven countries in {span} ({source})."
    (r, s), v = pairs.index[0], pairs.iloc[0]
    return (
        f"the largest relationship delivered in {span} is {with_article(names.get(s, s))} to {names.get(r, r)}, "
        f"TIV {v:,.0f} million of {pairs.sum():,.0f} million for the seven countries ({source})."
    )


def diversified_sentence(table, names: dict[str, str]) -> str:
    """Who has the most supplier countries and blocs (ties named)."""
    if table["suppliers"].max() == 0:
        return "No country has a deal."
    most = [names[r] for r in table.index if table.loc[r, "suppliers"] == table["suppliers"].max()]
    blocs = [names[r] for r in table.index if table.loc[r, "blocs"] == table["blocs"].max()]
    verb = "has" if len(most) == 1 else "have"
    return (
        f"{listing(most)} {verb} the most supplier countries ({table['suppliers'].max()}); "
        f"{listing(blocs)} {'draws' if len(blocs) == 1 else 'draw'} on the most blocs ({table['blocs'].max()})."
    )


def volume_top_sentence(name: str, shares, span: str, source: str) -> str:
    """'In 2021–25 China delivered 62 % of Serbia's volume (TIV 1,234 m of 2,000 m; SIPRI, 2026 edition).'"""
    total = shares.attrs.get("total", 0) if len(shares) else 0
    if not total:
        return f"SIPRI records no delivery of major arms to {name} in {span} ({source})."
    top = shares.sort_values("tiv", ascending=False, kind="stable").iloc[0]
    who = with_article(top["label"])
    return (
        f"In {span} the largest supplier of {name} by volume was {who}, with {top['share']:.0f} % "
        f"(TIV {top['tiv']:,.0f} million of {total:,.0f} million; {source})."
    )


def revision_sentence(rev, names: dict[str, str], name: str = "Serbia", window: str = "2020–24") -> str:
    """'SIPRI's 2026 edition gives China 53.6 % of Serbia's 2020–24 imports, against 57.0 % in the 2025
    edition.' from a supplier x edition table (first column: old edition, second: new)."""
    if rev.empty:
        return f"SIPRI records no delivery in {window}."
    old, new = rev.columns[0], rev.columns[1]
    top = rev[old].idxmax()
    return (
        f"SIPRI's {new} edition gives {with_article(names.get(top, top))} {rev.loc[top, new]:.1f} % of {name}'s "
        f"{window} imports by volume, against {rev.loc[top, old]:.1f} % in its {old} edition: the register "
        "is revised every year, so a share is quoted with its edition."
    )


def tally_sentence(counts, total: int) -> str:
    """The claims tally: 'Of the article's 15 claims, 6 are supported, 5 partly, none is contradicted by the
    evidence, and 4 remain open.'"""
    parts = [f"{counts['Supported']} {'is' if counts['Supported'] == 1 else 'are'} supported"]
    parts.append(f"{counts['Partly supported']} partly")
    n_not = counts["Not supported"]
    parts.append("none is contradicted by the evidence" if n_not == 0 else f"{n_not} not supported")
    return (
        f"Of the article's {total} claims, " + ", ".join(parts) + f", and {counts['Open']} "
        f"{'remains' if counts['Open'] == 1 else 'remain'} open."
    )


def measured_sentence(measured) -> str:
    """Which measured claims hold by volume but not by the number of deals."""
    split = measured[(measured["by volume"] == True) & (measured["by deals"] == False)]  # noqa: E712
    if split.empty:
        return "Every claim that can be measured gets the same answer from volume and from the number of deals."
    n = len(split)
    return (
        f"{spelled(n, capital=True)} {'claim' if n == 1 else 'claims'} about Serbia's imports "
        f"{'holds' if n == 1 else 'hold'} by volume but not by the "
        "number of deals, so the scale marks "
        f"{'it' if n == 1 else 'them'} partly supported."
    )
