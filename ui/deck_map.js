// Footprint's map: deck.gl that lives across reruns.
//
// Python sends every layer with a digest of its JSON; a layer whose digest the map
// already holds keeps its deck.gl layer, so a slider step uploads only what
// changed (the arcs) to the GPU. The map reports the camera after a pan or zoom,
// clicks on bases, and plays prepared frames without a server round trip.

const maps = new WeakMap(); // component root -> live map
const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const CAMERA_SETTLE_MS = 400;
const ASK_AGAIN_MS = 4000; // a request for frames that got no answer is sent again
const LAYER_CACHE_SIZE = 48;
const PICKING_RADIUS = 4; // pixels: a 1.5-pixel arc can be hovered without a steady hand
const NO_WEBGL = "The map cannot be drawn here: this browser has WebGL turned off.";
let bundle = null;

function loadDeck(url) {
  if (window.deck && window.deck.Deck) return Promise.resolve(window.deck);
  if (!bundle) {
    bundle = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = url;
      script.onload = () => resolve(window.deck);
      script.onerror = () => {
        bundle = null;
        reject(new Error(`The map library did not load from ${url}`));
      };
      document.head.appendChild(script);
    });
  }
  return bundle;
}

// The basemap's tile index by URL, fetched and decoded once per page. The first script run asks
// for it before its slow part, so it arrives while the server is still busy.
const resources = new Map();

function resource(url) {
  if (!resources.has(url)) {
    const loading = fetch(url).then((response) => {
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
      return response.json();
    });
    loading.catch(() => resources.delete(url)); // tried again when next asked for
    resources.set(url, loading);
  }
  return resources.get(url);
}

// On the page's first run the map is made, with its basemap, before its element arrives:
// drawing the basemap the first time (shaders, textures) then overlaps the server's work.
// It waits out of sight and the element adopts it.
let early = null;
let liveMaps = 0;

function makeEarlyMap(data) {
  for (const { spec } of data.layers) {
    if (spec.basemap) resource(spec.basemap.index).catch((error) => console.error("Footprint map:", error));
  }
  loadDeck(data.bundle).then((deck) => {
    if (early || liveMaps) return;
    const holder = document.createElement("div");
    holder.style.cssText = `position:fixed;left:0;top:0;width:${data.width}px;opacity:0;pointer-events:none;z-index:-1`;
    document.body.appendChild(holder);
    const map = createMap(holder, deck, data);
    setCamera(map, { ...data.camera, pitch: 0, bearing: 0 });
    showLayers(map, data.layers, null);
    early = { map, holder };
  }).catch(() => {}); // the map element reports a failure itself
}

function adoptEarly(root) {
  if (!early) return null;
  const { map, holder } = early;
  early = null;
  root.appendChild(map.box);
  holder.remove();
  return map;
}

