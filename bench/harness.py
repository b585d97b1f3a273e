"""Start a Streamlit app on a free port and drive it in Debian's headless Chromium.

Used by the browser tests and the benchmarks, so both measure the same way.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("FOOTPRINT_CHROMIUM", "/usr/bin/chromium")
# Software WebGL and no background traffic: the machines have no GPU and no internet.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--use-angle=swiftshader",
                 "--enable-unsafe-swiftshader", "--disable-component-update", "--no-first-run"]
# The canvases of Footprint's own map element, or of st.pydeck_chart (the naive reference app).
MAP_CANVAS = "div.footprint-map canvas, [data-testid=stDeckGlJsonChart] canvas"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    started: float  # time.monotonic() when the command was launched

    def resident_mb(self) -> tuple[float, float]:
        """Resident memory now and at its peak, in MB."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        values = {line.split(":")[0]: int(line.split()[1]) for line in status.splitlines()
                  if line.startswith(("VmRSS", "VmHWM"))}
        return values["VmRSS"] / 1024, values["VmHWM"] / 1024

    def cpu_seconds(self) -> float:
        """CPU time the server process has used so far (user and system)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def serve(app: Path = ROOT / "dashboard.py", data: Path | None = None, env: dict | None = None,
          timeout: float = 120, root: Path = ROOT):
    """A Streamlit app served on localhost, run from the checkout at `root`."""
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true"]
    if data is not None:
        command += ["--", "--data", str(data)]
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env={**os.environ, **(env or {})})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = started + timeout
        while True:
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"app did not start: {process.stderr.read().decode()[-2000:]}")
                time.sleep(0.1)
        yield Server(url, process, started)
    finally:
        process.terminate()
        process.wait(timeout=20)


def dashboard(data: Path | None = None, root: Path = ROOT, **kwargs):
    """Footprint's dashboard; `root` may be another checkout, to measure an earlier version the same way."""
    return serve(root / "dashboard.py", data, root=root, **kwargs)


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def wait_for_map(page, timeout_ms: int = 120_000) -> None:
    """Until the deck canvas exists, the script has finished and a frame is drawn."""
    page.wait_for_selector(MAP_CANVAS, timeout=timeout_ms)
    wait_idle(page, timeout_ms)


FRAME_DRAWN = f"""() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(() => {{
    const canvases = document.querySelectorAll('{MAP_CANVAS}');
    const canvas = canvases[canvases.length - 1];  // Footprint's upper plane holds the arcs
    const gl = canvas && (canvas.getContext('webgl2') || canvas.getContext('webgl'));
    // readPixels returns only when the GPU (here SwiftShader) has finished the frame.
    if (gl) gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
    resolve(Boolean(gl));
}})))"""


# Footprint's map marks the window it shows; the naive app's map has no such mark.
SHOWS_URL_WINDOW = """() => {
    const map = document.querySelector('div.footprint-map');
    const query = new URLSearchParams(location.search);
    return !map || map.dataset.window === `${query.get('from')}/${query.get('to')}`;
}"""
# Every map's planes have drawn the layers they were last given, with all those load (tiles, icons).
PLANES_DRAWN = ("() => [...document.querySelectorAll('div.footprint-map')]"
                ".every((map) => map.dataset.under !== 'drawing' && map.dataset.over !== 'drawing')")


def wait_drawn(page, timeout_ms: int = 120_000) -> None:
    """Until the map shows the URL's window and that frame is drawn; the page may still be running."""
    page.wait_for_function(SHOWS_URL_WINDOW, timeout=timeout_ms)
    page.wait_for_function(PLANES_DRAWN, timeout=timeout_ms)
    page.evaluate(FRAME_DRAWN)


def wait_idle(page, timeout_ms: int = 120_000) -> None:
    """Until the script has finished, the map shows the URL's window and that frame is drawn."""
    page.wait_for_function(
        "() => { const s = document.querySelector('[data-testid=stStatusWidget]');"
        " return !s || !s.innerText.includes('Running'); }", timeout=timeout_ms)
    wait_drawn(page, timeout_ms)


@dataclass
class WireCounter:
    """Bytes the browser receives over Streamlit's websocket, after decompression."""

    received: int = 0

    def attach(self, page) -> None:
        page.on("websocket", lambda socket_: socket_.on("framereceived", self._count))

    def _count(self, payload) -> None:
        self.received += len(payload) if payload is not None else 0


class CountingProxy:
    """A loopback TCP proxy in front of the server that counts the bytes it sends back.

    The browser only reports websocket frames after decompression; this counts what
    actually crossed the wire, compression included.
    """

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.sent = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            threading.Thread(target=self._pump, args=(client, upstream, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, True), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, count: bool) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
                if count:
                    with self._lock:
                        self.sent += len(chunk)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._listener.close()
