// camera.js: one camera for the map's two planes and for maps linked in a group; a camera the
// server does not know yet is reported once it settles.

const CAMERA_SETTLE_MS = 400;
const groups = new Map(); // link group id -> Set of live maps

function setCamera(map, viewState) {
  map.camera = viewState;
  map.under.setProps({ viewState });
  map.over.setProps({ viewState });
}

// Maps given the same `link.group` move together (side-by-side maps with one camera): a pan
// or zoom on one is applied to the others, and only the map with `link.reports` reports it.
function joinGroup(map, link) {
  const group = link ? link.group : null;
  if (map.link && map.link.group !== group) groups.get(map.link.group)?.delete(map);
  map.link = link || null;
  if (!group) return;
  if (!groups.has(group)) groups.set(group, new Set());
  groups.get(group).add(map);
}

// The analyst moved `map`: its group follows, and the reporter reports once the camera settles.
function cameraMoved(map, viewState) {
  hideTooltip(map);
  setCamera(map, viewState);
  const reporter = moveLinked(map, viewState);
  if (reporter) {
    clearTimeout(reporter.settle);
    reporter.settle = setTimeout(() => reportCamera(reporter), CAMERA_SETTLE_MS);
  }
}

// The map that reports the camera after `map` moved: itself when unlinked, else its group's reporter.
function moveLinked(map, viewState) {
  if (!map.link) return map;
  let reporter = null;
  for (const other of groups.get(map.link.group) || []) {
    if (other !== map) setCamera(other, viewState);
    if (other.link.reports) reporter = other;
  }
  return reporter;
}

const rounded = ({ latitude, longitude, zoom }) => ({
  latitude: Number(latitude.toFixed(4)), longitude: Number(longitude.toFixed(4)), zoom: Number(zoom.toFixed(2)),
});

// Each report is a rerun. The map's width goes with it, so that names are placed for the map
// the analyst sees. Until an element adopts it, a map cannot report (the early map).
function reportCamera(map) {
  const camera = { ...rounded(map.camera), width: map.box.clientWidth };
  const text = JSON.stringify(camera);
  if (text === map.cameraKnown || !map.setStateValue) return;
  map.cameraKnown = text;
  map.setStateValue("camera", camera);
}

// The server's camera, applied only when it is a new one (a link, "Fit all bases").
function applyCamera(map, camera) {
  if (camera.key === map.cameraKey) return;
  map.cameraKey = camera.key;
  map.cameraKnown = JSON.stringify(rounded(camera));
  setCamera(map, { latitude: camera.latitude, longitude: camera.longitude, zoom: camera.zoom,
    pitch: 0, bearing: 0, minZoom: camera.min_zoom, maxZoom: camera.max_zoom });
}
