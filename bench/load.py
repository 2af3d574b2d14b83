"""`python -m bench load`: a class of students on one server, through Streamlit's own websocket protocol.

Each simulated student is what a browser's page does on the wire, without the browser: it opens the websocket
(``/_stcore/stream``), asks for the first run of the script (a ``BackMsg`` with the page's link as its query string)
and reads the server's ``ForwardMsg``s until ``script_finished``: that is its *first page*. Its *first element* is
the first ``ForwardMsg`` that draws something on the page: a ``delta`` carrying a ``new_element`` of any type but
``empty`` (``st.empty()``, a placeholder, draws nothing; ``add_block`` deltas, containers, sidebars and tabs, draw
nothing by themselves; ``new_session``, ``page_config_changed`` and the like are not deltas). Both are timed from
the moment the student starts opening the websocket, so they include the connection. It then changes a few
settings, one at a time, each a ``rerun_script`` carrying the new widget value (widget ids read from the elements the
first run sent): each until ``script_finished`` is a *change*. Drawing the charts in a browser is not included
(bench/app.py times that): these are the server's times, which is what a class shares.

Students arrive all at once or spread evenly over 60 s. The server's memory (RSS) is read from /proc before they
come, every 0.1 s while they work (peak) and 5 s after the last has left (held); its CPU time (user + system, all
threads, every worker) divided by the number of students is the CPU per student. A row "one heavy" opens one
K = 200 session on 600,000 generated points beside 10 students at once. Rows "2 workers" serve this tree from two
processes behind nginx (``gmm_ui.proxy``, as ``make serve WORKERS=2``). With ``--against COMMIT`` the one-process
rows are also measured on the app of that commit, served the same way, alternately; nothing is asserted.

    python -m bench load [--against COMMIT] [--students 1,10,20,40] [--rows REGEX]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPREAD_SECONDS = 60
HEAVY_LINK = "data=generated&clusters=12&points=50000&k=200&max_iter=20"
#: The changes each student makes, in turn: (widget key, field of the widget's state, value).
CHANGES = (
    ("n_components", "int_value", 4),
    ("covariance_type", "string_value", "diag"),
    ("n_components", "int_value", 2),
)
TIMEOUT_SECONDS = 600


@contextlib.contextmanager
def served(root=ROOT, extra=()):
    """The app of the tree at ``root`` served as ``make run`` serves it (its own .streamlit/config.toml, no
    command-line overrides besides the address), on a free loopback port; yields (url, process)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "gmm_ui.serve", "--server.address", "127.0.0.1", "--server.port", str(port)]
    process = subprocess.Popen(
        [*command, *extra], cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                    break
            time.sleep(0.2)
        yield url, [process.pid]
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextlib.contextmanager
def served_by_proxy(workers):
    """This tree's app from ``workers`` processes behind nginx (gmm_ui.proxy); yields (url, the workers' pids)."""
    from gmm_ui import proxy

    subprocess.run(["bash", str(ROOT / "scripts" / "ensure_nginx.sh")], check=True)
    with proxy.serving(workers, quiet=True) as (url, processes):
        yield url, [process.pid for process in processes]


def with_children(pids):
    """Processes ``pids`` and their descendants (a server's worker processes for heavy fits, gmm_ui.workers)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError):
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
    found = list(pids)
    for pid in found:
        found += [child for child, parent in parents.items() if parent == pid and child not in found]
    return found


def rss_mb(pids):
    """The resident memory of processes ``pids`` together (their descendants too), in MB."""
    total = 0.0
    for pid in with_children(pids):
        with open(f"/proc/{pid}/status") as status:
            total += next((int(line.split()[1]) / 1024 for line in status if line.startswith("VmRSS")), 0.0)
    return total


def cpu_seconds(pids):
    total = 0.0
    for pid in with_children(pids):
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


class _Sampler(threading.Thread):
    """The largest RSS of processes (together), read every 0.1 s until stopped."""

    def __init__(self, pids):
        super().__init__(daemon=True)
        self.pids, self.peak, self.done = pids, rss_mb(pids), threading.Event()

    def run(self):
        while not self.done.wait(0.1):
            with contextlib.suppress(OSError, StopIteration):
                self.peak = max(self.peak, rss_mb(self.pids))


def draws_element(message):
    """Whether a ForwardMsg draws something on the page: a delta with a new element that is not an empty placeholder
    (the *first element* of the module's docstring)."""
    if message.WhichOneof("type") != "delta" or message.delta.WhichOneof("type") != "new_element":
        return False
    return message.delta.new_element.WhichOneof("type") not in (None, "empty")


async def _until_finished(websocket, widget_ids=None, on_element=None):
    """Read ForwardMsgs until the script run ends; collect widget ids (by key) from the elements it sends; call
    ``on_element()`` on the first message that draws an element (see :func:`draws_element`)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    while True:
        message = ForwardMsg()
        message.ParseFromString(await websocket.recv())
        kind = message.WhichOneof("type")
        if kind == "script_finished":
            return message
        if on_element is not None and draws_element(message):
            on_element()
            on_element = None
        if widget_ids is not None and kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            element = message.delta.new_element
            inner = getattr(element, element.WhichOneof("type"))
            widget_id = getattr(inner, "id", "")
            if widget_id.startswith("$$ID-"):
                widget_ids[widget_id.rsplit("-", 1)[1]] = widget_id
        if kind == "new_session" and widget_ids is not None:
            widget_ids[""] = message.new_session.page_script_hash


async def student(url, query="", changes=CHANGES, delay=0.0):
    """One student's page: seconds to the first element, to the first page, and to each change."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg

    await asyncio.sleep(delay)
    stream = url.replace("http://", "ws://") + "/_stcore/stream"
    started = time.perf_counter()
    async with websockets.connect(stream, subprotocols=["streamlit"], max_size=None, open_timeout=120) as websocket:
        first = BackMsg()
        first.rerun_script.query_string = query
        await websocket.send(first.SerializeToString())
        widget_ids, first_element = {}, []
        await _until_finished(websocket, widget_ids, lambda: first_element.append(time.perf_counter() - started))
        first_page = time.perf_counter() - started
        change_times = []
        for key, field, value in changes:
            if key not in widget_ids:
                continue
            change = BackMsg()
            change.rerun_script.query_string = query
            change.rerun_script.page_script_hash = widget_ids.get("", "")
            state = change.rerun_script.widget_states.widgets.add()
            state.id = widget_ids[key]
            setattr(state, field, value)
            started = time.perf_counter()
            await websocket.send(change.SerializeToString())
            await _until_finished(websocket)
            change_times.append(time.perf_counter() - started)
    return (first_element or [float("nan")])[0], first_page, change_times


async def _class(url, n_students, spread, heavy):
    delays = [spread * i / n_students for i in range(n_students)] if spread else [0.0] * n_students
    tasks = [student(url, delay=delay) for delay in delays]
    if heavy:
        tasks.insert(0, student(url, HEAVY_LINK, changes=()))
    results = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), TIMEOUT_SECONDS)
    if heavy:
        results = results[1:]
    return [result for result in results if not isinstance(result, BaseException)], sum(
        isinstance(result, BaseException) for result in results
    )


