// Draws the exported map into #map and keeps the scale bar true when the reader pans or zooms.
// `window.footprint` tells the renderer when the frame is drawn, and shows the next slide in place.
(() => {
  const read = (id) => JSON.parse(document.getElementById(id).textContent);
  const slide = read("footprint-slide");
  // Only layer settings go through deck.gl's JSON converter; `data` holds text from the analyst's
  // files, which must stay text ("@@=..." or "@@#..." would be read as code or as a constant).
  // The basemap images are shared by name ("@@#basemap-view:…"), so a slide shown in place
  // reuses what the previous one loaded.
  const converter = new deck.JSONConverter({
    configuration: new deck.JSONConfiguration({
      classes: deck, enumerations: { COORDINATE_SYSTEM: deck.COORDINATE_SYSTEM }, constants: read("footprint-basemap"),
    }),
  });

  function toLayer(spec, visible) {
    const { data, ...settings } = spec;
    const layer = converter.convert({ ...settings, visible });
    return data === undefined ? layer : layer.clone({ data });
  }

  const layersOf = (deckJson, visible = true) => deckJson.layers.map((spec) => toLayer(spec, visible));

  // The tooltip's values were escaped when the page was made; the template is ours.
  function tooltip({ object }) {
    if (!object) return null;
    const properties = object.properties || {};
    const html = slide.tooltip.html.replace(/\{(\w+)\}/g, (_, name) => String((name in object ? object[name] : properties[name]) ?? ""));
    return { html, style: slide.tooltip.style };
  }

  // Layers start hidden: each frame costs about a second in software WebGL, so nothing is drawn
  // while data and images load; the map appears in one frame once everything is in.
  const map = new deck.Deck({
    parent: document.getElementById("map"),
    width: "100%",
    height: "100%",
    views: (slide.deck.views || []).map((view) => converter.convert(view)),
    initialViewState: slide.deck.initialViewState,
    controller: true,
    layers: layersOf(slide.deck, false),
    getTooltip: tooltip,
  });
  let framesDrawn = 0;
  let shownAtFrame = null; // frame count when the current slide's layers were made visible
  let scaleMaxPixels = slide.scaleMaxPixels;
  const loaded = () => map.props.layers.every((layer) => layer.isLoaded);

  // Mirrors layers/mercator.py: deck.gl's 512-pixel world, bars of 1, 2 or 5 × 10^n.
  function drawScale(latitude, zoom) {
    const perPixel = 40075016.686 * Math.cos(latitude * Math.PI / 180) / (512 * 2 ** zoom);
    const longest = perPixel * scaleMaxPixels;
    const magnitude = 10 ** Math.floor(Math.log10(longest));
    const metres = Math.max(...[1, 2, 5].map((step) => step * magnitude).filter((m) => m <= longest));
    const bar = document.querySelector("#scalebar .bar");
    const label = document.querySelector("#scalebar .label");
    if (!bar || !label) return;
    bar.style.width = `${metres / perPixel}px`;
    label.textContent = metres >= 1000 ? `${(metres / 1000).toLocaleString("en")} km` : `${metres} m`;
  }

  function show(deckJson) {
    shownAtFrame = framesDrawn;
    map.setProps({ layers: layersOf(deckJson), initialViewState: deckJson.initialViewState });
  }

  map.setProps({
    onAfterRender: () => {
      framesDrawn += 1;
      if (shownAtFrame === null && loaded()) setTimeout(() => show(slide.deck));
    },
    onViewStateChange: ({ viewState }) => { drawScale(viewState.latitude, viewState.zoom); },
  });

  window.footprint = {
    deck: map,
    // The current slide has been drawn with everything loaded, and nothing waits to be drawn.
    ready: () => shownAtFrame !== null && framesDrawn > shownAtFrame && loaded()
      && !map.needsRedraw({ clearRedrawFlags: false }),
    show(next) {
      for (const [id, html] of Object.entries(next.regions)) {
        const element = document.getElementById(id);
        if (element) element.innerHTML = html;
      }
      scaleMaxPixels = next.scaleMaxPixels;
      show(next.deck);
    },
  };
})();
