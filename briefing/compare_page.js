// Draws the three maps of the "what changed" slide: A, B and the change map.
// `window.footprint.ready()` tells the renderer when all three are drawn with everything loaded.
(() => {
  const read = (id) => JSON.parse(document.getElementById(id).textContent);
  const slide = read("footprint-slide");
  const constants = read("footprint-basemap");
  // As in page.js: layers start hidden and appear in one frame once their data and images are in.
  const maps = slide.maps.map(({ id, deck: json }) => {
    const hidden = { ...json, layers: json.layers.map((layer) => ({ ...layer, visible: false })) };
    const map = { frames: 0, shownAt: null };
    map.deck = createDeck({
      container: document.getElementById(id), jsonInput: hidden, tooltip: slide.tooltip,
      configuration: { constants },
    });
    map.loaded = () => map.deck.props.layers.every((layer) => layer.isLoaded);
    map.deck.setProps({
      onAfterRender: () => {
        map.frames += 1;
        if (map.shownAt === null && map.loaded()) {
          setTimeout(() => {
            map.shownAt = map.frames;
            updateDeck(json, map.deck);
          });
        }
      },
    });
    return map;
  });
  const drawn = (map) => map.shownAt !== null && map.frames > map.shownAt && map.loaded()
    && !map.deck.needsRedraw({ clearRedrawFlags: false });
  window.footprint = { deck: maps[maps.length - 1].deck, ready: () => maps.every(drawn) };
})();