def measure(url, pids, n_students, spread=0, heavy=False):
    """One row: first element, first page and change times (median, p95, worst), RSS before/peak/held, CPU per
    student (of the server processes ``pids`` together)."""
    for _ in pids:  # each worker's first visitor (with several, most likely), not timed: every tree has one
        asyncio.run(student(url, changes=()))
    before, cpu_before = rss_mb(pids), cpu_seconds(pids)
    sampler = _Sampler(pids)
    sampler.start()
    results, failures = asyncio.run(_class(url, n_students, spread, heavy))
    cpu = cpu_seconds(pids) - cpu_before
    time.sleep(5)
    sampler.done.set()
    sampler.join()
    elements = sorted(element for element, _, _ in results)
    firsts = sorted(first for _, first, _ in results)
    changes = sorted(change for _, _, times in results for change in times)
    return {
        "element median": _quantile(elements, 0.5),
        "element p95": _quantile(elements, 0.95),
        "element worst": elements[-1] if elements else float("nan"),
        "first median": _quantile(firsts, 0.5),
        "first p95": _quantile(firsts, 0.95),
        "first worst": firsts[-1] if firsts else float("nan"),
        "change median": _quantile(changes, 0.5),
        "change p95": _quantile(changes, 0.95),
        "RSS before": before,
        "RSS peak": sampler.peak,
        "RSS held": rss_mb(pids),
        "CPU/student": cpu / max(n_students, 1),
        "failed": failures,
    }


