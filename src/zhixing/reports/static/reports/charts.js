// Report charts, drawn from JSON the server renders in <script type="application/json">
// blocks (no inline script: the Content-Security-Policy forbids them).
//   #trend-data     → #trend-chart: one line per court over 12 months
//   #burndown-data  → #burndown-chart: remaining cases_needed per target, and the ideal line
(function () {
  "use strict";

  var FONT = { family: "\"WenQuanYi Micro Hei\", \"Noto Sans CJK SC\", \"Microsoft YaHei\", sans-serif", size: 12 };
  var COLOURS = ["#c0392b", "#2471a3", "#1e8449", "#b9770e", "#7d3c98", "#17a589", "#555555", "#d35400"];

  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function num(v) {
    return v === null || v === undefined ? null : Number(v);
  }

  function layout(yTitle) {
    return {
      margin: { t: 16, r: 16, b: 48, l: 56 },
      height: 340,
      font: FONT,
      yaxis: { title: { text: yTitle }, rangemode: "tozero", automargin: true },
      xaxis: { automargin: true },
      legend: { orientation: "h" },
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)"
    };
  }

  function trend() {
    var data = read("trend-data");
    var target = document.getElementById("trend-chart");
    if (!data || !target || typeof Plotly === "undefined") { return; }
    var traces = data.series.map(function (s, i) {
      var total = s.name === "合计";
      return {
        type: "scatter", mode: "lines+markers", name: s.name, x: data.months, y: s.values.map(num),
        line: { width: total ? 3 : 1.5, dash: total ? "solid" : "dot", color: total ? "#111111" : COLOURS[i % COLOURS.length] },
        connectgaps: false,
        hovertemplate: s.name + " %{x}: %{y" + (data.percent ? ":.2%" : ":.2f") + "}<extra></extra>"
      };
    });
    var look = layout(data.name);
    // Shares travel as fractions of 1 (0.7533); people read them as 75.33%.
    if (data.percent) { look.yaxis.tickformat = ".0%"; }
    // "2023-06" is a month to read as written, not a date for Plotly to rename "Jun 2023".
    look.xaxis.type = "category";
    Plotly.newPlot(target, traces, look, { displayModeBar: false, responsive: true });
  }

  function burndown() {
    var data = read("burndown-data");
    var target = document.getElementById("burndown-chart");
    if (!data || !target || typeof Plotly === "undefined") { return; }
    var traces = [];
    data.targets.forEach(function (t, i) {
      var colour = COLOURS[i % COLOURS.length];
      traces.push({ type: "scatter", mode: "lines", name: t.name, x: data.dates,
                    y: data.remaining[t.id], line: { color: colour, width: 2 } });
      traces.push({ type: "scatter", mode: "lines", name: t.name + " 理想进度", x: data.dates,
                    y: data.ideal[t.id], line: { color: colour, width: 1, dash: "dash" }, showlegend: false });
    });
    Plotly.newPlot(target, traces, layout("尚需件数"), { displayModeBar: false, responsive: true });
  }

  function draw() { trend(); burndown(); }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
