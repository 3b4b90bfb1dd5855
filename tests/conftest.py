import json
import shutil
import sys
import tempfile
from pathlib import Path

import books
import pytest

from balkanarms import DATA_DIR
from balkanarms.teaching import CHROMIUM_ARGS  # the same flags the handout printer uses

FIXTURE_TRANSFERS = """id,recipient,supplier,designation,description,category,capability,number_ordered,number_delivered,order_year,order_basis,delivery_start,delivery_end,delivery_start_basis,status,deal_type,second_hand,value,value_currency,value_year,confidence,notes,sources
T-SRB-001,SRB,CHN,FK-3,SAM system,air_defence_systems,air_defence,3,3,2019,contract,2022,2022,reported,delivered,purchase,false,,,,confirmed,,keya
T-SRB-002,SRB,RUS,MiG-29,fighter aircraft,aircraft,combat_aircraft,6,6,2016,agreement,2017,2017,reported,delivered,donation,true,,,,confirmed,,keya;keyb
T-HRV-001,HRV,FRA,Rafale,fighter aircraft,aircraft,combat_aircraft,12,12,2021,contract,2023,2025,reported,delivered,purchase,true,999000000,EUR,2021,confirmed,,keyb
"""
FIXTURE_ENGAGEMENTS = """id,date,type,parties,title,description,confidence,sources
E-001,2025-07,exercise,SRB;CHN,Joint exercise,A joint exercise in China.,confirmed,keya
"""
FIXTURE_STATISTICS = """id,recipient,supplier,measure,period_start,period_end,value,unit,scope,origin,notes,sources,sipri_edition
S-001,SRB,CHN,share_of_imports,2020,2024,57,percent,SRB,SIPRI as reported,,keyb,2025
"""
FIXTURE_EXPORTS = """id,supplier,recipient,via,item,category,first_year,last_year,value,value_currency,route,status,official_position,confidence,notes,sources
X-SRB-001,SRB,FRA,Czechia,artillery shells,ammunition,2022,2024,800000000,EUR,third_country,delivered,acknowledged_in_part,reported,,keya
X-HRV-001,HRV,FRA,,rifle rounds,ammunition,,2023,,,direct,alleged,denied,unconfirmed,,keyb
"""
FIXTURE_EVIDENCE = {
    "transfers.csv": """row_id,source,fields,passage,translation
T-SRB-001,keya,supplier;designation;number_ordered;number_delivered;order_year;delivery_start;delivery_end;deal_type;second_hand,\
Serbia bought 3 new FK-3 batteries from China in 2019; all 3 arrived in 2022.,
T-SRB-002,keyb,supplier;designation;number_ordered;number_delivered;order_year;delivery_start;delivery_end;deal_type;second_hand,\
Russia pledged 6 used MiG-29 as a gift in 2016; the 6 aircraft arrived in 2017.,
T-HRV-001,keyb,supplier;designation;number_ordered;number_delivered;order_year;delivery_start;delivery_end;value;deal_type;second_hand,\
"Croatia bought 12 used Rafale in 2021 for EUR 999 million; 12 delivered, from 2023 to 2025.",
""",
    "engagements.csv": """row_id,source,fields,passage,translation
E-001,keya,date;type;parties,A joint exercise in China in July 2025.,
""",
    "statistics.csv": """row_id,source,fields,passage,translation
S-001,keyb,value;period_start;period_end;recipient;supplier;measure,China supplied 57% of Serbia's arms imports in 2020-2024.,
""",
    "exports.csv": """row_id,source,fields,passage,translation
X-SRB-001,keya,via;first_year;last_year;value;route,Shells worth EUR 800 million reached France via Czechia from 2022 to 2024.,
X-HRV-001,keyb,item;last_year;official_position,Croatia denied that it sent rifle rounds to France in 2023.,
""",
}
FIXTURE_CHANGES = """date,row_id,field,old,new,reason,source
2026-12-01,T-SRB-001,status,in_delivery,delivered,The source reports the last batteries delivered.,keya
"""
FIXTURE_COUNTRIES = """code,name,role,bloc,capital,capital_lat,capital_lon,nato_member_since,eu_member_since,eu_status,sources
SRB,Serbia,recipient,other,Belgrade,44.8,20.46,,,candidate,keya
HRV,Croatia,recipient,nato_eu,Zagreb,45.81,15.98,2009,2013,member,keyb
CHN,China,supplier,china,Beijing,39.9,116.4,,,,
RUS,Russia,supplier,russia_belarus,Moscow,55.75,37.62,,,,
FRA,France,supplier,nato_eu,Paris,48.85,2.35,1949,1957,,keya
"""
FIXTURE_BIB = """@misc{keya,
  author = {{Outlet A}},
  title = {A title},
  organization = {Outlet A},
  year = {2022},
  date = {2022-04-10},
  url = {https://example.org/a},
  urldate = {2026-11-27},
}

@misc{keyb,
  author = {{Outlet B}},
  title = {B title},
  organization = {Outlet B},
  year = {2021},
  date = {2021-05-28},
  url = {https://example.org/b},
  urldate = {2026-11-27},
}
"""


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright (no browser download). Never skipped:
    without chromium every browser test fails, and `make test` installs it first."""
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Debian's chromium is required for the browser tests: run `make test`, which installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def browser_factory(browser):
    return browser.new_page


@pytest.fixture
def fixture_dir(tmp_path: Path) -> Path:
    """A small valid data package with the real schema."""
    d = tmp_path / "data"
    d.mkdir()
    package = json.loads((DATA_DIR / "datapackage.json").read_text(encoding="utf-8"))
    for res in package["resources"]:
        res.pop("balkanarms:coverage", None)  # the fixture's evidence is complete: coverage is required
    (d / "datapackage.json").write_text(json.dumps(package, indent=1), encoding="utf-8")
    (d / "transfers.csv").write_text(FIXTURE_TRANSFERS, encoding="utf-8")
    (d / "engagements.csv").write_text(FIXTURE_ENGAGEMENTS, encoding="utf-8")
    (d / "statistics.csv").write_text(FIXTURE_STATISTICS, encoding="utf-8")
    (d / "exports.csv").write_text(FIXTURE_EXPORTS, encoding="utf-8")
    (d / "countries.csv").write_text(FIXTURE_COUNTRIES, encoding="utf-8")
    (d / "references.bib").write_text(FIXTURE_BIB, encoding="utf-8")
    (d / "changes.csv").write_text(FIXTURE_CHANGES, encoding="utf-8")
    (d / "evidence").mkdir()
    for name, text in FIXTURE_EVIDENCE.items():
        (d / "evidence" / name).write_text(text, encoding="utf-8")
    return d


# ---------------------------------------------------------------- the suite's builds

#: Fixture -> the build it waits for (tests/books.py).
BUILD_OF = {
    "built_book": "main",
    "main_build_log": "main",
    "server": "main",
    "student_html": "student",
    "injected_book": "injected",
}
#: Tests run in this order of what they need: nothing, then the builds and the notebook grid
#: (``results``) in the order they finish.
ORDER = {"injected": 1, "main": 2, "grid": 3, "student": 4}
BUILDS: dict[str, books.Build] = {}
_TMP: list[Path] = []


def _needs(item) -> set[str]:
    return {BUILD_OF[f] for f in getattr(item, "fixturenames", ()) if f in BUILD_OF}


def _waits_for(item) -> set[str]:
    """What a test waits for: its builds, and the notebook grid when it reads its results."""
    return _needs(item) | ({"grid"} if "results" in getattr(item, "fixturenames", ()) else set())


def _page_read(item) -> str:
    """The page a test reads through ``opened`` (its parameter that names a page), or ''."""
    if "opened" not in getattr(item, "fixturenames", ()) or not hasattr(item, "callspec"):
        return ""
    return next((v for v in item.callspec.params.values() if isinstance(v, str) and "/" in v), "")


def pytest_collection_modifyitems(session, config, items):
    """Tests run in the order of the builds they need, and the browser tests that read the same
    page one after another, so that each page is loaded once per width (the sort is stable)."""
    items.sort(key=lambda item: (max((ORDER[b] for b in _waits_for(item)), default=0), _page_read(item)))


def _start(name: str) -> books.Build:
    if name not in BUILDS:
        if not _TMP:
            _TMP.append(Path(tempfile.mkdtemp(prefix="balkanarms-builds-")))
        tmp = _TMP[0]
        if name == "main":
            BUILDS[name] = books.main_build(tmp).start()
        elif name == "student":
            BUILDS[name] = books.student_build(tmp, _start("main")).start()
        else:
            BUILDS[name] = books.injected_build(tmp).start()
    return BUILDS[name]


def pytest_collection_finish(session):
    """Start every build the selected tests need, and the notebook grid, at once: they run while
    the tests that need none do."""
    if session.config.option.collectonly:
        return
    needed = {b for item in session.items for b in _needs(item)}
    for name in ("main", "injected", "student"):  # the student edition starts after the main build
        if name in needed:
            _start(name)
    if any("grid" in _waits_for(item) for item in session.items):
        sys.modules["test_notebooks"].start_grid()  # the notebook grid, in the background too


def pytest_sessionfinish(session, exitstatus):
    for build in BUILDS.values():
        build.stop()
    for tmp in _TMP:
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def built_book() -> Path:
    """The book built exactly as `make book` builds it (validate, refresh the execution cache,
    strict build, bundle): the one `make book` built when its record matches the sources, else
    the suite's own build. It built with no warning."""
    build = _start("main")
    html = build.wait()
    warnings = [line for line in build.output().splitlines() if "WARNING" in line]
    assert warnings == [], warnings
    return html


