// layers.js: layers by digest, converted once, on the map's two planes.

const LAYER_CACHE_SIZE = 48;

// deck.gl finalizes a layer it stops showing, so the map is always given a clone: a clone of
// an unchanged layer costs deck.gl no work, and a clone of a finalized one starts afresh.
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

// The lower plane is given new layers only when they change, so a step does not redraw it.
// Online tiles go over the bundled basemap and under the zones.
function showLayers(map, items, tiles) {
  const under = [], over = [], underKeys = [];
  for (const item of items) {
    const layer = layerFor(map, item);
    if (!layer) continue;
    (item.under ? under : over).push(layer);
    if (item.under) underKeys.push(item.key);
  }
  if (tiles) {
    if (!map.tiles || map.tiles.props.data !== tiles.url) map.tiles = onlineTiles(map, tiles);
    const at = under.filter((layer) => layer.id.startsWith("basemap")).length;
    under.splice(at, 0, map.tiles.clone());
    underKeys.splice(at, 0, tiles.url);
  }
  const underKey = underKeys.join(" ");
  if (underKey !== map.underKey) {
    map.underKey = underKey;
    map.box.dataset.under = "drawing"; // until the plane has drawn them (markDrawn)
    map.under.setProps({ layers: under });
    map.pickUnder = under.some((layer) => layer.props.pickable);
  }
  map.box.dataset.over = "drawing";
  map.over.setProps({ layers: over });
}