const escapeHtml = (value) => String(value ?? "").replace(/[&<>"']/g, (c) => ESCAPES[c]);

// The tooltip is the map's own: where the upper map has nothing under the pointer it
// shows what lies underneath (a zone). Values from data are escaped here: the template
// is ours, the values are not.
function showTooltip(map, { object, x, y }) {
  const tip = map.tip;
  if (!object && x >= 0 && map.pickUnder) object = (map.under.pickObject({ x, y, radius: 1 }) || {}).object;
  if (!object || !map.tooltip) {
    tip.style.display = "none";
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

// The bundled basemap (layers/basemap.py): 256-pixel tiles whose mask holds land, rivers,
// borders and coast as coverage, coloured here by the theme, with the shaded relief on land.
// Each tile is composed once into one image, so the lower plane draws one bitmap per tile.
const BASEMAP_WATER = "0", BASEMAP_FILE = "2"; // tile states in tiles/index.json

function basemapTiles(map, spec) {
  const settings = spec.basemap;
  return new map.deck.TileLayer({
    id: spec.id,
    minZoom: 0,
    maxZoom: settings.maskLevels - 1,
    tileSize: settings.tileSize,
    getTileData: ({ index, signal }) => basemapTile(settings, index, signal),
    renderSubLayers: (props) => {
      if (!props.data) return null; // open sea: the map's background is the water
      const { west, south, east, north } = props.tile.bbox;
      return new map.deck.BitmapLayer(props, { data: null, image: props.data, bounds: [west, south, east, north] });
    },
    onViewportLoad: () => { map.box.dataset.basemap = "loaded"; }, // every tile in view is drawn (tests wait for it)
  });
}

async function basemapTile(settings, { x, y, z }, signal) {
  const n = 2 ** z;
  const column = ((x % n) + n) % n; // the world repeats east and west of the antimeridian
  const index = await resource(settings.index);
  const state = index.levels[z][y * n + column];
  if (state === BASEMAP_WATER) return null;
  const palette = settings.palette;
  const [mask, relief] = await Promise.all([
    state === BASEMAP_FILE ? tileImage(settings.mask, z, column, y, signal).then((image) => tilePixels(image, settings.tileSize)) : null,
    palette.reliefOpacity > 0 ? reliefPixels(settings, z, column, y, signal) : null,
  ]);
  return createImageBitmap(composeTile(palette, mask, relief, settings.tileSize));
}

async function tileImage(template, z, x, y, signal) {
  const url = template.replace("{z}", z).replace("{x}", x).replace("{y}", y);
  const response = await fetch(url, { signal });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return createImageBitmap(await response.blob(), { colorSpaceConversion: "none", premultiplyAlpha: "none" });
}

// Past the last relief level a tile takes its part of the last level's tile, scaled up.
function reliefPixels(settings, z, x, y, signal) {
  const up = Math.max(0, z - (settings.reliefLevels - 1));
  const [rx, ry] = [x >> up, y >> up];
  const part = settings.tileSize / 2 ** up;
  return tileImage(settings.relief, z - up, rx, ry, signal)
    .then((image) => tilePixels(image, settings.tileSize, (x - (rx << up)) * part, (y - (ry << up)) * part, part));
}

function tilePixels(image, size, sx = 0, sy = 0, part = size) {
  const context = new OffscreenCanvas(size, size).getContext("2d", { willReadFrequently: true });
  context.drawImage(image, sx, sy, part, part, 0, 0, size, size);
  return context.getImageData(0, 0, size, size).data;
}

// The same rule as layers/basemap.py `compose_tile`: water, land, relief on land, then rivers,
// borders and coast. Blue holds borders (0-127) or coast (128-255). No mask: all plain land.
function composeTile(palette, mask, relief, size) {
  const { water, land, river, border, coast, reliefOpacity, lineAlpha } = palette;
  const out = new ImageData(size, size);
  const pixels = out.data;
  for (let i = 0; i < pixels.length; i += 4) {
    const ground = mask ? mask[i] / 255 : 1;
    const blue = mask ? mask[i + 2] : 0;
    const onRiver = mask ? (mask[i + 1] / 255) * lineAlpha.river : 0;
    const onBorder = blue < 128 ? (blue / 127) * lineAlpha.border : 0;
    const onCoast = blue >= 128 ? ((blue - 128) / 127) * lineAlpha.coast : 0;
    const shade = relief ? reliefOpacity * ground : 0;
    for (let k = 0; k < 3; k++) {
      let value = water[k] * (1 - ground) + land[k] * ground;
      if (relief) value = value * (1 - shade) + relief[i + k] * shade;
      value = value * (1 - onRiver) + river[k] * onRiver;
      value = value * (1 - onBorder) + border[k] * onBorder;
      pixels[i + k] = value * (1 - onCoast) + coast[k] * onCoast;
    }
    pixels[i + 3] = 255;
  }
  return out;
}

function onlineTiles(deck, tiles) {
  return new deck.TileLayer({
    id: "online-tiles",
    data: tiles.url,
    minZoom: 0,
    maxZoom: 19,
    tileSize: 256,
    renderSubLayers: (props) => {
      const { west, south, east, north } = props.tile.bbox;
      return new deck.BitmapLayer(props, { data: null, image: props.data, bounds: [west, south, east, north] });
    },
  });
}

// Two stacked maps share one camera: the basemap and zones underneath redraw only when
// they change or the camera moves, so a step or an animation frame redraws just the
// arcs and bases. Without a GPU a full redraw costs a few hundred milliseconds.
function createMap(root, deck, data) {
  const box = document.createElement("div");
  box.className = "footprint-map";
  box.style.cssText = `position:relative;width:100%;height:${data.height}px;border-radius:6px;overflow:hidden`;
  const note = document.createElement("div");
  note.className = "footprint-map-note";
  note.style.cssText = "position:absolute;right:6px;bottom:4px;font:11px sans-serif;opacity:.75;z-index:2;"
    + "background:rgba(255,255,255,.7);color:#222;padding:1px 5px;border-radius:3px;pointer-events:none";
  const planes = ["under", "over"].map((name) => {
    const plane = document.createElement("div");
    plane.className = `footprint-map-${name}`;
    plane.style.cssText = `position:absolute;inset:0;${name === "under" ? "pointer-events:none" : ""}`;
    box.appendChild(plane);
    return plane;
  });
  const tip = document.createElement("div");
  tip.className = "footprint-tooltip";
  tip.style.cssText = "position:absolute;z-index:3;display:none;pointer-events:none;box-shadow:0 1px 4px rgba(0,0,0,.3)";
  root.appendChild(box);
  box.appendChild(note);
  box.appendChild(tip);
  // Until an element adopts it, a map has no way to report (the early map): it keeps the camera to itself.
  const map = {
    box, note, tip, deck, layers: new Map(), cameraKey: null, camera: null, settle: null, play: null,
    setStateValue: null, setTriggerValue: null,
    converter: new deck.JSONConverter({
      configuration: new deck.JSONConfiguration({ classes: deck, enumerations: { COORDINATE_SYSTEM: deck.COORDINATE_SYSTEM } }),
    }),
  };
  const webgl = { preserveDrawingBuffer: true, antialias: !softwareRenderer() };
  // The world repeats east and west, so a view across the antimeridian shows land on both sides.
  const views = [new deck.MapView({ repeat: true })];
  const common = { views, width: "100%", height: "100%", useDevicePixels: true, deviceProps: { webgl },
    onError: (error) => noteError(map, error) };
  map.under = new deck.Deck({ ...common, parent: planes[0], controller: false });
  map.over = new deck.Deck({
    ...common,
    parent: planes[1],
    controller: { dragRotate: false, touchRotate: false },
    pickingRadius: PICKING_RADIUS,
    onViewStateChange: ({ viewState }) => {
      setCamera(map, viewState);
      const reporter = moveLinked(map, viewState);
      if (reporter) {
        clearTimeout(reporter.settle);
        reporter.settle = setTimeout(() => reportCamera(reporter), CAMERA_SETTLE_MS);
      }
      return viewState;
    },
    onHover: (info) => showTooltip(map, info),
    onClick: (info) => {
      const id = info.object && info.layer && info.layer.id === "bases" ? info.object.id : null;
      if (id != null) map.setTriggerValue("clicked", String(id));
    },
    onAfterRender: () => map.afterRender && map.afterRender(),
  });
  return map;
}

// Without a GPU (SwiftShader, llvmpipe) multisampling costs a third of every frame;
// the map draws without it there, with slightly rougher edges. Asked once per page.
let software = null;

function softwareRenderer() {
  if (software === null) software = askRenderer();
  return software;
}

function askRenderer() {
  const gl = document.createElement("canvas").getContext("webgl2");
  if (!gl) return false;
  const info = gl.getExtension("WEBGL_debug_renderer_info");
  const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  const lose = gl.getExtension("WEBGL_lose_context");
  if (lose) lose.loseContext();
  return /swiftshader|llvmpipe|software/i.test(renderer);
}

function noteError(map, error) {
  console.error("Footprint map:", error);
  if (!String(error && error.message).includes("WebGL")) return;
  map.failed = true;
  map.note.textContent = NO_WEBGL;
  map.note.style.display = "";
  if (map.play) finishPlay(map, false);
}

function setCamera(map, viewState) {
  map.camera = viewState;
  map.under.setProps({ viewState });
  map.over.setProps({ viewState });
}

// Maps given the same `link.group` move together (side-by-side maps with one camera): a pan
// or zoom on one is applied to the others, and only the map with `link.reports` reports it.
const groups = new Map(); // group id -> Set of live maps

function joinGroup(map, link) {
  const group = link ? link.group : null;
  if (map.link && map.link.group !== group) groups.get(map.link.group)?.delete(map);
  map.link = link || null;
  if (!group) return;
  if (!groups.has(group)) groups.set(group, new Set());
  groups.get(group).add(map);
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

// Only a camera the server does not know yet is reported: each report is a rerun. The map's
// width goes with it, so that names are placed for the map the analyst sees.
function reportCamera(map) {
  const camera = { ...rounded(map.camera), width: map.box.clientWidth };
  const text = JSON.stringify(camera);
  if (text === map.cameraKnown || !map.setStateValue) return;
  map.cameraKnown = text;
  map.setStateValue("camera", camera);
}

// Converted layers by digest, converted once. deck.gl finalizes a layer it stops
// showing, so the map is always given a clone: a clone of an unchanged layer costs
// deck.gl no work, and a clone of a finalized one starts afresh.
function layerFor(map, item) {
  let layer = map.layers.get(item.key);
  if (layer) map.layers.delete(item.key);
  else layer = convertLayer(map, item.spec);
  if (!layer) return null;
  map.layers.set(item.key, layer);
  while (map.layers.size > LAYER_CACHE_SIZE) map.layers.delete(map.layers.keys().next().value);
  return layer.clone();
}

// Only the layer's own settings go through the JSON converter: `data` holds text from
// the analyst's files, which must stay text ("@@=..." would be read as code).
// The basemap is no deck.gl JSON layer: it is built here from its settings (`basemapTiles`).
function convertLayer(map, spec) {
  const { data, ...settings } = spec;
  try {
    if (spec.basemap) return basemapTiles(map, spec);
    const layer = map.converter.convert(settings);
    return data !== undefined ? layer.clone({ data }) : layer;
  } catch (error) {
    console.error(`Footprint map: layer ${spec.id} cannot be drawn`, error);
    return null;
  }
}

// The lower map is given new layers only when they change, so a step does not redraw it.
function showLayers(map, items, tiles) {
  const under = [], over = [], underKeys = [];
  for (const item of items) {
    const layer = layerFor(map, item);
    if (!layer) continue;
    (item.under ? under : over).push(layer);
    if (item.under) underKeys.push(item.key);
  }
  if (tiles) {
    if (!map.tiles || map.tiles.props.data !== tiles.url) map.tiles = onlineTiles(map.deck, tiles);
    under.unshift(map.tiles.clone());
    underKeys.unshift(tiles.url);
  }
  const underKey = underKeys.join(" ");
  if (underKey !== map.underKey) {
    map.underKey = underKey;
    map.under.setProps({ layers: under });
    map.pickUnder = under.some((layer) => layer.props.pickable);
  }
  map.over.setProps({ layers: over });
}

function applyCamera(map, camera) {
  if (camera.key === map.cameraKey) return;
  map.cameraKey = camera.key;
  map.cameraKnown = JSON.stringify(rounded(camera));
  setCamera(map, { latitude: camera.latitude, longitude: camera.longitude, zoom: camera.zoom,
    pitch: 0, bearing: 0, minZoom: camera.min_zoom, maxZoom: camera.max_zoom });
}

// Frames are drawn one after another, each once the last is on screen, so a slow
// machine plays slower instead of skipping. The next chunk is asked for while half of
// this one is still to show; where the animation stops is reported once.
function receive(run, play) {
  if (run.chunks.has(play.chunk)) return;
  run.chunks.add(play.chunk);
  clearTimeout(run.retry);
  for (const frame of play.frames) {
    run.queue.push({ ...frame, items: frame.layers.map((key) => ({ key, ...play.layers[key] })) });
  }
  run.last = play.last;
  run.asked = false;
  if (run.starved) {
    run.starved = false;
    step(run);
  }
}

function step(run) {
  const map = run.map;
  if (map.play !== run) return;
  const frame = run.queue.shift();
  if (!frame) {
    if (run.last) finishPlay(map, true);
    else run.starved = true;
    return;
  }
  const started = performance.now();
  showLayers(map, frame.items, run.tiles);
  map.note.textContent = run.tiles ? `${frame.caption} · ${run.tiles.attribution}` : frame.caption;
  map.box.dataset.window = frame.window.join("/");
  run.shown = frame.window;
  if (!run.last && !run.asked && run.queue.length <= run.ahead) askForFrames(run);
  // New layers make deck.gl draw on its next animation frame; forcing a draw here as
  // well drew every frame twice.
  map.afterRender = () => {
    map.afterRender = null;
    const wait = Math.max(0, run.interval * 1000 - (performance.now() - started));
    run.timer = setTimeout(() => step(run), wait);
  };
}

function askForFrames(run) {
  run.asked = true;
  const through = run.queue.length ? run.queue[run.queue.length - 1].window : run.shown;
  run.map.setTriggerValue("progress", { token: run.token, shown: run.shown, through });
  clearTimeout(run.retry);
  run.retry = setTimeout(() => run.map.play === run && run.asked && askForFrames(run), ASK_AGAIN_MS);
}

function play(map, data) {
  const playing = data.play;
  let run = map.play;
  if (!run || run.token !== playing.token) {
    stopPlay(map);
    run = { map, token: playing.token, queue: [], chunks: new Set(), ahead: playing.ahead,
      last: false, asked: false, starved: true, shown: data.window, timer: null };
    map.play = run;
  }
  run.interval = playing.interval;
  run.tiles = data.tiles;
  receive(run, playing);
}

function stopPlay(map) {
  const run = map.play;
  if (run) {
    clearTimeout(run.timer);
    clearTimeout(run.retry);
  }
  map.play = null;
  map.afterRender = null;
  return run;
}

function finishPlay(map, done) {
  const run = stopPlay(map);
  if (run) map.setTriggerValue("played", { token: run.token, shown: run.shown, done });
}

function render(root, deck, data, setStateValue, setTriggerValue) {
  let map = maps.get(root);
  if (!map) {
    map = adoptEarly(root) || createMap(root, deck, data);
    maps.set(root, map);
    liveMaps += 1;
  }
  map.setStateValue = setStateValue;
  map.setTriggerValue = setTriggerValue;
  joinGroup(map, data.link);
  map.box.style.height = `${data.height}px`;
  map.box.style.background = data.background;
  map.tooltip = data.tooltip;
  applyCamera(map, data.camera);
  map.note.textContent = data.tiles ? data.tiles.attribution : "";
  map.note.style.display = data.tiles ? "" : "none";
  if (map.failed) {
    map.note.textContent = NO_WEBGL;
    map.note.style.display = "";
    if (data.play) setTriggerValue("played", { token: data.play.token, shown: data.window, done: false });
    return;
  }
  if (data.play) {
    map.note.style.display = "";
    play(map, data);
    return;
  }
  if (map.play) {
    finishPlay(map, false);
    map.holding = true;
  }
  if (data.hold && map.holding) return; // paused: keep this frame until the server has adopted it
  map.holding = false;
  map.box.dataset.window = data.window.join("/");
  showLayers(map, data.layers, data.tiles);
}

export default function FootprintMap({ data, parentElement, setStateValue, setTriggerValue }) {
  if (data.early) {
    makeEarlyMap(data);
    return undefined;
  }
  loadDeck(data.bundle)
    .then((deck) => render(parentElement, deck, data, setStateValue, setTriggerValue))
    .catch((error) => {
      parentElement.textContent = error.message;
    });
  // Streamlit may call this cleanup when a newer render superseded this one; the map
  // is torn down only when its element has really left the page.
  return () => setTimeout(() => {
    const map = maps.get(parentElement);
    if (map && !parentElement.isConnected) {
      clearTimeout(map.settle);
      joinGroup(map, null);
      stopPlay(map);
      map.under.finalize();
      map.over.finalize();
      maps.delete(parentElement);
      liveMaps -= 1;
    }
  }, 0);
}
