"""Beyond the seven: SIPRI's files on China's exports, the seven's exports and the neighbours' imports.

Each published number is checked against a recomputation from the CSV files with the csv module
alone (not through balkanarms.world), and every injected fault is reported with file, line,
column and value."""

import csv
import shutil
import subprocess
import sys
from collections import defaultdict

import pytest

from balkanarms import DATA_DIR, world, world_files
from balkanarms.problems import DataError

SIPRI = DATA_DIR / "sipri"
CHINA = SIPRI / world_files.FILES["china"]
WB = SIPRI / world_files.FILES["wb"]
WORLD = SIPRI / world_files.FILES["world"]
W = (2021, 2025)
#: China's recipients that SIPRI counts as Europe, written out here apart from world.REGIONS.
EUROPE = {"Albania", "Armenia", "Azerbaijan", "Belarus", "Bosnia-Herzegovina", "Romania", "Russia", "Serbia"}
EUROPE |= {"Slovakia", "Turkiye"}


def plain_split(path, lo=1950, hi=2025):
    """{(recipient, supplier): TIV delivered in lo..hi}, each deal's delivered TIV split evenly
    over its listed years; plain csv, no pandas."""
    out = defaultdict(float)
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            years = [int(y) for y in row["Year(s) of delivery"].split("; ") if y]
            tiv = float(row["SIPRI TIV of delivered weapons"] or 0)
            for y in years:
                if lo <= y <= hi:
                    out[row["Recipient"], row["Supplier"]] += tiv / len(years)
    return out


def china_by_recipient(lo, hi):
    return {r: v for (r, _), v in plain_split(CHINA, lo, hi).items()}


# ------------------------------------------------------------------ the numbers the chapter gives


def test_serbia_rank_among_chinas_clients_2021_25():
    # states only, as SIPRI counts them (its fact sheet: China supplied 47 states in 2021-25)
    tiv = {r: v for r, v in china_by_recipient(*W).items() if v > 0 and r != "unknown recipient(s)" and "*" not in r}
    order = sorted(tiv, key=lambda r: -tiv[r])
    europe = [r for r in order if r in EUROPE]
    assert world.china_rank("Serbia", W) == (order.index("Serbia") + 1, len(order)) == (2, 47)
    assert world.china_rank("Serbia", W, region="Europe") == (europe.index("Serbia") + 1, len(europe)) == (1, 4)
    assert order[0] == "Pakistan"


def test_serbia_and_the_seven_share_of_china_2021_25():
    tiv = china_by_recipient(*W)
    total = sum(tiv.values())
    seven = sum(tiv.get(r, 0.0) for r in world.SEVEN)
    share, serbia, china_total = world.share_of_china("Serbia", W)
    assert serbia == pytest.approx(tiv["Serbia"]) == pytest.approx(585.0)
    assert china_total == pytest.approx(total)
    assert share == pytest.approx(tiv["Serbia"] / total * 100) and round(share) == 7
    assert world.share_of_china(world.SEVEN, W)[1] == pytest.approx(seven)


