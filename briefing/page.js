// Draws the exported map into #map and keeps the scale bar true when the reader pans or zooms.
// `window.footprint` tells the renderer when the frame is drawn, and shows the next slide in place.
(() => {
  const read = (id) => JSON.parse(document.getElementById(id).textContent);
  const slide = read("footprint-slide");
  // Layers start hidden: each frame costs about a second in software WebGL, so nothing is drawn
  // while data and images load; the map appears in one frame once everything is in.
  const hidden = { ...slide.deck, layers: slide.deck.layers.map((layer) => ({ ...layer, visible: false })) };
  const deck = createDeck({
    container: document.getElementById("map"),
    jsonInput: hidden,
    tooltip: slide.tooltip,
    // Basemap data is shared by reference, so a slide shown in place reuses its drawn geometry.
    configuration: { constants: read("footprint-basemap") },
  });
  let framesDrawn = 0;
  let shownAtFrame = null; // frame count when the current slide's layers were made visible
  let scaleMaxPixels = slide.scaleMaxPixels;
  const loaded = () => deck.props.layers.every((layer) => layer.isLoaded);

  // Mirrors briefing/mercator.py: deck.gl's 512-pixel world, bars of 1, 2 or 5 × 10^n.
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
    updateDeck(deckJson, deck);
  }

  deck.setProps({
    onAfterRender: () => {
      framesDrawn += 1;
      if (shownAtFrame === null && loaded()) setTimeout(() => show(slide.deck));
    },
    onViewStateChange: ({ viewState }) => { drawScale(viewState.latitude, viewState.zoom); },
  });

  window.footprint = {
    deck,
    // The current slide has been drawn with everything loaded, and nothing waits to be drawn.
    ready: () => shownAtFrame !== null && framesDrawn > shownAtFrame && loaded()
      && !deck.needsRedraw({ clearRedrawFlags: false }),
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
