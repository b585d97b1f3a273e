// tooltip.js: the map's own tooltip. Where the upper plane has nothing under the pointer it
// shows what lies underneath (a zone). Values from data are escaped here: the template is
// ours, the values are not.

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escapeHtml = (value) => String(value ?? "").replace(/[&<>"']/g, (c) => ESCAPES[c]);

function showTooltip(map, { object, x, y }) {
  const tip = map.tip;
  if (!object && x >= 0 && map.pickUnder) object = (map.under.pickObject({ x, y, radius: 1 }) || {}).object;
  if (!object || !map.tooltip) {
    hideTooltip(map);
    return;
  }
  const properties = object.properties || {};
  tip.innerHTML = map.tooltip.html.replace(/\{(\w+)\}/g, (_, name) =>
    escapeHtml(name in object ? object[name] : properties[name]));
  Object.assign(tip.style, map.tooltip.style, { display: "block" });
  const room = map.box.clientWidth - tip.offsetWidth - 4;
  tip.style.left = `${Math.max(4, x + 14 > room ? x - tip.offsetWidth - 14 : x + 14)}px`;
  tip.style.top = `${Math.max(4, Math.min(y + 14, map.box.clientHeight - tip.offsetHeight - 4))}px`;
}

// A pan or zoom moves what was under the pointer: the tip waits for the next hover.
function hideTooltip(map) {
  map.tip.style.display = "none";
}
