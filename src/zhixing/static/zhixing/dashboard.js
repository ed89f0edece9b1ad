// Draws the dashboard's bar chart from the JSON block the server renders
// (<script type="application/json" id="chart-data">): no inline script, so the
// Content-Security-Policy can forbid them. Redrawn after every htmx swap of the body.
(function () {
  "use strict";

  function draw() {
    var data = document.getElementById("chart-data");
    var target = document.getElementById("chart");
    if (!data || !target || typeof Plotly === "undefined") {
      return;
    }
    var chart = JSON.parse(data.textContent);
    if (!chart.courts.length) {
      Plotly.purge(target);
      target.hidden = true;
      return;
    }
    target.hidden = false;
    var suffix = chart.unit === "%" ? "%" : "";
    var traces = [{
      type: "bar",
      x: chart.courts,
      y: chart.values,
      marker: { color: "#2b6cb0" },
      text: chart.values.map(function (v) { return v === null ? "无数据" : v.toFixed(2) + suffix; }),
      textposition: "outside",
      hovertemplate: "%{x}: %{text}<extra></extra>"
    }];
    var shapes = [];
    if (chart.target !== null) {
      shapes.push({
        type: "line", xref: "paper", x0: 0, x1: 1, y0: chart.target, y1: chart.target,
        line: { color: "#c53030", width: 2, dash: "dash" }
      });
    }
    var layout = {
      margin: { t: 16, r: 16, b: 64, l: 56 },
      height: 300,
      yaxis: { ticksuffix: suffix, rangemode: "tozero", automargin: true },
      xaxis: { automargin: true },
      shapes: shapes,
      font: { family: "\"WenQuanYi Micro Hei\", \"Noto Sans CJK SC\", \"Microsoft YaHei\", \"PingFang SC\", sans-serif", size: 12 },
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)"
    };
    Plotly.react(target, traces, layout, { displayModeBar: false, responsive: true });
  }

  // The 12-month trend of the chosen indicator: one line per court and the total.
  function drawTrend() {
    var data = document.getElementById("trend-data");
    var target = document.getElementById("trend-chart");
    if (!data || !target || typeof Plotly === "undefined") {
      return;
    }
    var trend = JSON.parse(data.textContent);
    var suffix = trend.unit === "%" ? "%" : "";
    var traces = trend.series.map(function (s) {
      return {
        type: "scatter", mode: "lines+markers", name: s.name, x: trend.months, y: s.values,
        connectgaps: false, line: s.name === "合计" ? { width: 3, color: "#1a202c" } : { width: 1.5 }
      };
    });
    var layout = {
      margin: { t: 16, r: 16, b: 48, l: 56 },
      height: 300,
      yaxis: { ticksuffix: suffix, rangemode: "tozero", automargin: true },
      xaxis: { type: "category", automargin: true },
      legend: { orientation: "h" },
      font: { family: "\"WenQuanYi Micro Hei\", \"Noto Sans CJK SC\", \"Microsoft YaHei\", sans-serif", size: 12 },
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)"
    };
    Plotly.react(target, traces, layout, { displayModeBar: false, responsive: true });
  }

  // The custom date fields matter only for the 自定义 window.
  function toggleCustom() {
    var form = document.getElementById("dashboard-form");
    if (!form) {
      return;
    }
    var checked = form.querySelector("input[name=period]:checked");
    var custom = form.querySelector("[data-custom]");
    if (custom) {
      custom.hidden = !(checked && checked.value === "custom");
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    toggleCustom();
    draw();
    drawTrend();
    var form = document.getElementById("dashboard-form");
    if (form) {
      form.addEventListener("change", toggleCustom);
    }
  });
  document.addEventListener("htmx:afterSettle", draw);
  document.addEventListener("htmx:afterSettle", drawTrend);
})();
