"""The book's Sphinx extension, without a build: the duplicated inline script is removed,
the bundle is offered next to the download button, and build-finished writes the bundle and
the downloadable notebooks with their outputs."""

import zipfile
from pathlib import Path
from types import SimpleNamespace

from balkanarms import bundle, sphinxext

THEBE = '    <script>const THEBE_JS_URL = "x"</script>\n'


def test_second_copy_of_an_inline_script_is_removed():
    html = f"<head>\n{THEBE}<script>other()</script>\n{THEBE}<script src='a.js'></script>\n</head>\n"
    out = sphinxext.dedupe_inline_scripts(html)
    assert out.count("THEBE_JS_URL") == 1
    assert "<script>other()</script>" in out and "a.js" in out
    assert sphinxext.dedupe_inline_scripts(out) == out


def test_navigation_toggles_are_named_after_their_chapter():
    html = (
        '<li><a class="reference internal" href="teaching.html">Teaching with this book</a><details>'
        '<summary><span class="toctree-toggle" role="presentation"></span></summary><ul></ul></details></li>'
    )
    out = sphinxext.name_section_toggles(html)
    assert '<summary aria-label="Sections of Teaching with this book">' in out
    assert sphinxext.name_section_toggles(out) == out
    # the chapter being read: its link is "current" and its sections are open
    here = (
        '<a class="current reference internal" href="#">The evidence base</a><details open="open">'
        "<summary><span></span></summary>"
    )
    assert '<summary aria-label="Sections of The evidence base">' in sphinxext.name_section_toggles(here)


def pathto(name, resource=0):
    return f"../{name}"


def test_bundle_is_offered_in_and_next_to_the_download_menu():
    download = {"type": "group", "label": "download-buttons", "buttons": [{"label": "download-source-button"}]}
    context = {"header_buttons": [download, {"label": "fullscreen-button"}], "pathto": pathto}
    sphinxext.add_bundle_button(None, "notebooks/map", "page.html", context, None)
    labels = [b["label"] for b in context["header_buttons"]]
    assert labels == ["download-buttons", "download-bundle-button", "fullscreen-button"]
    assert context["header_buttons"][1]["url"] == f"../{bundle.ARCHIVE}"
    assert context["header_buttons"][1]["tooltip"]  # the icon's accessible name
    assert download["buttons"][-1]["url"] == f"../{bundle.ARCHIVE}" and download["buttons"][-1]["text"]


def test_pages_without_a_download_menu_are_left_alone():
    context = {"header_buttons": [{"label": "fullscreen-button"}], "pathto": pathto}
    sphinxext.add_bundle_button(None, "genindex", "page.html", context, None)
    assert [b["label"] for b in context["header_buttons"]] == ["fullscreen-button"]


def test_build_finished_writes_bundle_sources_and_clean_pages(tmp_path, fixture_dir, monkeypatch):
    src, out = tmp_path / "src", tmp_path / "_build" / "html"
    (src / "notebooks").mkdir(parents=True)
    (out / "_sources" / "notebooks").mkdir(parents=True)
    (out / "_sources" / "notebooks" / "a.ipynb").write_text("{}")
    (out / "page.html").write_text(THEBE + THEBE)
    executed = {"a.ipynb": b'{"outputs": "yes"}'}
    monkeypatch.setattr(bundle, "executed_notebooks", lambda notebooks, cache: executed)
    monkeypatch.setattr(sphinxext, "DATA_DIR", fixture_dir)
    app = SimpleNamespace(
        outdir=str(out),
        srcdir=str(src),
        builder=SimpleNamespace(format="html"),
        env=SimpleNamespace(mystnb_config=SimpleNamespace(execution_cache_path=".jupyter_cache")),
    )
    sphinxext._build_finished(app, None)
    assert (out / "_sources" / "notebooks" / "a.ipynb").read_bytes() == executed["a.ipynb"]
    assert (out / "page.html").read_text() == THEBE
    with zipfile.ZipFile(out / bundle.ARCHIVE) as zf:
        assert zf.read(f"{bundle.NAME}/notebooks/a.ipynb") == executed["a.ipynb"]
        assert f"{bundle.NAME}/data/transfers.csv" in zf.namelist()


def test_failed_build_is_left_alone(tmp_path):
    app = SimpleNamespace(outdir=str(tmp_path), builder=SimpleNamespace(format="html"))
    sphinxext._build_finished(app, RuntimeError("failed"))
    assert not (Path(tmp_path) / bundle.ARCHIVE).exists()
