"""What a server keeps in its data folder so that a start on unchanged code pays no
first visitor's wait: the chart layouts (app/figures/chart_layouts.py) and the compiled
templates (app/templating.py). How long a first page takes is measured in bench/."""

import importlib
import os
import subprocess
import sys
import textwrap

import pytest

from app.figures import charts

#: Options of an indicator page's chart: width, height, fixed axis, layers, time format.
OPTIONS = ("container", 260, False, frozenset({"value", "mean", "limits", "story"}), "%b %Y")


def test_a_layout_built_once_is_read_back_without_altair(env, monkeypatch):
    built = charts._layout(*OPTIONS)
    charts._layout.cache_clear()  # as after a restart: nothing in memory

    def no_altair():
        raise AssertionError("Altair was asked for a layout the store holds")

    monkeypatch.setattr(charts, "_altair", no_altair)
    assert charts._layout(*OPTIONS) == built
    charts._layout.cache_clear()  # leave no layout built without Altair's module for others


def test_another_process_reads_the_same_layout_without_importing_altair(env, tmp_path):
    """A restart: a new interpreter (another hash seed, so the layer set's order differs)
    finds the layout under the same key and never imports Altair."""
    charts._layout.cache_clear()
    charts._layout(*OPTIONS)
    probe = textwrap.dedent(
        f"""
        import sys
        from app.figures import charts
        charts._layout(*{OPTIONS!r})
        print("ALTAIR", "altair" in sys.modules)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-800:]
    assert "ALTAIR False" in result.stdout


def test_changed_code_builds_its_layout_anew(env, tmp_path, monkeypatch):
    """The key holds a digest of the module that builds the layout: a layout stored by
    older code is never read by newer."""
    module = tmp_path / "layout_probe.py"
    source = textwrap.dedent(
        """
        from app.figures.chart_layouts import kept

        built = []

        @kept(maxsize=4)
        def probe(width):
            built.append(width)
            return {{"width": width, "colour": "{colour}"}}
        """
    )
    monkeypatch.syspath_prepend(str(tmp_path))

    def load(colour: str):
        module.write_text(source.format(colour=colour))
        sys.modules.pop("layout_probe", None)
        importlib.invalidate_caches()
        return importlib.import_module("layout_probe")

    first = load("blue")
    assert first.probe(300) == {"width": 300, "colour": "blue"}
    again = load("blue")  # a restart on the same code: read from the store
    assert again.probe(300) == {"width": 300, "colour": "blue"}
    assert again.built == []
    changed = load("green")
    assert changed.probe(300) == {"width": 300, "colour": "green"}
    assert changed.built == [300]


def test_a_layout_option_that_cannot_be_a_key_is_refused(env):
    from app.figures.chart_layouts import kept

    @kept(maxsize=1)
    def probe(option):
        return {}

    with pytest.raises(TypeError, match="cannot be object"):
        probe(object())


def test_pages_keep_their_compiled_templates_in_the_data_folder(app, client, tmp_path):
    from app.templating import templates

    folder = tmp_path / "data" / "cache" / "templates"
    templates.env.cache.clear()  # as after a restart: nothing compiled in memory
    assert client.get("/login").status_code == 200
    assert any(folder.iterdir())


def test_a_folder_that_cannot_be_written_costs_no_page(app, client, tmp_path):
    """Removed while the server runs (or a full disk): the page is compiled in memory."""
    import shutil

    from app.templating import templates

    shutil.rmtree(tmp_path / "data" / "cache" / "templates")
    templates.env.cache.clear()  # compile again, which writes
    response = client.get("/login")
    assert response.status_code == 200
    assert "<form" in response.text
