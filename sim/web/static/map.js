// The corridor map on a canvas, from the network's own coordinates (no tiles, works offline).
// window.CorridorMap(canvas, data) -> {project(lon, lat) -> [x, y], drawBase(ctx)}.
(function () {
  "use strict";
  const MODE = { rail: "#8c6d5a", road: "#b08a3e", sea: "#7fa7cf", river: "#5fb3a3" };
  window.CorridorMap = function (canvas, data) {
    const [x0, y0, x1, y1] = data.box;
    const k = Math.cos(((y0 + y1) / 2) * Math.PI / 180);
    const s = Math.min(canvas.width / ((x1 - x0) * k), canvas.height / (y1 - y0));
    const ox = (canvas.width - (x1 - x0) * k * s) / 2, oy = (canvas.height - (y1 - y0) * s) / 2;
    const project = (lon, lat) => [ox + (lon - x0) * k * s, oy + (y1 - lat) * s];
    const path = (ctx, flat) => {
      ctx.beginPath();
      for (let i = 0; i < flat.length; i += 2) {
        const [x, y] = project(flat[i], flat[i + 1]);
        if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
      }
    };
    const nodes = Object.fromEntries(data.nodes.map(n => [n.id, n]));
    function drawBase(ctx, opts) {
      opts = opts || {};
      ctx.fillStyle = "#eaf2f8"; ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.fillStyle = "#f1efe6"; ctx.strokeStyle = "#c9c5b6"; ctx.lineWidth = 0.8;
      for (const ring of data.land) { path(ctx, ring); ctx.closePath(); ctx.fill(); ctx.stroke(); }
      ctx.lineCap = "round";
      for (const l of data.links) {
        ctx.strokeStyle = MODE[l.mode] || "#999"; ctx.lineWidth = l.mode === "sea" ? 1 : 1.6;
        ctx.setLineDash(l.mode === "sea" ? [4, 4] : []); path(ctx, l.line); ctx.stroke();
      }
      ctx.setLineDash([]);
      ctx.font = "11px system-ui, sans-serif"; ctx.textBaseline = "middle";
      const placed = [];  // labels drawn so far: a label too near one of them is left out
      const RANK = { border_post: 0, seaport: 1, lock: 2, river_port: 3, city: 4 };
      const order = [...data.nodes].sort((a, b) => (RANK[a.kind] ?? 5) - (RANK[b.kind] ?? 5));
      for (const n of order) {
        const [x, y] = project(n.lon, n.lat);
        const big = n.kind === "border_post" || n.kind === "seaport" || n.kind === "lock";
        ctx.fillStyle = n.kind === "border_post" ? "#6c3483" : "#34495e";
        ctx.beginPath(); ctx.arc(x, y, big ? 3.2 : 2.2, 0, 2 * Math.PI); ctx.fill();
        if (opts.labels && !placed.some(([px, py]) => Math.abs(px - x) < 70 && Math.abs(py - y) < 13)) {
          ctx.fillStyle = "#2c3e50"; ctx.fillText(n.name.split(" (")[0].split(" / ")[0], x + 6, y - 8);
          placed.push([x, y]);
        }
      }
    }
    return { project, path, drawBase, nodes };
  };
})();
