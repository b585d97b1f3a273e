// map.js: the map itself (two stacked deck.gl planes, a note and a tooltip), the early map,
// and the element's entry point.

const PICKING_RADIUS = 4; // pixels: a 1.5-pixel arc can be hovered without a steady hand
const NO_WEBGL = "The map cannot be drawn here: this browser has WebGL turned off.";
const TILES_FAILED = "Online tiles cannot be loaded: the bundled basemap is shown.";
const maps = new WeakMap(); // component root -> live map
let liveMaps = 0;
let early = null; // { map, holder }: the map made before its element arrived
let software = null; // whether WebGL runs without a GPU, asked once per page

// Two stacked planes share one camera: the basemap and zones underneath redraw only when
// they change or the camera moves, so a step or an animation frame redraws just the
// arcs and bases. Without a GPU a full redraw costs a few hundred milliseconds.
function createMap(root, deck, data) {
  const box = element("div", "footprint-map",
    `position:relative;width:100%;height:${data.height}px;border-radius:6px;overflow:hidden`);
  const planes = ["under", "over"].map((name) =>
    box.appendChild(element("div", `footprint-map-${name}`, `position:absolute;inset:0;${name === "under" ? "pointer-events:none" : ""}`)));
  const note = box.appendChild(element("div", "footprint-map-note",
    "position:absolute;right:6px;bottom:4px;font:11px sans-serif;opacity:.75;z-index:2;"
    + "background:rgba(255,255,255,.7);color:#222;padding:1px 5px;border-radius:3px;pointer-events:none"));
  const tip = box.appendChild(element("div", "footprint-tooltip",
    "position:absolute;z-index:3;display:none;pointer-events:none;box-shadow:0 1px 4px rgba(0,0,0,.3)"));
  root.appendChild(box);
  const map = {
    box, note, tip, deck,
    under: null, over: null, // the two deck.gl planes
    converter: new deck.JSONConverter({
      configuration: new deck.JSONConfiguration({ classes: deck, enumerations: { COORDINATE_SYSTEM: deck.COORDINATE_SYSTEM } }),
    }),
    layers: new Map(), // converted layers by digest (layers.js)
    underKey: null, // the lower plane's layers, by digest
    pickUnder: false, // the lower plane has something to hover (zones)
    tiles: null, // the online tiles layer, when asked for
    shownTiles: null, // the online tiles asked for: url and attribution
    tilesFailed: false,
    camera: null, cameraKey: null, cameraKnown: null, settle: null, // camera.js
    link: null, // { group, reports }: maps that move together
    tooltip: null, // the tooltip's template and style
    caption: "", // the frame on screen, while playing
    play: null, // the animation's run (play.js)
    holding: false, // paused: the frame on screen stays until the server adopts it
    afterRender: null, // called once after deck.gl's next draw
    failed: false, // no WebGL
    setStateValue: null, setTriggerValue: null, // the element's; none until an element adopts the map
  };
  const webgl = { preserveDrawingBuffer: true, antialias: !softwareRenderer() };
  // The world repeats east and west, so a view across the antimeridian shows land on both sides.
  const views = [new deck.MapView({ repeat: true })];
  const common = { views, width: "100%", height: "100%", useDevicePixels: true, deviceProps: { webgl },
    onError: (error) => noteError(map, error) };
  map.under = new deck.Deck({ ...common, parent: planes[0], controller: false,
    onAfterRender: () => markDrawn(map, "under") });
  map.over = new deck.Deck({
    ...common,
    parent: planes[1],
    controller: { dragRotate: false, touchRotate: false },
    pickingRadius: PICKING_RADIUS,
    onViewStateChange: ({ viewState }) => {
      cameraMoved(map, viewState);
      return viewState;
    },
    onHover: (info) => showTooltip(map, info),
    onClick: (info) => {
      const id = info.object && info.layer && info.layer.id === "bases" ? info.object.id : null;
      if (id != null) map.setTriggerValue("clicked", String(id));
    },
    onAfterRender: () => {
      markDrawn(map, "over");
      if (map.afterRender) map.afterRender();
    },
  });
  return map;
}

// A plane is "drawn" once a frame showed its layers with all they load (tiles, the icon atlas):
// tests and benchmarks wait for it.
function markDrawn(map, plane) {
  const loaded = map[plane].props.layers.every((layer) => layer.isLoaded);
  map.box.dataset[plane] = loaded ? "drawn" : "drawing";
}

function element(tag, className, css) {
  const made = document.createElement(tag);
  made.className = className;
  made.style.cssText = css;
  return made;
}

// The note in the map's corner: the frame while playing, the online tiles' attribution and
// whether they load, or why nothing can be drawn.
function showNote(map) {
  const parts = map.failed ? [NO_WEBGL] : [map.caption, map.shownTiles && map.shownTiles.attribution,
    map.shownTiles && map.tilesFailed && TILES_FAILED].filter(Boolean);
  map.note.textContent = parts.join(" · ");
  map.note.style.display = parts.length ? "" : "none";
}

// Without a GPU (SwiftShader, llvmpipe) multisampling costs a third of every frame;
// the map draws without it there, with slightly rougher edges.
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
  showNote(map);
  if (map.play) finishPlay(map, false);
}

// On the page's first run the map is made, with its basemap, before its element arrives:
// drawing the basemap the first time (shaders, textures) then overlaps the server's work.
// It waits out of sight and the element adopts it.
function makeEarlyMap(data) {
  for (const { spec } of data.layers) {
    if (spec.basemap) resource(spec.basemap.index).catch((error) => console.error("Footprint map:", error));
  }
  loadDeck(data.bundle).then((deck) => {
    if (early || liveMaps) return;
    const holder = element("div", "footprint-early-map",
      `position:fixed;left:0;top:0;width:${data.width}px;opacity:0;pointer-events:none;z-index:-1`);
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
  map.shownTiles = data.tiles;
  if (!data.tiles) map.tilesFailed = false;
  applyCamera(map, data.camera);
  if (map.failed) {
    showNote(map);
    if (data.play) setTriggerValue("played", { token: data.play.token, shown: data.window, done: false });
    return;
  }
  if (data.play) {
    play(map, data);
    return;
  }
  if (map.play) {
    finishPlay(map, false);
    map.holding = true;
  }
  showNote(map);
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
