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
    assert set(deps) == {"@jupyter-widgets/html-manager", "mathjax", "requirejs"}
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
