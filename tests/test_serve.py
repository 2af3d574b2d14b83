"""gmm_ui.serve: the page it serves runs Plotly's script early, its connections send small writes at once, BLAS
runs on one thread, the first visit's one-off work is done at start-up, and nothing of Streamlit's package is
changed."""

from pathlib import Path

import scipy.linalg  # noqa: F401  (loads SciPy's own BLAS, which the server limits too)
from streamlit import file_util
from threadpoolctl import threadpool_info

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


def test_the_servers_connections_send_small_writes_at_once(monkeypatch):
    """Streamlit's own listening socket has protocol 0, so asyncio leaves Nagle's algorithm on for its connections
    (a 40 ms wait per response on a kept-alive connection); the served app's connections have TCP_NODELAY."""
    import asyncio
    import socket
    from concurrent.futures import ThreadPoolExecutor

    from streamlit.web.server.starlette import starlette_server

    monkeypatch.setattr(starlette_server, "_bind_socket", starlette_server._bind_socket)  # restored after the test
    serve._listen_without_nagle()
    listener = starlette_server._bind_socket("127.0.0.1", 0, 8)

    async def accepted_nodelay():
        accepted = asyncio.get_running_loop().create_future()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport):
                option = transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
                accepted.set_result(option)
                transport.close()

        server = await asyncio.get_running_loop().create_server(Probe, sock=listener)
        async with server:
            _, writer = await asyncio.open_connection(*listener.getsockname())
            option = await asyncio.wait_for(accepted, 10)
            writer.close()
        return option

    assert listener.proto == socket.IPPROTO_TCP
    assert not listener.getblocking()
    with ThreadPoolExecutor(1) as thread:  # its own thread: the browser tests' Playwright may hold this one's loop
        assert thread.submit(asyncio.run, accepted_nodelay()).result() != 0


def test_the_server_runs_blas_on_one_thread():
    limiter = serve._one_blas_thread()
    try:
        blas = [library for library in threadpool_info() if library["user_api"] == "blas"]
        assert blas and all(library["num_threads"] == 1 for library in blas)  # NumPy's and SciPy's
    finally:
        limiter.restore_original_limits()


def test_the_first_visits_work_is_done_at_start_up():
    from streamlit import delta_generator

    from gmm_core.scenarios import list_scenarios, load_scenario

    serve._warm_up_first_visit()
    assert load_scenario.cache_info().currsize >= len(list_scenarios())  # every preset's data is kept
    serve._warm_up_inspect()
    assert delta_generator._use_warning_has_been_displayed  # no inspect.stack() on the first session's element