def test_china_share_of_world_exports():
    with open(WORLD, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for w in world.WINDOWS:
        inside = [r for r in rows if w[0] <= int(r["year"]) <= w[1]]
        total = sum(float(r["tiv_delivered"]) for r in inside)
        china = sum(float(r["tiv_delivered"]) for r in inside if r["supplier"] == "China")
        share, c, t = world.china_world_share(w)
        assert (c, t) == (pytest.approx(china), pytest.approx(total))
        assert share == pytest.approx(china / total * 100)
    assert round(world.china_world_share(W)[0], 1) == 5.6


def test_china_file_and_world_table_agree_year_by_year():
    """The derived world table's China rows equal the China file split evenly (two routes, one answer)."""
    with open(WORLD, encoding="utf-8", newline="") as f:
        table = {int(r["year"]): float(r["tiv_delivered"]) for r in csv.DictReader(f) if r["supplier"] == "China"}
    for year, value in table.items():
        assert sum(china_by_recipient(year, year).values()) == pytest.approx(value, abs=0.01), year


def test_the_sevens_exports_to_ukraine_since_2022():
    split = plain_split(WB, 2022, 2025)
    to_ua = {s: v for (r, s), v in split.items() if r == "Ukraine"}
    t = world.exports_since(2022).set_index("supplier")
    for supplier in world.SEVEN:
        assert t.loc[supplier, "to Ukraine"] == pytest.approx(to_ua.get(supplier, 0.0))
    assert to_ua == pytest.approx(
        {"Croatia": 96.48, "North Macedonia": 90.40, "Bosnia-Herzegovina": 5.5, "Montenegro": 3.62}
    )
    serbia_elsewhere = sum(v for (r, s), v in split.items() if s == "Serbia" and r != "Ukraine")
    assert t.loc["Serbia", "to Ukraine"] == 0 and t.loc["Serbia", "elsewhere"] == pytest.approx(serbia_elsewhere)
    deals = world.wb_exports_to("Ukraine", 2022)
    assert deals["tiv"].sum() == pytest.approx(sum(to_ua.values()))


def test_albania_chinese_period():
    t = world.albania_china_by_decade().set_index("decade")
    assert list(t.index) == ["1950s", "1960s", "1970s", "1980s"]
    from_china = sum(v for (r, s), v in plain_split(SIPRI / world.IMPORTS, 1970, 1979).items() if s == "China")
    assert t.loc["1970s", "china"] == pytest.approx(from_china)
    assert t.loc["1970s", "share"] == pytest.approx(100.0) and t.loc["1950s", "china"] == 0


def test_bloc_in_year_is_the_bloc_of_the_year_of_delivery():
    b = world.bloc_in_year
    assert (b("Poland", 1998), b("Poland", 1999)) == ("other", "nato_eu")
    assert (b("Sweden", 1994), b("Sweden", 1995)) == ("other", "nato_eu")  # EU before NATO
    assert (b("Montenegro", 2016), b("Montenegro", 2017)) == ("other", "nato_eu")
    assert (b("Spain", 1981), b("Spain", 1982), b("Germany", 1955)) == ("other", "nato_eu", "nato_eu")
    assert (b("Soviet Union", 1970), b("Turkiye", 2020), b("China", 1965)) == ("russia_belarus", "turkey", "china")
    assert b("South Korea", 2020) == "other"


def test_neighbour_blocs_add_up_to_their_imports():
    split = plain_split(SIPRI / world_files.FILES["neighbours"], *W)
    t = world.neighbour_blocs(W)
    for r in world.NEIGHBOURS:
        assert t.loc[r, "total"] == pytest.approx(sum(v for (rr, _), v in split.items() if rr == r))
        assert t.loc[r, world.BLOCS].sum() == pytest.approx(t.loc[r, "total"])


def test_every_china_recipient_has_a_region_and_the_files_check_clean():
    assert world.check_extracts(DATA_DIR) == []


# ------------------------------------------------------------------ injected faults


@pytest.fixture
def data_copy(tmp_path):
    """The SIPRI folder and the data package, copied (enough for the checks of this module)."""
    d = tmp_path / "data"
    shutil.copytree(SIPRI, d / "sipri")
    shutil.copy(DATA_DIR / "datapackage.json", d / "datapackage.json")
    return d


def test_a_changed_byte_fails_the_check_naming_the_file(data_copy):
    path = data_copy / "sipri" / world_files.FILES["china"]
    raw = path.read_bytes()
    i = raw.index(b"peacekeeping")  # one byte of a comment: the file still parses
    path.write_bytes(raw[:i] + b"P" + raw[i + 1 :])
    problems = world.check_extracts(data_copy)
    assert [(p.file, p.line, p.column) for p in problems] == [(f"sipri/{path.name}", None, None)]
    assert "sha256" in problems[0].message and problems[0].value == world_files.sha256(path)


def test_a_missing_hash_in_the_data_package_is_a_problem(data_copy):
    pkg = data_copy / "datapackage.json"
    pkg.write_text(pkg.read_text(encoding="utf-8").replace('"hash": "sha256:', '"hash": "md5:', 1), encoding="utf-8")
    problems = world.check_extracts(data_copy)
    assert any(p.file == "datapackage.json" and p.column == "hash" for p in problems)


def test_a_package_without_sipri_folder_has_nothing_to_check(tmp_path):
    assert world.check_extracts(tmp_path) == []


ROW = "Serbia,China,2019,?,6,?,CH-92A,armed UAV,6,,2020; 2021,New,,1,6,6"


@pytest.mark.parametrize(
    "old, new, column, value",
    [
        ("2019,?,6", "20x9,?,6", "Year of order", "20x9"),
        ("2019,?,6", "2019,!,6", "? (Year of order)", "!"),
        (",6,,2020", ",six,,2020", "Number delivered", "six"),
        ("2020; 2021", "2020;2021", "Year(s) of delivery", "2020;2021"),
        ("2020; 2021", "2021; 2020", "Year(s) of delivery", "2021; 2020"),
        (",New,", ",Used,", "status", "Used"),
        (",1,6,6", ",1,6,6.x", "SIPRI TIV of delivered weapons", "6.x"),
        (",1,6,6", ",1,6,", "SIPRI TIV of delivered weapons", ""),
    ],
)
def test_a_malformed_row_names_file_line_column_and_value(tmp_path, old, new, column, value):
    (tmp_path / "sipri").mkdir()
    path = tmp_path / "sipri" / world_files.FILES["china"]
    header = CHINA.read_text(encoding="utf-8").splitlines()[0]
    path.write_text("\n".join([header, ROW, ROW.replace(old, new)]) + "\n", encoding="utf-8")
    records, problems = world_files.parse_deals(path)
    assert len(records) == 1
    assert [(p.file, p.line, p.column, p.value) for p in problems] == [(f"sipri/{path.name}", 3, column, value)]
    with pytest.raises(DataError) as err:
        world.deals("china", tmp_path)
    assert f"sipri/{path.name}, line 3, column '{column}': value {value!r}" in str(err.value)


def test_a_row_with_too_few_fields_and_a_bad_world_row_are_named(tmp_path):
    path = tmp_path / "register.csv"
    path.write_text(CHINA.read_text(encoding="utf-8").splitlines()[0] + "\nSerbia,China,2019\n", encoding="utf-8")
    _, problems = world_files.parse_deals(path)
    assert [(p.line, p.value) for p in problems] == [(2, "Serbia,China,2019")]
    path = tmp_path / "world.csv"
    path.write_text("supplier,year,tiv_delivered,tiv_from_even_split\nChina,20x5,1.0,0.0\n", encoding="utf-8")
    _, problems = world_files.parse_world(path)
    assert [(p.file, p.line, p.column, p.value) for p in problems] == [("sipri/world.csv", 2, "year", "20x5")]


@pytest.mark.slow
def test_the_validator_reports_a_changed_sipri_file(tmp_path):
    """``python -m balkanarms validate`` on a copy of the data with one byte changed in the world table."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data, ignore=shutil.ignore_patterns("__pycache__"))
    path = data / "sipri" / world_files.FILES["world"]
    raw = path.read_bytes()
    path.write_bytes(raw.replace(b"China,2021,", b"China,2021,1", 1))
    proc = subprocess.run(
        [sys.executable, "-m", "balkanarms", "validate", str(data)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 1
    assert f"sipri/{path.name}" in proc.stderr and "sha256 differs from datapackage.json" in proc.stderr


def test_transfers_sipri_cannot_show_are_counted_and_tabled_as_the_data_says():
    """'Beyond the seven': the sentence and table over the book's own list of exports follow its rows."""
    from balkanarms import beyond, data

    ex = data.exports()
    text = beyond.unseen_sentence(ex)
    assert f"records {len(ex)} transfers" in text
    assert f"{int((ex['confidence'] == 'unconfirmed').sum())} unconfirmed" in text
    table = beyond.unseen_table(ex)
    assert list(table["from"]) == list(ex["supplier_name"]) and len(table) == len(ex)
    assert set(table["official position"]) <= set(beyond.POSITION.values())
    empty = beyond.unseen_sentence(ex.iloc[0:0])
    assert empty == "The book records no transfer from the seven beyond SIPRI's register."
