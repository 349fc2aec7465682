// The corridor moving: one replication's vehicles, queues and closures on the map.
// The clock (hours since the horizon's start) and a frame counter are kept in data attributes of
// #anim (data-clock-h, data-frames), which the browser test reads.
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
  let d, map, base, t = 0, playing = false, last = null, frames = 0;

  function position(svc, share) {  // a point at a share of a service's length
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
  function draw() {
    ctx.drawImage(base, 0, 0);
    for (const c of d.closures) {  // closed or slowed nodes and links
      if (t < c.start || t >= c.end) continue;
      ctx.strokeStyle = c.effect === "close" ? "#d0021b" : "#f5a623"; ctx.lineWidth = 3;
      const n = map.nodes[c.target];
      if (n) { const [x, y] = map.project(n.lon, n.lat); ctx.beginPath(); ctx.arc(x, y, 11, 0, 2 * Math.PI); ctx.stroke(); }
      const l = d.links.find(k => k.id === c.target);
      if (l) { map.path(ctx, l.line); ctx.stroke(); }
    }
    ctx.fillStyle = "rgba(142, 68, 173, 0.45)"; ctx.strokeStyle = "#8e44ad"; ctx.lineWidth = 1;
    ctx.font = "bold 11px system-ui, sans-serif"; ctx.textBaseline = "middle";
    for (const [node, steps] of Object.entries(d.queues)) {
      const [v, own] = queueAt(steps, t), n = map.nodes[node];
      if (!v || !n) continue;
      // The disc grows with the logarithm: a post's other traffic can queue in thousands.
      const [x, y] = map.project(n.lon, n.lat), r = 4 + 8 * Math.log10(1 + v);
      ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
      const text = own ? `${v.toLocaleString("en")} waiting (the corridor's ${own})` : `${v.toLocaleString("en")} waiting`;
      const w = ctx.measureText(text).width;
      ctx.fillStyle = "rgba(255, 255, 255, 0.85)"; ctx.fillRect(x + r + 2, y + 2, w + 6, 15);
      ctx.fillStyle = "#4a235a"; ctx.fillText(text, x + r + 5, y + 10); ctx.fillStyle = "rgba(142, 68, 173, 0.45)";
    }
    let moving = 0;
    for (const [si, kind, keys] of d.vehicles) {
      if (t < keys[0] || t >= keys[keys.length - 2]) continue;
      const [x, y] = position(d.services[si], share(keys, t));
      ctx.fillStyle = COLOUR[kind] || "#333";
      ctx.beginPath(); ctx.arc(x, y, kind === "s" ? 4 : 3, 0, 2 * Math.PI); ctx.fill();
      moving++;
    }
    clock.textContent = label(t) + ` · ${moving} vehicles on their way`;
    box.dataset.clockH = t.toFixed(2);
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
  function setView() {  // the map of the chosen box, drawn once into an image of its own
    map = window.CorridorMap(canvas, { ...d, box: VIEWS[view.value] || d.box });
    base = document.createElement("canvas"); base.width = canvas.width; base.height = canvas.height;
    map.drawBase(base.getContext("2d"), { labels: true });
  }
  view.addEventListener("change", () => { setView(); draw(); });
  fetch(`/jobs/${box.dataset.job}/animation.json`).then(async r => {
    if (!r.ok) throw new Error((await r.text()) || `HTTP ${r.status}`);
    return r.json();
  }).then(data => {
    d = data; setView();
    slider.max = String(d.horizon_h); slider.step = "1";
    draw(); box.dataset.ready = "1";
  }).catch(err => {  // shown in the page, not left as an uncaught error in the console
    clock.textContent = `could not load the animation: ${err.message}`;
    clock.classList.add("error"); box.dataset.ready = "error";
  });
})();
