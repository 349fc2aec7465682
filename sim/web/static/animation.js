// The corridor moving: one replication's vehicles, queues and closures on the map.
// The clock (hours since the horizon's start) and a frame counter are kept in data attributes of
// #anim (data-clock-h, data-frames), and the labels drawn in data-labels (JSON: id, text, box),
// which the browser test reads. Every node in view is named, once, beside its marker: a ringed
// node's label says "(closed)" or "(slowed)" while it is, a queue's count is under its name.
// The page's ?t=HOURS and ?view=all|border|north start it there.
(function () {
  "use strict";
  const box = document.getElementById("anim");
  const canvas = document.getElementById("map");
  const ctx = canvas.getContext("2d");
  const slider = document.getElementById("slider"), play = document.getElementById("play");
  const speed = document.getElementById("speed"), clock = document.getElementById("clock");
  const view = document.getElementById("view");
  const VIEWS = { border: [104.0, 20.4, 110.0, 23.6], north: [103.0, 20.3, 111.0, 30.6] };
  const COLOUR = { t: "#c0392b", r: "#e67e22", s: "#1f5fa8", b: "#16a085" };  // train tRuck ship barge
  const QUEUE = "rgba(142, 68, 173, 0.45)", CLOSED = "#d0021b", SLOWED = "#f5a623";
  let d, views, placed, base, t = 0, playing = false, last = null, frames = 0;

  function position(map, svc, share) {  // a point at a share of a service's length
    const cum = svc.cum, line = svc.line;
    let i = 1;
    while (i < cum.length - 1 && cum[i] < share) i++;
    const f = cum[i] > cum[i - 1] ? (share - cum[i - 1]) / (cum[i] - cum[i - 1]) : 0;
    return map.project(line[2 * i - 2] + f * (line[2 * i] - line[2 * i - 2]),
      line[2 * i - 1] + f * (line[2 * i + 1] - line[2 * i - 1]));
  }
  function share(keys, now) {  // keys: t0, s0, t1, s1, ... (time, share of the path)
    for (let i = 2; i < keys.length; i += 2) {
      if (now <= keys[i]) {
        const span = keys[i] - keys[i - 2];
        return span > 0 ? keys[i - 1] + (now - keys[i - 2]) / span * (keys[i + 1] - keys[i - 1]) : keys[i + 1];
      }
    }
    return 1;
  }
  function queueAt(steps, now) {  // steps: time, all vehicles waiting, the corridor's, ... by time
    let lo = 0, hi = steps.length / 3 - 1, v = [0, 0];
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (steps[3 * mid] <= now) { v = [steps[3 * mid + 1], steps[3 * mid + 2]]; lo = mid + 1; } else hi = mid - 1;
    }
    return v;
  }
  function label(now) {
    const ms = Date.parse(d.start + "T00:00:00Z") + now * 3600e3;
    return new Date(ms).toISOString().slice(0, 16).replace("T", " ") + " (China time)";
  }
  const waiting = (v, own) => own ? `${v.toLocaleString("en")} waiting (the corridor's ${own})` : `${v.toLocaleString("en")} waiting`;
  function closedNow() {  // node or link: its closure's effect, while it lasts
    const out = {};
    for (const c of d.closures) if (t >= c.start && t < c.end) out[c.target] = c.effect;
    return out;
  }
  function drawMap(map, shown, shut) {  // shown: the nodes in view (a node off it has no ring)
    for (const [target, effect] of Object.entries(shut)) {  // closed or slowed nodes and links
      ctx.strokeStyle = effect === "close" ? CLOSED : SLOWED; ctx.lineWidth = 3;
      const n = shown.has(target) && map.nodes[target];
      if (n) { const [x, y] = map.project(n.lon, n.lat); ctx.beginPath(); ctx.arc(x, y, 11, 0, 2 * Math.PI); ctx.stroke(); }
      const l = d.links.find(k => k.id === target);
      if (l) { map.path(ctx, l.line); ctx.stroke(); }
    }
    ctx.fillStyle = QUEUE; ctx.strokeStyle = "#8e44ad"; ctx.lineWidth = 1;
    for (const [node, steps] of Object.entries(d.queues)) {
      const [v] = queueAt(steps, t), n = shown.has(node) && map.nodes[node];
      if (!v || !n) continue;
      // The disc grows with the logarithm: a post's other traffic can queue in thousands.
      const [x, y] = map.project(n.lon, n.lat);
      ctx.beginPath(); ctx.arc(x, y, disc(v), 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
    }
    let moving = 0;
    for (const [si, kind, keys] of d.vehicles) {
      if (t < keys[0] || t >= keys[keys.length - 2]) continue;
      const [x, y] = position(map, d.services[si], share(keys, t));
      ctx.fillStyle = COLOUR[kind] || "#333";
      ctx.beginPath(); ctx.arc(x, y, kind === "s" ? 4 : 3, 0, 2 * Math.PI); ctx.fill();
      moving++;
    }
    return moving;
  }
  const disc = v => 4 + 8 * Math.log10(1 + v);
  function draw() {
    ctx.drawImage(base, 0, 0);
    const shut = closedNow();
    let moving = 0;
    views.forEach((v, i) => {
      ctx.save(); v.map.clip(ctx);
      const here = drawMap(v.map, v.shown, shut);
      if (i === 0) moving = here;  // the inset shows some of them again
      ctx.restore();
    });
    const drawn = window.CorridorMap.drawLabels(ctx, placed, n => {
      const said = { close: " (closed)", slow: " (slowed)" }[shut[n.id]] || "";
      const lines = [{ text: window.CorridorMap.nameOf(n) + said, colour: said ? (shut[n.id] === "close" ? CLOSED : "#b9770e") : null }];
      const [v, own] = d.queues[n.id] ? queueAt(d.queues[n.id], t) : [0, 0];
      if (v) lines.push({ text: waiting(v, own), colour: "#4a235a", bold: true });
      return lines;
    });
    clock.textContent = label(t) + ` · ${moving} vehicles on their way`;
    box.dataset.clockH = t.toFixed(2);
    box.dataset.labels = JSON.stringify(drawn);
    const inView = id => views.some(v => v.shown.has(id));  // what a ring or a disc is drawn around
    box.dataset.ringed = JSON.stringify(Object.keys(shut).filter(inView));
    box.dataset.queued = JSON.stringify(Object.keys(d.queues).filter(id => inView(id) && queueAt(d.queues[id], t)[0] > 0));
    box.dataset.shown = JSON.stringify(d.nodes.map(n => n.id).filter(inView));
    box.dataset.frames = String(++frames);
  }
  function tick(ts) {
    if (playing) {
      if (last !== null) t = Math.min(d.horizon_h, t + (ts - last) / 1000 * Number(speed.value));
      last = ts;
      slider.value = String(t);
      if (t >= d.horizon_h) { playing = false; play.textContent = "Play"; }
      draw();
      requestAnimationFrame(tick);
    }
  }
  play.addEventListener("click", () => {
    playing = !playing; play.textContent = playing ? "Pause" : "Play"; last = null;
    if (playing) { if (t >= d.horizon_h) t = 0; requestAnimationFrame(tick); }
  });
  slider.addEventListener("input", () => { t = Number(slider.value); draw(); });
  function reserve(n) {  // the widest label a node gets, and the room its ring or queue takes
    const effects = d.closures.filter(c => c.target === n.id).map(c => c.effect);
    const said = effects.includes("close") ? " (closed)" : effects.length ? " (slowed)" : "";
    const lines = [{ text: window.CorridorMap.nameOf(n) + said }];
    let r = effects.length ? 12.5 : 0;
    const steps = d.queues[n.id];
    if (steps) {
      let most = 0, ours = 0;
      for (let i = 0; i < steps.length; i += 3) { most = Math.max(most, steps[i + 1]); ours = Math.max(ours, steps[i + 2]); }
      lines.push({ text: waiting(most, ours), bold: true });
      r = Math.max(r, disc(most));
    }
    return { lines, r };
  }
  function setView() {  // the maps of the chosen box, drawn once into an image of their own
    views = window.CorridorMap.views(canvas, d, VIEWS[view.value] || d.box);
    base = document.createElement("canvas"); base.width = canvas.width; base.height = canvas.height;
    const bctx = base.getContext("2d");
    for (const v of views) v.map.drawBase(bctx);
    window.CorridorMap.drawFrames(bctx, views);
    placed = window.CorridorMap.placeLabels(ctx, views, reserve);
  }
  view.addEventListener("change", () => { setView(); draw(); });
  fetch(`/jobs/${box.dataset.job}/animation.json`).then(async r => {
    if (!r.ok) throw new Error((await r.text()) || `HTTP ${r.status}`);
    return r.json();
  }).then(data => {
    d = data;
    const asked = new URLSearchParams(location.search);
    if (VIEWS[asked.get("view")] || asked.get("view") === "all") view.value = asked.get("view");
    setView();
    slider.max = String(d.horizon_h); slider.step = "1";
    t = Math.min(Math.max(Number(asked.get("t")) || 0, 0), d.horizon_h); slider.value = String(t);
    draw(); box.dataset.ready = "1";
  }).catch(err => {  // shown in the page, not left as an uncaught error in the console
    clock.textContent = `could not load the animation: ${err.message}`;
    clock.classList.add("error"); box.dataset.ready = "error";
  });
})();
