// play.js: the animation. Frames are drawn one after another, each once the last is on screen,
// so a slow machine plays slower instead of skipping. The next chunk is asked for while
// `ahead` frames are still to show; where the animation stops is reported once.

const ASK_AGAIN_MS = 4000; // a request for frames that got no answer is sent again

function newRun(map, playing, shown) {
  return {
    map,
    token: playing.token, // names this run: a chunk of another run is ignored
    ahead: playing.ahead,
    interval: playing.interval, // seconds per frame
    tiles: null, // online tiles, drawn under every frame
    queue: [], // frames to show, oldest first
    chunks: new Set(), // chunks received, by their first window
    last: false, // the last chunk has arrived
    asked: false, // frames asked for and not received yet
    starved: true, // the queue ran out: the next chunk starts the frames again
    shown: shown, // the window on screen
    timer: null, // the next frame
    retry: null, // the next request for frames, if this one gets no answer
  };
}

function play(map, data) {
  const playing = data.play;
  let run = map.play;
  if (!run || run.token !== playing.token) {
    stopPlay(map);
    run = newRun(map, playing, data.window);
    map.play = run;
  }
  run.interval = playing.interval;
  run.tiles = data.tiles;
  receive(run, playing);
}

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
  map.caption = frame.caption;
  showNote(map);
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

function stopPlay(map) {
  const run = map.play;
  if (run) {
    clearTimeout(run.timer);
    clearTimeout(run.retry);
  }
  map.play = null;
  map.afterRender = null;
  map.caption = "";
  return run;
}

function finishPlay(map, done) {
  const run = stopPlay(map);
  if (run) map.setTriggerValue("played", { token: run.token, shown: run.shown, done });
}
