"""New-session benchmark: what a dashboard process spends on each browser session that opens it.

    python bench/session_cost.py [--sessions 10] [--runs 3]

Opens sessions one after another over Streamlit's websocket, as a page does, each until its first run
has ended, on the bundled scenario: the dashboard as configured (`.streamlit/config.toml`, no source
watching) and, in the same run, the same dashboard with Streamlit's default source watcher as the
reference. Prints, for each, the median over `--runs` runs of the server's CPU per session and of the
time from the page's first request to the end of its first run, and the ratio of the two. A server whose
sessions cost less keeps its event loop, which every page's connection goes through, free for them.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import Server, dashboard  # noqa: E402

WATCHING = {"STREAMLIT_SERVER_FILE_WATCHER_TYPE": "auto"}  # Streamlit's default


async def first_run(url: str) -> float:
    """Open a session and return the seconds until its first run has ended."""
    async with websockets.connect(url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"],
                                  max_size=None) as socket:
        request = BackMsg()
        request.rerun_script.query_string = ""
        started = time.monotonic()
        await socket.send(request.SerializeToString())
        while True:
            message = ForwardMsg()
            message.ParseFromString(await socket.recv())
            if message.WhichOneof("type") == "script_finished":
                return time.monotonic() - started


def per_session(server: Server, sessions: int) -> tuple[float, float]:
    """Server CPU seconds per session and the median first run, over `sessions` sessions opened in turn."""
    cpu = server.cpu_seconds()
    runs = [asyncio.run(first_run(server.url)) for _ in range(sessions)]
    return (server.cpu_seconds() - cpu) / sessions, statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    figures: dict[str, list[tuple[float, float]]] = {"as configured": [], "with source watching": []}
    with dashboard() as configured, dashboard(env=WATCHING) as watching:
        for server in (configured, watching):
            asyncio.run(first_run(server.url))  # the first session loads the scenario for all
        for _ in range(args.runs):
            figures["as configured"].append(per_session(configured, args.sessions))
            figures["with source watching"].append(per_session(watching, args.sessions))
    print(f"Footprint new-session benchmark: {args.sessions} sessions in turn, median of {args.runs} runs")
    medians = {}
    for label, runs in figures.items():
        cpu, wall = statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)
        medians[label] = cpu
        print(f"  {label:<22} server CPU {cpu * 1000:6.0f} ms per session, first run {wall * 1000:6.0f} ms")
    print(f"  ratio, CPU per session as configured / with source watching: "
          f"{medians['as configured'] / medians['with source watching']:.2f}")


if __name__ == "__main__":
    main()
