"""Serve the app from several processes behind Debian's nginx, one address for all (``make serve WORKERS=2``).

One Streamlit process runs every session's script on one interpreter: past a class of a few dozen students, or
beside one heavy fit, the page waits for the GIL. This starts ``workers`` processes of ``python -m gmm_ui.serve``,
each on its own loopback port, and nginx in front of them on ``port``:

- **Sticky sessions by cookie.** A Streamlit session lives in one process (its websocket, its uploads, its media),
  so every request of one browser must reach the same worker. nginx's ``hash`` over a cookie does it: a browser
  without the cookie gets one made of nginx's request id and keeps it (``ip_hash`` would send a whole class behind
  one school router to one worker).
- **Websockets proxied** (``Upgrade``/``Connection`` headers, long read timeouts) and uploads passed as they come.
- Each response names its worker in ``X-GMM-Worker``, for the tests and the load benchmark.

nginx runs in the foreground with its configuration, logs and temporary files in a scratch folder; stopping this
(Ctrl-C or SIGTERM) stops nginx and the workers.

    python -m gmm_ui.proxy [--workers 2] [--port 8501] [--address 0.0.0.0]
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COOKIE = "gmm_worker"

CONFIG = """
worker_processes 1;
pid {scratch}/nginx.pid;
error_log {scratch}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {scratch}/body;
    proxy_temp_path {scratch}/proxy;
    fastcgi_temp_path {scratch}/fastcgi;
    uwsgi_temp_path {scratch}/uwsgi;
    scgi_temp_path {scratch}/scgi;
    client_max_body_size {max_body_mb}m;
    map $cookie_{cookie} $gmm_worker_key {{
        "" $request_id;
        default $cookie_{cookie};
    }}
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        "" close;
    }}
    upstream gmm_workers {{
        hash $gmm_worker_key consistent;
{servers}
    }}
    server {{
        listen {address}:{port};
        location / {{
            proxy_pass http://gmm_workers;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_read_timeout 1d;
            proxy_send_timeout 1d;
            proxy_buffering off;
            proxy_request_buffering off;
            add_header Set-Cookie "{cookie}=$gmm_worker_key; Path=/; HttpOnly; SameSite=Lax" always;
            add_header X-GMM-Worker $upstream_addr always;
        }}
    }}
}}
"""


def nginx_config(scratch, address, port, worker_ports, max_body_mb=60):
    """nginx's configuration for workers on ``worker_ports`` (loopback) behind ``address``:``port``."""
    servers = "\n".join(f"        server 127.0.0.1:{worker};" for worker in worker_ports)
    return CONFIG.format(
        scratch=scratch, address=address, port=port, servers=servers, cookie=COOKIE, max_body_mb=max_body_mb
    )


def free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    try:
        for probe in sockets:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in sockets]
    finally:
        for probe in sockets:
            probe.close()


def nginx_binary():
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        raise SystemExit("nginx is not installed: run scripts/ensure_nginx.sh (make serve does).")
    return found


def _wait_healthy(url, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return True
        time.sleep(0.2)
    return False


@contextlib.contextmanager
def serving(workers=2, port=None, address="127.0.0.1", options=(), quiet=False):
    """Workers and nginx in front of them; yields the proxy's URL and the workers' processes. Stops all on exit.
    With ``quiet``, the workers' output is discarded (a benchmark's tables stay readable)."""
    port = port or free_ports(1)[0]
    worker_ports = free_ports(workers)
    scratch = Path(tempfile.mkdtemp(prefix="gmm-proxy-"))
    processes = []
    try:
        for worker_port in worker_ports:
            command = [sys.executable, "-m", "gmm_ui.serve", "--server.address", "127.0.0.1"]
            command += ["--server.port", str(worker_port), *options]
            output = subprocess.DEVNULL if quiet else None
            processes.append(subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=output, start_new_session=True))
        for worker_port in worker_ports:
            if not _wait_healthy(f"http://127.0.0.1:{worker_port}"):
                raise RuntimeError(f"the worker on port {worker_port} did not start")
        config = scratch / "nginx.conf"
        config.write_text(nginx_config(scratch, address, port, worker_ports))
        nginx = subprocess.Popen([nginx_binary(), "-c", str(config), "-p", str(scratch), "-g", "daemon off;"])
        processes.append(nginx)
        host = "127.0.0.1" if address in ("0.0.0.0", "::") else address
        url = f"http://{host}:{port}"
        if not _wait_healthy(url, 30):
            raise RuntimeError(f"nginx did not start (see {scratch / 'error.log'})")
        yield url, processes[:-1]
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in reversed(processes):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(scratch, ignore_errors=True)


def main(arguments):
    parser = argparse.ArgumentParser(prog="python -m gmm_ui.proxy", description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8501)
    parser.add_argument("--address", default="0.0.0.0", help="where nginx listens (the workers: loopback only)")
    options = parser.parse_args(arguments)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with serving(options.workers, options.port, options.address) as (url, _):
        print(f"GMM Explorer: {options.workers} workers behind nginx at {url}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()


if __name__ == "__main__":
    main(sys.argv[1:])
