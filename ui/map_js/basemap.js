// basemap.js: the bundled basemap (layers/basemap.py): 256-pixel tiles whose mask holds land, rivers,
// borders and coast as coverage, coloured here by the theme, with the shaded relief on land.
// Each tile is composed once into one image, so the lower plane draws one bitmap per tile.
const BASEMAP_WATER = "0", BASEMAP_FILE = "2"; // tile states in tiles/index.json

function basemapTiles(map, spec) {
  const settings = spec.basemap;
  return new map.deck.TileLayer({
    id: spec.id,
    maxRequests: 0, // no throttle: a view needs a dozen tiles or so, all from this server
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

// Online tiles are drawn over the bundled basemap, which stays until they arrive; a tile that
// cannot be loaded (no network) is said on the map, once.
function onlineTiles(map, tiles) {
  return new map.deck.TileLayer({
    id: "online-tiles",
    data: tiles.url,
    minZoom: 0,
    maxZoom: 19,
    tileSize: 256,
    onTileError: () => {
      map.tilesFailed = true;
      showNote(map);
    },
    renderSubLayers: (props) => {
      if (!props.data) return null;
      const { west, south, east, north } = props.tile.bbox;
      return new map.deck.BitmapLayer(props, { data: null, image: props.data, bounds: [west, south, east, north] });
    },
  });
}
