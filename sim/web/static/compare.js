// The compare page's map: the freight diverted within the alternative (route choice moved it off
// its planned chain), per link: green where it went, red where it left; not alternative - base.
(function () {
  "use strict";
  const canvas = document.getElementById("divmap"), src = document.getElementById("divdata");
  if (!canvas || !src) return;
  const d = JSON.parse(src.textContent), map = window.CorridorMap(canvas, d), ctx = canvas.getContext("2d");
  map.drawBase(ctx, { labels: true });
  const most = Math.max(1, ...Object.values(d.change).map(Math.abs));
  ctx.lineCap = "round";
  const byId = Object.fromEntries(d.links.map(l => [l.id, l]));
  const entries = Object.entries(d.change).sort((a, b) => Math.abs(a[1]) - Math.abs(b[1]));
  for (const [id, v] of entries) {
    const l = byId[id]; if (!l) continue;
    ctx.strokeStyle = v > 0 ? "rgba(30, 123, 52, 0.8)" : "rgba(179, 38, 30, 0.8)";
    ctx.lineWidth = 1.5 + 12 * Math.abs(v) / most;
    map.path(ctx, l.line); ctx.stroke();
  }
  ctx.font = "12px system-ui, sans-serif"; ctx.fillStyle = "#1d2733";
  ctx.fillText(`widest line: ${Math.round(most).toLocaleString()} TEU`, 12, canvas.height - 14);
})();
