"""A class on the server (issue 21): concurrent sessions each get their own chart, and several server processes
behind nginx (``make serve``) serve sessions from every worker, each browser always from the same one.

The sessions speak Streamlit's websocket protocol as a page does (see bench/load.py), without a browser."""

from __future__ import annotations

import asyncio
import concurrent.futures
import subprocess

import pytest

from bench import load
from gmm_ui import proxy
from tests.browser_support import ROOT

TIMEOUT_SECONDS = 180


async def _session(url, query="", cookie=None):
    """One page's first run: (worker that answered, cookie set, element types drawn, exception messages)."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    headers = {"Cookie": f"{proxy.COOKIE}={cookie}"} if cookie else {}
    stream = url.replace("http://", "ws://") + "/_stcore/stream"
    async with websockets.connect(
        stream, subprotocols=["streamlit"], additional_headers=headers, max_size=None, open_timeout=60
    ) as websocket:
        worker = websocket.response.headers.get("X-GMM-Worker")
        set_cookie = websocket.response.headers.get("Set-Cookie", "")
        first = BackMsg()
        first.rerun_script.query_string = query
        await websocket.send(first.SerializeToString())
        elements, exceptions = [], []
        while True:
            message = ForwardMsg()
            message.ParseFromString(await asyncio.wait_for(websocket.recv(), TIMEOUT_SECONDS))
            kind = message.WhichOneof("type")
            if kind == "script_finished":
                break
            if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                element = message.delta.new_element
                elements.append(element.WhichOneof("type"))
                if elements[-1] == "exception":
                    exceptions.append(element.exception.message)
    cookie_value = set_cookie.split(";")[0].partition("=")[2] if set_cookie.startswith(proxy.COOKIE) else None
    return worker, cookie_value, elements, exceptions


def _run(coroutine):
    """Run ``coroutine`` on an event loop of its own, in a thread: in the same pytest process the browser tests'
    Playwright (its sync API) keeps an event loop running on the main thread, where asyncio.run refuses to start."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="module")
def nginx():
    """Debian's nginx, installed the way make test installs chromium when it is missing."""
    subprocess.run(["bash", str(ROOT / "scripts" / "ensure_nginx.sh")], check=True)


def test_five_concurrent_sessions_each_get_their_own_chart_and_no_exception():
    queries = [f"data=S1&k={k}" for k in range(2, 7)]
    with proxy.serving(workers=1) as (url, _):

        async def five():
            return await asyncio.gather(*(_session(url, query) for query in queries))

        sessions = _run(five())
    for query, (_, _, elements, exceptions) in zip(queries, sessions):
        assert not exceptions, (query, exceptions)
        assert "plotly_chart" in elements, query


@pytest.mark.proxy
def test_the_proxy_serves_sessions_from_two_workers_and_keeps_each_browser_on_one(nginx):
    with proxy.serving(workers=2) as (url, workers):
        assert len(workers) == 2
        seen = {}  # worker -> the cookie of a session it served
        for _ in range(24):  # a new browser lands on either worker; 24 misses in a row: 1 in 16 million
            worker, cookie, elements, exceptions = _run(_session(url))
            assert not exceptions and "plotly_chart" in elements
            assert worker and cookie
            seen.setdefault(worker, cookie)
            if len(seen) == 2:
                break
        assert len(seen) == 2, f"every session went to {list(seen)}"
        for worker, cookie in seen.items():
            again = {_run(_session(url, cookie=cookie))[0] for _ in range(3)}
            assert again == {worker}, f"a browser with the cookie of {worker} reached {again}"


async def _first_drawn(websocket):
    """The first ForwardMsg of a run that draws an element (bench.load.draws_element)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    while True:
        message = ForwardMsg()
        message.ParseFromString(await asyncio.wait_for(websocket.recv(), TIMEOUT_SECONDS))
        if load.draws_element(message):
            return message.delta.new_element


async def _rest_of_run(websocket):
    """The element types a run draws until it finishes, and its exceptions' messages."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    elements, exceptions = [], []
    while True:
        message = ForwardMsg()
        message.ParseFromString(await asyncio.wait_for(websocket.recv(), TIMEOUT_SECONDS))
        if message.WhichOneof("type") == "script_finished":
            return elements, exceptions
        if load.draws_element(message):
            elements.append(message.delta.new_element.WhichOneof("type"))
            if elements[-1] == "exception":
                exceptions.append(message.delta.new_element.exception.message)


def test_with_one_turn_held_by_a_long_run_a_second_session_gets_its_first_element_and_the_waiting_line(monkeypatch):
    """gmm_ui.turns with one turn: a heavy session holds it; another still gets an element at once, the line saying
    how many are ahead; once the heavy session leaves (Streamlit stops its run), the other gets its turn and its
    chart. Functional: nothing is timed (the heavy fit takes minutes, far longer than this test waits)."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg

    monkeypatch.setenv("GMM_TURNS", "1")  # read by the server's gmm_ui.turns

    def opened(url):
        return websockets.connect(
            url.replace("http://", "ws://") + "/_stcore/stream", subprotocols=["streamlit"], max_size=None
        )

    def first_run(query):
        message = BackMsg()
        message.rerun_script.query_string = query
        return message.SerializeToString()

    async def scenario(url):
        async with opened(url) as heavy, opened(url) as other:
            await heavy.send(first_run(load.HEAVY_LINK))
            heavy_first = await _first_drawn(heavy)  # drawn once its run has the turn: nobody else waits
            await other.send(first_run("data=S1"))
            other_first = await _first_drawn(other)
            await heavy.close()  # its run stops at its next element, and gives the turn back
            rest = await _rest_of_run(other)
        return heavy_first, other_first, rest

    with load.served() as (url, _):
        heavy_first, other_first, (elements, exceptions) = _run(scenario(url))
    assert heavy_first.WhichOneof("type") != "alert"
    assert other_first.WhichOneof("type") == "alert", other_first
    assert "1 person ahead of you" in other_first.alert.body
    assert not exceptions
    assert "plotly_chart" in elements
