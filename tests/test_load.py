"""A class on the server (issue 21): concurrent sessions each get their own chart, and several server processes
behind nginx (``make serve``) serve sessions from every worker, each browser always from the same one.

The sessions speak Streamlit's websocket protocol as a page does (see bench/load.py), without a browser."""

from __future__ import annotations

import asyncio
import concurrent.futures
import subprocess

import pytest

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
