"""How the app is served: ``gmm_ui.serve``'s connections send small writes at once (or it says why not), the first
visit's one-off work is done at start-up, and BLAS runs on one thread whether the app is started by ``make run``
or by a plain ``streamlit run``.

Whatever depends on a process's first call (a cache, a process-wide limit) is checked in a fresh interpreter:
in this one, earlier tests have done that work already."""

import json
import logging
import os
import subprocess
import sys

import pytest

from gmm_ui import runtime, serve
from tests.browser_support import ROOT

#: Reads the BLAS libraries' thread counts as JSON: {"before": [...], "after": [...]} around the code it is given.
BLAS_PROBE = """
import json, scipy.linalg
from threadpoolctl import threadpool_info
def threads():
    return [library["num_threads"] for library in threadpool_info() if library["user_api"] == "blas"]
before = threads()
{code}
print(json.dumps({{"before": before, "after": threads()}}))
"""


def _run_fresh(code):
    """The standard output of ``code`` run by a fresh interpreter in the repository (BLAS at its own default)."""
    environment = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


def _assert_one_blas_thread(code):
    threads = json.loads(_run_fresh(BLAS_PROBE.format(code=code)))
    assert len(threads["after"]) >= 2 and all(n == 1 for n in threads["after"])  # NumPy's and SciPy's BLAS
    if (os.cpu_count() or 1) > 1:
        assert max(threads["before"]) > 1  # the limit is the app's doing, not the machine's


def test_the_servers_connections_send_small_writes_at_once(monkeypatch):
    """Streamlit's own listening socket has protocol 0, so asyncio leaves Nagle's algorithm on for its connections
    (a 40 ms wait per response on a kept-alive connection); the served app's connections have TCP_NODELAY."""
    import asyncio
    import socket
    from concurrent.futures import ThreadPoolExecutor

    from streamlit.web.server.starlette import starlette_server

    monkeypatch.setattr(starlette_server, "_bind_socket", starlette_server._bind_socket)  # restored after the test
    assert serve._listen_without_nagle()
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


@pytest.mark.parametrize("streamlit_lacks", ["the function", "the module"])
def test_a_streamlit_the_connection_fix_cannot_patch_is_left_as_it_is_and_says_so(monkeypatch, caplog, streamlit_lacks):
    from streamlit.web.server import starlette
    from streamlit.web.server.starlette import starlette_server

    if streamlit_lacks == "the function":
        monkeypatch.delattr(starlette_server, "_bind_socket")
    else:  # importing it raises ImportError
        monkeypatch.delattr(starlette, "starlette_server")
        monkeypatch.setitem(sys.modules, "streamlit.web.server.starlette.starlette_server", None)
    with caplog.at_level(logging.WARNING, logger=serve.__name__):
        assert not serve._listen_without_nagle()
    assert [record.name for record in caplog.records] == [serve.__name__]
    assert "Nagle" in caplog.records[0].getMessage()


def test_the_first_visits_work_is_done_at_start_up():
    counts = _run_fresh(
        "from gmm_core.scenarios import list_scenarios, load_scenario\n"
        "from gmm_ui import serve\n"
        "before = load_scenario.cache_info().currsize\n"
        "serve._warm_up_first_visit()\n"
        "print(before, load_scenario.cache_info().currsize, len(list_scenarios()))\n"
    )
    before, after, presets = map(int, counts.split())
    assert before == 0
    assert after >= presets  # every preset's data is kept


def test_make_run_runs_blas_on_one_thread():
    """``python -m gmm_ui.serve`` up to the point where Streamlit's command line would start the server."""
    _assert_one_blas_thread(
        "from streamlit.web import cli\ncli.main = lambda: None\nfrom gmm_ui import serve\nserve.main([])"
    )


def test_a_plain_streamlit_run_runs_blas_on_one_thread():
    """The app's script as Streamlit runs it (what ``streamlit run streamlit_app.py`` does, without the server)."""
    _assert_one_blas_thread(
        "from streamlit.testing.v1 import AppTest\n"
        "app = AppTest.from_file('streamlit_app.py', default_timeout=120).run()\n"
        "assert not app.exception, app.exception"
    )


@pytest.mark.parametrize(
    "code",
    [
        "from streamlit.web import cli\ncli.main = lambda: None\nfrom gmm_ui import serve\nserve.main([])",
        "from streamlit.testing.v1 import AppTest\n"
        "app = AppTest.from_file('streamlit_app.py', default_timeout=120).run()\n"
        "assert not app.exception, app.exception",
    ],
    ids=["make run", "streamlit run"],
)
def test_the_server_hands_the_interpreter_to_its_event_loop_promptly(code):
    """Both ways of starting the app shorten the switch interval (gmm_ui.runtime.prompt_event_loop): under load,
    the event loop that sends every page's messages waits for a script thread to let go at each message."""
    probe = f"import sys\nbefore = sys.getswitchinterval()\n{code}\nprint(before, sys.getswitchinterval())"
    before, after = map(float, _run_fresh(probe).split())
    assert before == 0.005 and after == pytest.approx(runtime.SWITCH_INTERVAL)  # stored in microseconds
