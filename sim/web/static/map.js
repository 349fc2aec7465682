// The corridor map on a canvas, from the network's own coordinates (no tiles, works offline).
//
// CorridorMap(canvas, data, {box, frame, west}) -> one map of `box` (default data.box) drawn into
//   `frame` ([x, y, w, h] of the canvas; default all of it), centred or to the west (left):
//   {project(lon, lat) -> [x, y], path, drawBase(ctx), clip(ctx), nodes, frame, width}.
// CorridorMap.views(canvas, data, box) -> the maps of one view: [{map, nodes, shown, avoid}],
//   `nodes` the ones named on that map, `shown` the ids of those whose marker it shows (a ring or
//   a queue is drawn only around those: every one drawn is named). The whole corridor leaves room beside it: the crowded border
//   area (data.inset) is drawn again there, enlarged, and its nodes are named there (as the
//   figure of sim.plot.network_map).
// CorridorMap.placeLabels(ctx, views, reserve) -> every node of the views its label's place,
//   computed once: beside its marker, clear of the other labels, markers and rings (reserve(node)
//   -> {lines, r}: the widest lines the label will show and the radius kept clear around the
//   node), inside its map; the most crowded first; pushed further out, with a leader line.
// CorridorMap.drawLabels(ctx, placed, linesOf) draws them (linesOf(node) -> [{text, colour,
//   bold}]) and returns [{id, text, box}] of what it drew (the browser test reads them).
(function () {
  "use strict";
  const MODE = { rail: "#8c6d5a", road: "#b08a3e", sea: "#7fa7cf", river: "#5fb3a3" };
  const FONT = "11px system-ui, sans-serif", BOLD = "bold 11px system-ui, sans-serif";
  const LINE = 14, PAD = 3, GAP = 2;  // a label's line height, inner margin; from its marker
  // Directions tried around a point, right first (canvas y points down), and how far out.
  const DIRS = [[1, 0], [1, -1], [1, 1], [-1, 0], [-1, -1], [-1, 1], [0, -1], [0, 1]];
  const RINGS = [0, 8, 18, 30, 45, 62, 85, 110, 140];
  const RANK = { border_post: 0, seaport: 1, lock: 2, river_port: 3, city: 4 };

  function CorridorMap(canvas, data, opts) {
    opts = opts || {};
    const [x0, y0, x1, y1] = opts.box || data.box;
    const [fx, fy, fw, fh] = opts.frame || [0, 0, canvas.width, canvas.height];
    const k = Math.cos(((y0 + y1) / 2) * Math.PI / 180);
    const s = Math.min(fw / ((x1 - x0) * k), fh / (y1 - y0));
    const width = (x1 - x0) * k * s;
    const ox = fx + (opts.west ? 0 : (fw - width) / 2), oy = fy + (fh - (y1 - y0) * s) / 2;
    const project = (lon, lat) => [ox + (lon - x0) * k * s, oy + (y1 - lat) * s];
    const path = (ctx, flat) => {
      ctx.beginPath();
      for (let i = 0; i < flat.length; i += 2) {
        const [x, y] = project(flat[i], flat[i + 1]);
        if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
      }
    };
    const clip = ctx => { ctx.beginPath(); ctx.rect(fx, fy, fw, fh); ctx.clip(); };
    const nodes = Object.fromEntries(data.nodes.map(n => [n.id, n]));
    function drawBase(ctx) {
      ctx.save(); clip(ctx);
      ctx.fillStyle = "#eaf2f8"; ctx.fillRect(fx, fy, fw, fh);
      ctx.fillStyle = "#f1efe6"; ctx.strokeStyle = "#c9c5b6"; ctx.lineWidth = 0.8;
      for (const ring of data.land) { path(ctx, ring); ctx.closePath(); ctx.fill(); ctx.stroke(); }
      ctx.lineCap = "round";
      for (const l of data.links) {
        ctx.strokeStyle = MODE[l.mode] || "#999"; ctx.lineWidth = l.mode === "sea" ? 1 : 1.6;
        ctx.setLineDash(l.mode === "sea" ? [4, 4] : []); path(ctx, l.line); ctx.stroke();
      }
      ctx.setLineDash([]);
      for (const n of data.nodes) {
        const [x, y] = project(n.lon, n.lat);
        ctx.fillStyle = n.kind === "border_post" ? "#6c3483" : "#34495e";
        ctx.beginPath(); ctx.arc(x, y, markerRadius(n), 0, 2 * Math.PI); ctx.fill();
      }
      ctx.restore();
    }
    const inside = (x, y) => x >= fx && x <= fx + fw && y >= fy && y <= fy + fh;
    return { project, path, drawBase, clip, nodes, inside, frame: [fx, fy, fw, fh], width: ox - fx + width };
  }
  function markerRadius(n) {
    return n.kind === "border_post" || n.kind === "seaport" || n.kind === "lock" ? 3.2 : 2.2;
  }
  CorridorMap.markerRadius = markerRadius;
  CorridorMap.nameOf = n => n.label || n.name.split(" (")[0].split(" / ")[0];

  CorridorMap.views = function (canvas, data, box) {
    box = box || data.box;
    const whole = box.every((v, i) => v === data.box[i]);
    const seen = map => data.nodes.filter(n => map.inside(...map.project(n.lon, n.lat)));
    const shown = map => new Set(seen(map).map(n => n.id));
    if (whole && data.inset) {
      const main = CorridorMap(canvas, data, { box, west: true });
      const room = canvas.width - main.width - 16;
      const [a, b, c, d] = data.inset, k = Math.cos(((b + d) / 2) * Math.PI / 180);
      const aspect = (c - a) * k / (d - b);
      let w = room, h = w / aspect;
      if (h > canvas.height * 0.6) { h = canvas.height * 0.6; w = h * aspect; }
      if (room >= canvas.width * 0.3) {
        const [bx0, by0] = main.project(a, d), [bx1, by1] = main.project(c, b);
        const y = Math.min(Math.max((by0 + by1) / 2 - h / 2, 22), canvas.height - h - 6);
        const frame = [canvas.width - w - 6, y, w, h];
        const inset = CorridorMap(canvas, data, { box: data.inset, frame });
        const dashed = [bx0, by0, bx1, by1];
        const inBox = n => n.lon >= a && n.lon <= c && n.lat >= b && n.lat <= d;
        const title = [frame[0], y - 18, frame[0] + w, y];
        return [
          { map: main, nodes: seen(main).filter(n => !inBox(n)), shown: shown(main), avoid: [dashed, [frame[0], y - 18, canvas.width, y + h]], dashed },
          { map: inset, nodes: seen(inset), shown: shown(inset), avoid: [], title },
        ];
      }
    }
    const map = CorridorMap(canvas, data, { box });
    return [{ map, nodes: seen(map), shown: shown(map), avoid: [] }];
  };
  // The frame around an inset, its title, and the dashed box it enlarges on the main map.
  CorridorMap.drawFrames = function (ctx, views) {
    for (const v of views) {
      if (v.dashed) {
        const [x0, y0, x1, y1] = v.dashed;
        ctx.strokeStyle = "#444"; ctx.lineWidth = 1; ctx.setLineDash([4, 3]);
        ctx.strokeRect(x0, y0, x1 - x0, y1 - y0); ctx.setLineDash([]);
      }
      if (v.title) {
        const [x, y, w, h] = v.map.frame;
        ctx.strokeStyle = "#444"; ctx.lineWidth = 1; ctx.strokeRect(x, y, w, h);
        ctx.font = FONT; ctx.fillStyle = "#1d2733"; ctx.textBaseline = "alphabetic";
        ctx.fillText("Beibu Gulf and the Vietnam border (dashed box)", x + 2, y - 5);
      }
    }
  };

  const overlap = (a, b) => {
    const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]), h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
    return w > 0 && h > 0 ? w * h : 0;
  };
  const onCircle = (box, cx, cy, r) => {  // how far a circle reaches into a box, times r
    const dx = Math.max(box[0] - cx, 0, cx - box[2]), dy = Math.max(box[1] - cy, 0, cy - box[3]);
    return Math.max(r - Math.hypot(dx, dy), 0) * r;
  };
  const widest = (ctx, lines) => Math.max(...lines.map(l => {
    ctx.font = l.bold ? BOLD : FONT; return ctx.measureText(l.text).width;
  }));

  CorridorMap.placeLabels = function (ctx, views, reserve) {
    const items = [];
    for (const v of views) {
      for (const n of v.nodes) {
        const [x, y] = v.map.project(n.lon, n.lat), res = reserve(n);
        const w = widest(ctx, res.lines) + 2 * PAD, h = res.lines.length * LINE + 2 * PAD;
        const f = v.map.frame;
        items.push({ n, x, y, w, h, r: Math.max(res.r, markerRadius(n)), inside: [f[0], f[1], f[0] + f[2], f[1] + f[3]], avoid: v.avoid });
      }
    }
    const crowd = p => items.filter(q => Math.hypot(p.x - q.x, p.y - q.y) < 40).length;
    items.forEach(p => { p.crowd = crowd(p); });
    items.sort((p, q) => q.crowd - p.crowd || (RANK[p.n.kind] ?? 5) - (RANK[q.n.kind] ?? 5));
    const placed = [];
    for (const p of items) {
      let best = null;
      for (const ring of RINGS) {
        for (const [ux, uy] of DIRS) {
          const reach = p.r + GAP + ring, k = ux && uy ? Math.SQRT1_2 : 1;
          const bx = p.x + ux * reach * k - (ux > 0 ? 0 : ux < 0 ? p.w : p.w / 2);
          const by = p.y + uy * reach * k - (uy > 0 ? 0 : uy < 0 ? p.h : p.h / 2);
          const box = [bx, by, bx + p.w, by + p.h];
          let cost = 0.01 * ring;
          for (const o of placed) cost += overlap(box, o.box);
          for (const o of p.avoid) cost += overlap(box, o);
          for (const q of items) cost += onCircle(box, q.x, q.y, q.r + 1);
          cost += 10 * (p.w * p.h - overlap(box, p.inside));
          if (best === null || cost < best.cost) best = { cost, box, ux, uy, reach };
        }
        if (best.cost < 0.01 * ring + 1e-9) break;
      }
      placed.push({ ...p, ...best });
    }
    return placed;
  };

  CorridorMap.drawLabels = function (ctx, placed, linesOf) {
    const drawn = [];
    ctx.textBaseline = "middle";
    for (const p of placed) {
      const lines = linesOf(p.n), w = widest(ctx, lines) + 2 * PAD, h = lines.length * LINE + 2 * PAD;
      // The text hugs the side of its place that faces the marker.
      const x0 = p.ux > 0 ? p.box[0] : p.ux < 0 ? p.box[2] - w : (p.box[0] + p.box[2] - w) / 2;
      const y0 = p.uy > 0 ? p.box[1] : p.uy < 0 ? p.box[3] - h : (p.box[1] + p.box[3] - h) / 2;
      if (p.reach > markerRadius(p.n) + 8) {  // pushed out (or round a ring): a leader line
        const lx = Math.min(Math.max(p.x, x0), x0 + w), ly = Math.min(Math.max(p.y, y0), y0 + h);
        ctx.strokeStyle = "#555"; ctx.lineWidth = 0.7;
        ctx.beginPath(); ctx.moveTo(p.x, p.y); ctx.lineTo(lx, ly); ctx.stroke();
      }
      ctx.fillStyle = "rgba(255, 255, 255, 0.85)"; ctx.fillRect(x0, y0, w, h);
      lines.forEach((l, i) => {
        ctx.font = l.bold ? BOLD : FONT; ctx.fillStyle = l.colour || "#2c3e50";
        ctx.fillText(l.text, x0 + PAD, y0 + PAD + LINE * (i + 0.5));
      });
      drawn.push({ id: p.n.id, text: lines.map(l => l.text).join(" · "), box: [x0, y0, x0 + w, y0 + h].map(v => Math.round(v * 10) / 10) });
    }
    return drawn;
  };
  window.CorridorMap = CorridorMap;
})();
