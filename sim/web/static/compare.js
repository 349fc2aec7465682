// The compare page's map: the freight diverted within the alternative (route choice moved it off
// its planned chain), per link: green where it went, red where it left; not alternative - base.
// The alternative's closed (or slowed) nodes are ringed and their labels say so; every node is
// named once, clear of the others (the border area in the enlarged box beside the map). The
// labels drawn are in the canvas's data-labels (JSON: id, text, box), the nodes in view in
// data-shown and the ringed ones in data-ringed, for the browser test.
(function () {
  "use strict";
  const canvas = document.getElementById("divmap"), src = document.getElementById("divdata");
  if (!canvas || !src) return;
  const CM = window.CorridorMap, CLOSED = "#d0021b", SLOWED = "#f5a623";
  const d = JSON.parse(src.textContent), ctx = canvas.getContext("2d");
  const effect = {};
  for (const c of d.closures || []) if (effect[c.target] !== "close") effect[c.target] = c.effect;
  const views = CM.views(canvas, d, d.box);
  const most = Math.max(1, ...Object.values(d.change).map(Math.abs));
  const byId = Object.fromEntries(d.links.map(l => [l.id, l]));
  const entries = Object.entries(d.change).sort((a, b) => Math.abs(a[1]) - Math.abs(b[1]));
  for (const v of views) {
    const map = v.map;
    map.drawBase(ctx);
    ctx.save(); map.clip(ctx); ctx.lineCap = "round";
    for (const [id, change] of entries) {
      const l = byId[id]; if (!l) continue;
      ctx.strokeStyle = change > 0 ? "rgba(30, 123, 52, 0.8)" : "rgba(179, 38, 30, 0.8)";
      ctx.lineWidth = 1.5 + 12 * Math.abs(change) / most;
      map.path(ctx, l.line); ctx.stroke();
    }
    for (const [target, how] of Object.entries(effect)) {
      const n = v.shown.has(target) && map.nodes[target]; if (!n) continue;
      const [x, y] = map.project(n.lon, n.lat);
      ctx.strokeStyle = how === "close" ? CLOSED : SLOWED; ctx.lineWidth = 2.5;
      ctx.beginPath(); ctx.arc(x, y, 9, 0, 2 * Math.PI); ctx.stroke();
    }
    ctx.restore();
  }
  CM.drawFrames(ctx, views);
  views[0].avoid.push([0, canvas.height - 28, 220, canvas.height]);  // the line-width note
  const said = n => ({ close: " (closed)", slow: " (slowed)" })[effect[n.id]] || "";
  const placed = CM.placeLabels(ctx, views, n => ({ lines: [{ text: CM.nameOf(n) + said(n) }], r: effect[n.id] ? 10.5 : 0 }));
  const drawn = CM.drawLabels(ctx, placed, n => [{
    text: CM.nameOf(n) + said(n), colour: effect[n.id] === "close" ? CLOSED : effect[n.id] ? "#b9770e" : null,
  }]);
  canvas.dataset.labels = JSON.stringify(drawn);
  canvas.dataset.shown = JSON.stringify(d.nodes.map(n => n.id).filter(id => views.some(v => v.shown.has(id))));
  canvas.dataset.ringed = JSON.stringify(Object.keys(effect).filter(id => views.some(v => v.shown.has(id))));
  ctx.font = "12px system-ui, sans-serif"; ctx.fillStyle = "#1d2733"; ctx.textBaseline = "alphabetic";
  ctx.fillText(`widest line: ${Math.round(most).toLocaleString()} TEU`, 12, canvas.height - 14);
})();
