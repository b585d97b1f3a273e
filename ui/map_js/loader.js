// Footprint's map: deck.gl that lives across reruns, in files with one job each that
// ui/map_element.py joins into one module in the order of its MAP_SCRIPTS.
//
// Python sends every layer with a digest of its JSON; a layer whose digest the map
// already holds keeps its deck.gl layer, so a slider step uploads only what
// changed (the arcs) to the GPU. The map reports the camera after a pan or zoom,
// clicks on bases, and plays prepared frames without a server round trip.
//
// loader.js: deck.gl's bundle and the basemap's tile index, each fetched once per page.

let bundle = null; // the promise of deck.gl's bundle
const resources = new Map(); // url -> promise of its JSON

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

// The first script run asks for the tile index before its slow part, so it arrives while the
// server is still busy.
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