@pytest.fixture(scope="session")
def main_build_log(built_book) -> str:
    """Everything the main build printed."""
    return BUILDS["main"].output()


@pytest.fixture(scope="session")
def student_html(built_book) -> Path:
    """The student edition (`make student`), the second full build: it reuses the main build's
    execution cache, so only the exercises, their solutions gone, execute again."""
    return _start("student").wait()


@pytest.fixture(scope="session")
def injected_book() -> Path:
    """The partial build of the pages that show strings from the data, with markup injected."""
    return _start("injected").wait()


@pytest.fixture(scope="session")
def server(built_book):
    """The built book served on 127.0.0.1 (one server for every browser test)."""
    import functools
    import http.server
    import socketserver
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(built_book))
    httpd = socketserver.TCPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def block_other_hosts(page, server: str) -> list[str]:
    """Let ``page`` load only from the book's own server; every request to another host is
    aborted and its URL added to the list returned (which a test expects to stay empty)."""
    external: list[str] = []

    def route(r):
        if r.request.url.startswith(server):
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    return external


class Opened:
    """One tab per viewport width, kept for the session: :meth:`load` shows a page of the
    built book in it (loading it only when another page is showing), with the response, the
    console errors of that load and the other hosts it asked for. A tab per page load would
    cost a new renderer each time: on two cores, three times as long."""

    def __init__(self, browser, server: str, width: int):
        self.server, self.path = server, None
        self.page = browser.new_page(viewport={"width": width, "height": 844 if width < 600 else 1000})
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.external = block_other_hosts(self.page, server)

    def load(self, path: str) -> "Opened":
        if path != self.path:
            self.errors.clear()
            self.external.clear()
            self.response = self.page.goto(f"{self.server}/{path}.html", wait_until="load")
            self.path = path
        return self


@pytest.fixture(scope="session")
def opened(server, browser):
    """``opened(path, width=1280)``: the page at ``path`` in the session's tab of that width
    (for tests that only read a page; tests that click or type open a page of their own).
    The tests that read the same page run one after another (see the ordering above)."""
    tabs: dict[int, Opened] = {}

    def get(path: str, width: int = 1280) -> Opened:
        if width not in tabs:
            tabs[width] = Opened(browser, server, width)
        return tabs[width].load(path)

    yield get
    for tab in tabs.values():
        tab.page.close()
