"""gmm_ui.serve: the page it serves runs Plotly's script early, and nothing of Streamlit's package is changed."""

from pathlib import Path

from streamlit import file_util

from gmm_ui import serve


def test_the_page_runs_the_plotly_script_from_a_mirror_of_streamlits_folder(monkeypatch):
    original = Path(file_util.get_static_dir())
    page_before = (original / "index.html").read_text(encoding="utf-8")
    monkeypatch.setattr(file_util, "get_static_dir", file_util.get_static_dir)  # restored after the test

    serve._preload_chart_scripts()

    mirror = Path(file_util.get_static_dir())
    assert mirror != original
    page = (mirror / "index.html").read_text(encoding="utf-8")
    plotly = next((original / "static" / "js").glob("PlotlyChart.*.js"))
    tag = f'<script type="module" src="./static/js/{plotly.name}"></script>'
    assert page.index(tag) < page.index("</head>")
    assert page.replace(f"{tag}\n  ", "") == page_before  # the page is otherwise Streamlit's own
    assert (mirror / "static" / "js" / plotly.name).resolve() == plotly.resolve()
    assert {entry.name for entry in mirror.iterdir()} == {entry.name for entry in original.iterdir()}
    assert (original / "index.html").read_text(encoding="utf-8") == page_before


def test_a_streamlit_without_the_plotly_script_is_served_as_it_is(monkeypatch, tmp_path):
    (tmp_path / "static" / "js").mkdir(parents=True)
    (tmp_path / "index.html").write_text("<html><head></head><body></body></html>", encoding="utf-8")
    monkeypatch.setattr(file_util, "get_static_dir", lambda: str(tmp_path))

    serve._preload_chart_scripts()

    assert file_util.get_static_dir() == str(tmp_path)
