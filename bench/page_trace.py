"""What a load-benchmark page received and sent, kept to explain a failed session.

A `PageTrace` records a page's websocket messages and, every 100 ms, whether the workspace panel is on
the page and what its boxes hold. `text()` decodes the messages into one line each: a run's start and
end (with its run id and fragments), the blocks and top-level elements drawn (with their delta path),
every alert and exception, and which panel widgets each rerun request carried and which button it
clicked. That tells a page that dropped what its server drew from a server that did not draw it.
"""

from __future__ import annotations

import time

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

FINISHED = {0: "finished", 1: "compile error", 2: "stopped for a rerun", 3: "fragment finished"}
PANEL_WIDGETS = ("workspace_panel", "workspace_tab", "workspace_author", "movement_origin_point",
                 "movement_destination_point", "movement_source")
_PANEL_LOG = """
(() => { window.__panelLog = []; let last = null;
  setInterval(() => {
    const panel = [...document.querySelectorAll('details')].find(d => d.textContent.includes(%r));
    const boxes = panel ? [...panel.querySelectorAll('input[type=text], textarea')]
      .map(box => `${box.getAttribute('aria-label')}=${box.value}`).join(' | ') : '';
    const state = `${panel ? (panel.open ? 'panel open' : 'panel closed') : 'panel absent'} ${boxes}`;
    if (state !== last) { last = state; window.__panelLog.push(`${new Date().toISOString().slice(11, 22)} ${state}`); }
  }, 100);
})();
"""


def _run(msg: ForwardMsg) -> str:
    run = msg.metadata.run
    fragments = f" fragments {','.join(f[:6] for f in run.fragment_ids)}" if run.fragment_ids else ""
    return f"run {run.script_run_id[:6]}{fragments}"


def received(data: bytes) -> str | None:
    """One ForwardMsg in a line, or None for what does not bear on what the page shows."""
    msg = ForwardMsg()
    msg.ParseFromString(data)
    kind = msg.WhichOneof("type")
    if kind == "new_session":
        return f"start {_run(msg)}"
    if kind == "script_finished":
        return f"{FINISHED.get(msg.script_finished, msg.script_finished)} {_run(msg)}"
    if kind == "ref_hash":
        return f"reference to a cached message {msg.ref_hash[:8]}"
    if kind != "delta":
        return None
    path, delta = list(msg.metadata.delta_path), msg.delta
    fragment = f" fragment {delta.fragment_id[:6]}" if delta.fragment_id else ""
    if delta.WhichOneof("type") == "add_block":
        block = delta.add_block.WhichOneof("type")
        label = f" {delta.add_block.expandable.label[:40]!r}" if block == "expandable" else ""
        return f"block {path} {block}{label}{fragment}" if len(path) <= 3 or label else None
    element = delta.new_element.WhichOneof("type") if delta.WhichOneof("type") == "new_element" else None
    if element in ("alert", "exception"):
        body = getattr(delta.new_element, element)
        said = body.body if element == "alert" else f"{body.type}: {body.message}"
        return f"{element} {path} {said[:200]!r}{fragment}"
    return f"element {path} {element}{fragment}" if len(path) <= 2 else None


def sent(data: bytes) -> str | None:
    """A rerun request in a line: which fragment, and which of the panel's widgets it carried."""
    msg = BackMsg()
    msg.ParseFromString(data)
    if msg.WhichOneof("type") != "rerun_script":
        return None
    rerun = msg.rerun_script
    widgets = rerun.widget_states.widgets
    carried = [name for name in PANEL_WIDGETS if any(name in widget.id for widget in widgets)]
    # A click (a button, a form's submit) counts for the one run this request starts.
    clicked = [widget.id.split("-", 2)[-1] for widget in widgets
               if widget.WhichOneof("value") == "trigger_value" and widget.trigger_value]
    scope = f"fragment {rerun.fragment_id[:6]}" if rerun.fragment_id else "whole page"
    return f"rerun request, {scope}{', on a timer' if rerun.is_auto_rerun else ''}: {len(widgets)} widget states, " \
           f"panel's: {', '.join(carried) or 'none'}" + (f"; clicked: {', '.join(clicked)}" if clicked else "")


class PageTrace:
    def __init__(self, panel_title: str):
        self.panel_title = panel_title
        self.messages: list[tuple[float, bool, bytes]] = []  # (time, received, payload)

    async def attach(self, page) -> None:
        def on_websocket(socket):
            socket.on("framereceived", lambda payload: self.messages.append((time.time(), True, payload)))
            socket.on("framesent", lambda payload: self.messages.append((time.time(), False, payload)))

        page.on("websocket", on_websocket)
        await page.add_init_script(_PANEL_LOG % self.panel_title)

    def timeline(self) -> str:
        lines = []
        for at, inbound, payload in self.messages:
            line = (received if inbound else sent)(payload) if isinstance(payload, bytes) else None
            if line:
                stamp = time.strftime("%H:%M:%S", time.gmtime(at)) + f".{int(at * 10) % 10}"
                lines.append(f"{stamp} {'<' if inbound else '>'} {line}")
        return "\n".join(lines)

    async def text(self, page) -> str:
        try:
            panel = "\n".join(await page.evaluate("window.__panelLog || []"))
        except Exception as err:  # the page no longer answers
            panel = f"unknown: {type(err).__name__}"
        return f"The workspace panel on the page (UTC):\n{panel}\n\nMessages (UTC):\n{self.timeline()}\n"