def _quantile(values, q):
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1] if len(values) > 1 else values[0]


def rows(student_counts):
    """(name, students, spread over seconds, beside one heavy session, worker processes) of each row."""
    counts = list(student_counts)
    most = max(counts)
    return [(f"{n} at once", n, 0, False, 1) for n in counts] + [
        (f"{most} over {SPREAD_SECONDS} s", most, SPREAD_SECONDS, False, 1),
        ("10 at once beside one heavy", 10, 0, True, 1),
        (f"{most} at once, 2 workers", most, 0, False, 2),
        (f"{most} over {SPREAD_SECONDS} s, 2 workers", most, SPREAD_SECONDS, False, 2),
        ("10 at once beside one heavy, 2 workers", 10, 0, True, 2),
    ]


@contextlib.contextmanager
def _tree(ref):
    if ref is None:
        yield ROOT
        return
    from bench.app import reference_tree

    with reference_tree(ref) as folder:
        yield folder


def main(arguments=()):
    parser = argparse.ArgumentParser(prog="python -m bench load", description=__doc__.split("\n")[0])
    parser.add_argument("--against", metavar="COMMIT", help="also measure the app at this commit, row by row")
    parser.add_argument("--students", default="1,10,20,40", help="class sizes arriving at once (comma-separated)")
    parser.add_argument("--rows", metavar="REGEX", default="", help="only the rows whose name matches (re.search)")
    options = parser.parse_args(arguments)
    trees = [("this tree", None)] + ([(options.against, options.against)] if options.against else [])
    table = []
    with contextlib.ExitStack() as stack:
        roots = {label: stack.enter_context(_tree(ref)) for label, ref in trees}
        for name, n_students, spread, heavy, workers in rows(int(n) for n in options.students.split(",")):
            if not re.search(options.rows, name):
                continue
            for label, _ in trees:  # alternately, on a fresh server each: the machine's speed drifts
                if workers > 1 and label != "this tree":
                    continue  # only this tree has gmm_ui.proxy
                print(f"{name}: {label}", file=sys.stderr, flush=True)
                server = served(roots[label]) if workers == 1 else served_by_proxy(workers)
                with server as (url, pids):
                    table.append((name, label, measure(url, pids, n_students, spread, heavy)))
    columns = list(table[0][2])
    print(f"\n# Load: students through Streamlit's websocket protocol ({os.cpu_count()} cores)\n")
    print("| row | tree | " + " | ".join(columns) + " |")
    print("|---|---|" + "---:|" * len(columns))
    for name, label, values in table:
        cells = [f"{values[c]:.0f}" if c.startswith("RSS") or c == "failed" else f"{values[c]:.2f}" for c in columns]
        print(f"| {name} | {label} | " + " | ".join(cells) + " |")
    print(
        "\nTimes in seconds (element: to the first delta that draws an element; first page and change: until the "
        "server's script_finished), RSS in MB, CPU in s."
    )


if __name__ == "__main__":
    main(sys.argv[1:])
