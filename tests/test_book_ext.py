"""The book's Sphinx extension: book mode for the kernels, vendored scripts or a loud CDN fallback."""

import importlib.util
import json
import os
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def ext(tmp_path, monkeypatch):
    monkeypatch.setenv("GEXLIB_VENDOR_DIR", str(tmp_path / "vendor"))
    monkeypatch.setenv("GEXLIB_WIDGETS", "")  # configure() sets it; monkeypatch restores it afterwards
    spec = importlib.util.spec_from_file_location("gexlib_book_under_test", ROOT / "book" / "_ext" / "gexlib_book.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def config():
    return types.SimpleNamespace(nb_ipywidgets_js={"cdn": {}}, mathjax_path="cdn", html_extra_path=[],
                                 html_context={})


def test_package_json_pins_exact_versions_and_mathjax_3(ext):
    deps = ext.versions()
    assert set(deps) == {"@jupyter-widgets/html-manager", "axe-core", "mathjax", "requirejs"}
    assert deps["mathjax"].startswith("3."), "MathJax 4 fetches its fonts from a CDN"
    lock = json.loads((ROOT / "package-lock.json").read_text())
    for name, version in deps.items():
        assert lock["packages"][f"node_modules/{name}"]["version"] == version


def test_ranges_are_refused(ext, tmp_path, monkeypatch):
    fake = tmp_path / "package.json"
    fake.write_text(json.dumps({"dependencies": {"mathjax": "^3.2.2"}}))
    monkeypatch.setattr(ext, "ROOT", tmp_path)
    with pytest.raises(ValueError, match="mathjax must be pinned"):
        ext.versions()


def test_without_a_vendored_copy_the_build_falls_back_loudly(ext, capsys):
    cfg = config()
    ext.configure(None, cfg)
    assert os.environ["GEXLIB_WIDGETS"] == "book"
    err = capsys.readouterr().err
    assert "Falling back to CDNs" in err and err.count("!!!") >= 2
    deps = ext.versions()
    assert list(cfg.nb_ipywidgets_js)[0].endswith(f"requirejs@{deps['requirejs']}/require.js")
    assert f"html-manager@{deps['@jupyter-widgets/html-manager']}" in list(cfg.nb_ipywidgets_js)[1]
    assert f"mathjax@{deps['mathjax']}/" in cfg.mathjax_path
    assert cfg.html_extra_path == []


def test_a_current_copy_is_served_from_the_book(ext):
    site = ext.VENDOR / "site"
    site.mkdir(parents=True)
    (ext.VENDOR / "digest.txt").write_text(ext.digest() + "\n")
    cfg = config()
    ext.configure(None, cfg)
    assert list(cfg.nb_ipywidgets_js) == [f"../vendor/{s}" for s in ext.WIDGET_SCRIPTS]
    assert list(cfg.nb_ipywidgets_js)[0].endswith("require.js")  # require.js before the manager
    assert cfg.mathjax_path == f"../vendor/{ext.MATHJAX}"
    assert cfg.html_extra_path == [str(site)]
    (ext.VENDOR / "digest.txt").write_text("stale\n")
    assert not ext.current()


def test_duplicate_inline_scripts_are_dropped(ext):
    from sphinx.builders.html._assets import _JavaScript

    scripts = [_JavaScript(None, body="const A = 1"), _JavaScript("x.js"), _JavaScript("", body="const A = 1"),
               _JavaScript("", body="const B = 2")]
    context = {"script_files": scripts}
    ext.dedupe_scripts(None, "p", "t", context, None)
    assert [s.attributes.get("body", s.filename) for s in context["script_files"]] == ["const A = 1", "x.js",
                                                                                       "const B = 2"]


def test_the_theme_gets_a_colour_mode(ext):
    cfg = config()
    ext.theme_mode(None, cfg)
    assert cfg.html_context["default_mode"] == "auto"


def test_a_caption_gives_its_figure_a_text_alternative(ext):
    text = ("Figure 3.1 — Synthetic calm chain, practitioner sign, model gamma. Top: GEX per strike "
            "for calls (blue) and puts.")
    assert ext.caption_alt(text) == ("Figure 3.1: Synthetic calm chain, practitioner sign, model gamma. Top: GEX "
                                     "per strike for calls (blue) and puts.")
    assert ext.caption_alt(text, limit=20) == "Figure 3.1: Synthetic calm chain, practitioner sign, model gamma."
    assert ext.caption_alt("Figure 10.2 — Total GEX of 0.5 × spot") == "Figure 10.2: Total GEX of 0.5 × spot"
    assert ext.caption_alt("The figure above shows it.") is None


def _lesson(with_caption: bool, alt: str | None = None):
    from docutils import nodes
    from docutils.utils import new_document

    doc = new_document("lesson")
    section = nodes.section()
    cell = nodes.container(classes=["cell"])
    output = nodes.container(classes=["cell_output"])
    image = nodes.image(uri="x.png", **({"alt": alt} if alt else {}))
    output += image
    cell += output
    section += cell
    if with_caption:
        section += nodes.paragraph(text="Figure 1.2 — Gamma against spot. Shorter expiries peak higher.")
    section += nodes.container(classes=["cell"])
    doc += section
    return doc, image


def test_lesson_images_take_the_alt_of_their_caption_and_keep_their_own(ext):
    doc, image = _lesson(True)
    ext.figure_alt(None, doc)
    assert image["alt"] == "Figure 1.2: Gamma against spot. Shorter expiries peak higher."
    doc, image = _lesson(True, alt="set in the cell metadata")
    ext.figure_alt(None, doc)
    assert image["alt"] == "set in the cell metadata"


def test_a_figure_without_caption_or_alt_is_reported(ext, caplog):
    doc, image = _lesson(False)
    ext.figure_alt(None, doc)
    assert not image.get("alt")
    assert "figure without a text alternative" in caplog.text


def test_the_theme_overrides_and_page_fixes_are_configured(ext):
    cfg = types.SimpleNamespace(templates_path=["_templates"], html_static_path=["_static"])
    ext.accessible(None, cfg)
    assert cfg.templates_path[0] == str(ext.TEMPLATES) and cfg.html_static_path[-1] == str(ext.STATIC)
    assert (ext.STATIC / "gexlib-a11y.js").is_file() and (ext.STATIC / "gexlib-a11y.css").is_file()


def test_a_library_change_makes_sphinx_read_every_notebook_again(ext, tmp_path):
    app = types.SimpleNamespace(outdir=str(tmp_path / "html"))
    cfg = types.SimpleNamespace(nb_execution_cache_path=str(tmp_path / ".jupyter_cache"))
    (tmp_path / ".jupyter_cache").mkdir()
    env = types.SimpleNamespace(found_docs={"book/intro", "notebooks/01_a", "notebooks/02_b"},
                                doc2path=lambda d: str(tmp_path / (d + (".md" if d.startswith("book") else ".ipynb"))))
    ext.refresh_cache(app, cfg)  # first build: no stamp yet
    assert not (tmp_path / ".jupyter_cache").exists()
    assert ext.reread(app, env, set(), set(), set()) == ["notebooks/01_a", "notebooks/02_b"]
    again = types.SimpleNamespace(outdir=app.outdir)
    ext.refresh_cache(again, cfg)  # unchanged library: nothing cleared, nothing read again
    assert ext.reread(again, env, set(), set(), set()) == []


def test_reference_entries_become_list_items(ext):
    body = '<div role="list" class="citation-list">\n<div class="citation" id="id2" role="doc-biblioentry">x</div>\n</div>'
    context = {"body": body}
    ext.citations_as_list_items(None, "book/references", "page.html", context, None)
    assert 'role="listitem"' in context["body"] and "doc-biblioentry" not in context["body"]
    assert context["body"].count("<div") == body.count("<div")


def test_lessons_missing_from_the_cache_are_executed_together_and_cached_as_the_book_reads_them(tmp_path,
                                                                                                monkeypatch):
    import nbformat
    from jupyter_cache import get_cache
    from nbformat.v4 import new_code_cell, new_notebook

    monkeypatch.syspath_prepend(str(ROOT / "book" / "_ext"))  # imported by name, as Sphinx imports it
    import gexlib_book as ext

    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n"
                                       "  - file: lessons/a\n  - file: lessons/b\n  - file: lessons/bad\n")
    (tmp_path / "lessons").mkdir()
    sources = {"a": "import os\nprint(os.environ['GEXLIB_WIDGETS'], os.path.basename(os.getcwd()))",
               "b": "print(6 * 7)", "bad": "1 / 0"}
    for name, code in sources.items():
        nb = new_notebook(cells=[new_code_cell(code)],
                          metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
        nbformat.write(nb, tmp_path / "lessons" / f"{name}.ipynb")
    monkeypatch.setenv("GEXLIB_WIDGETS", "book")  # as configure() sets it for the book's kernels
    monkeypatch.setenv(ext.JOBS_VARIABLE, "2")
    app = types.SimpleNamespace(srcdir=str(tmp_path), outdir=str(tmp_path / "_build" / "html"))
    cfg = types.SimpleNamespace(nb_execution_mode="cache", nb_execution_in_temp=False, nb_execution_timeout=60,
                                nb_execution_cache_path=str(tmp_path / ".jupyter_cache"),
                                nb_execution_allow_errors=False)
    ext.prefill_cache(app, cfg)
    cache = get_cache(cfg.nb_execution_cache_path)
    for name, shown in (("a", "book lessons\n"), ("b", "42\n")):
        nb = nbformat.read(tmp_path / "lessons" / f"{name}.ipynb", as_version=4)
        _, merged = cache.merge_match_into_notebook(nb)  # what myst-nb's cache mode does on reading the page
        assert [o.get("text") for o in merged.cells[0].outputs] == [shown]
    with pytest.raises(KeyError):  # not cached: reading its page executes it and reports the error
        cache.match_cache_notebook(nbformat.read(tmp_path / "lessons" / "bad.ipynb", as_version=4))
    # the seconds each lesson took are kept beside the cache for the next build's order
    took = json.loads((tmp_path / ext.SECONDS_FILE).read_text())
    assert sorted(took) == ["lessons/a", "lessons/b", "lessons/bad"] and all(v > 0 for v in took.values())
    assert ext.measured_seconds(cfg.nb_execution_cache_path)["lessons/b"] == took["lessons/b"]
    assert ext._toc_files(tmp_path / "_toc.yml") == ["intro", "lessons/a", "lessons/b", "lessons/bad"]
    assert [f for f in ext._toc_files(ROOT / "_toc.yml") if f.startswith("notebooks/")] == sorted(
        f"notebooks/{p.stem}" for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_the_longest_lessons_start_first_and_measurements_refine_the_built_in_order(ext, tmp_path):
    assert ext.longest_first(["a", "b", "c", "d"], {"a": 5, "b": 50, "c": 5}) == ["d", "b", "a", "c"]
    lessons = [f for f in ext._toc_files(ROOT / "_toc.yml") if f.startswith("notebooks/")]
    assert sorted(ext.SECONDS) == lessons  # every lesson has a figure
    cache = tmp_path / "_build" / ".jupyter_cache"
    assert ext.measured_seconds(cache) == ext.SECONDS  # nothing measured yet
    first = ext.longest_first(lessons, ext.SECONDS)[0]
    assert ext.SECONDS[first] == max(ext.SECONDS.values())
    cache.parent.mkdir(parents=True)
    (cache.parent / ext.SECONDS_FILE).write_text(json.dumps({lessons[0]: 1e6, "notebooks/new": 3.0}))
    seen = ext.measured_seconds(cache)
    assert seen[lessons[0]] == 1e6 and seen["notebooks/new"] == 3.0 and seen[lessons[1]] == ext.SECONDS[lessons[1]]
    assert ext.longest_first(lessons, seen)[0] == lessons[0]
    (cache.parent / ext.SECONDS_FILE).write_text("not json")
    assert ext.measured_seconds(cache) == ext.SECONDS
