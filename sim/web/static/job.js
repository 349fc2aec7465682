// A job's page: poll its progress while it runs; draw its interactive figures once it is done.
(function () {
  "use strict";
  const box = document.getElementById("job");
  if (!box) return;
  const state = box.dataset.state;
  if (state === "queued" || state === "running") {
    const poll = async () => {
      const r = await fetch(`/jobs/${box.dataset.job}/status`);
      const s = await r.json();
      document.getElementById("progress").value = s.done;
      document.getElementById("count").textContent = `${s.done} / ${s.total}`;
      document.getElementById("state").textContent = s.state;
      document.getElementById("cancelling").hidden = !s.cancelling;
      if (s.state !== state) { location.reload(); return; }
      setTimeout(poll, 1000);
    };
    setTimeout(poll, 1000);
  }
  const layout = (title, ytitle) => ({
    title: { text: title, font: { size: 15 } }, margin: { l: 60, r: 20, t: 40, b: 40 },
    yaxis: { title: { text: ytitle }, rangemode: "tozero" }, hovermode: "x unified",
    legend: { orientation: "h", y: -0.15 },
  });
  const data = document.getElementById("figdata");
  if (data && window.Plotly) {
    const f = JSON.parse(data.textContent);
    const cfg = { responsive: true, displaylogo: false };
    const queue = layout("Vehicles waiting at the border posts: all traffic (left), the corridor's (dotted, right)", "vehicles waiting, all traffic");
    queue.yaxis2 = { title: { text: "the corridor's vehicles" }, overlaying: "y", side: "right", rangemode: "tozero", showgrid: false, tickmode: "auto", nticks: 6, tickformat: ",d" };
    queue.margin.r = 60;
    Plotly.newPlot("fig-queue", f.queue, queue, cfg);
    Plotly.newPlot("fig-weekly", f.weekly, layout("TEU carried a week, by service family", "TEU"), cfg);
  }
  const forest = document.getElementById("forestdata");
  if (forest && window.Plotly) {
    const rows = JSON.parse(forest.textContent).reverse();
    const trace = {
      type: "scatter", mode: "markers", x: rows.map(r => r.pct), y: rows.map(r => r.label),
      error_x: { type: "data", symmetric: false, array: rows.map(r => r.high - r.pct), arrayminus: rows.map(r => r.pct - r.low) },
      marker: { size: 9, color: rows.map(r => (r.pct >= 0 ? "#1e7b34" : "#b3261e")) },
      customdata: rows.map(r => [r.base, r.alt]),
      hovertemplate: "%{y}<br>%{x:.1f}% (base %{customdata[0]:,.1f} → %{customdata[1]:,.1f})<extra></extra>",
    };
    const lay = { margin: { l: 20, r: 30, t: 20, b: 40 }, height: 120 + 26 * rows.length,
      yaxis: { automargin: true },
      xaxis: { title: { text: "change, % of the base" }, zeroline: true, zerolinecolor: "#333" } };
    if (rows.length) Plotly.newPlot("fig-forest", [trace], lay, { responsive: true, displaylogo: false });
    else document.getElementById("fig-forest").textContent = "No KPI changed beyond its noise.";
  }
})();
