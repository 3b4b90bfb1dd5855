"""The data release: its version and last-updated date (``datapackage.json``), how to cite it,
and the line every page of the book shows.

The book's build date is the data's last-updated date, never the clock: the same data builds
the same pages. As a Sphinx extension (``_config.yml``, ``sphinx.extra_extensions``) this module
adds that line to the theme's footer (``extra_footer``).
"""

from __future__ import annotations

import datetime
from pathlib import Path

from . import DATA_DIR
from .schema import read_package

#: The package's property holding the date of its last change (the Data Package standard has
#: ``version`` and ``created``, no last-updated date).
LAST_UPDATED = "balkanarms:last_updated"
#: Who the citation names, as CITATION.cff does.
AUTHORS = "The Western Balkans arms book contributors"


def release(data_dir: Path | str = DATA_DIR) -> dict[str, str]:
    """version, last_updated (YYYY-MM-DD), date (as readers write it), title and name of the package."""
    package = read_package(Path(data_dir))
    updated = package[LAST_UPDATED]
    day = datetime.date.fromisoformat(updated)
    return {
        "version": package["version"],
        "last_updated": updated,
        "date": f"{day.day} {day:%B %Y}",
        "title": package["title"],
        "name": package["name"],
    }


def citation(data_dir: Path | str = DATA_DIR) -> str:
    """How to cite this version of the data (plain text, the same as CITATION.cff)."""
    r = release(data_dir)
    return (
        f"{AUTHORS} ({r['last_updated'][:4]}). {r['title']}. Data version {r['version']} "
        f"(last updated {r['date']}). Licence: CC BY 4.0, except the SIPRI extracts in data/sipri/ "
        "(SIPRI's terms)."
    )


def footer(data_dir: Path | str = DATA_DIR) -> str:
    """The line every page shows: the data version and the build date (the data's last update)."""
    r = release(data_dir)
    return f"<p>Data version {r['version']}; built {r['date']}, the date of the data's last update.</p>"


def _add_footer(app, config) -> None:
    options = dict(config.html_theme_options or {})
    line = footer(DATA_DIR)
    if line not in options.get("extra_footer", ""):
        options["extra_footer"] = options.get("extra_footer", "") + line
    config.html_theme_options = options


def setup(app):
    app.connect("config-inited", _add_footer)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
