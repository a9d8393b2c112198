// Draws the dashboard's charts with plotly.js from the numbers the page embeds.
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof Plotly === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var config = { displaylogo: false, responsive: true,
                 modeBarButtonsToRemove: ["lasso2d", "select2d"] };
  var font = { family: "system-ui, sans-serif", size: 13 };
  var margin = { l: 50, r: 20, t: 10, b: 40 };
  var rangeButtons = [
    { count: 7, label: "7 days", step: "day", stepmode: "backward" },
    { count: 30, label: "30 days", step: "day", stepmode: "backward" },
    { count: 90, label: "90 days", step: "day", stepmode: "backward" },
    { step: "all", label: "all" }
  ];

  function dailyLayout() {
    return {
      font: font, margin: { l: 60, r: 20, t: 40, b: 30 }, barmode: "stack",
      legend: { orientation: "h", y: 1.12, x: 1, xanchor: "right" },
      xaxis: { type: "date", rangeselector: { buttons: rangeButtons, y: 1.12 },
               rangeslider: { visible: true, thickness: 0.08 } },
      yaxis: { title: { text: "installs" }, rangemode: "tozero" }
    };
  }

  function bars(id, counts, color) {
    var element = document.getElementById(id);
    if (!element || !counts) { return; }
    var keys = Object.keys(counts);
    if (keys.length === 0) { element.textContent = "No data yet."; return; }
    Plotly.newPlot(element, [{
      type: "bar", orientation: "h", y: keys.slice().reverse(),
      x: keys.map(function (k) { return counts[k]; }).reverse(),
      marker: { color: color }, hovertemplate: "%{y}: %{x:,}<extra></extra>"
    }], { font: font, margin: { l: 80, r: 20, t: 10, b: 30 },
          yaxis: { type: "category", automargin: true } }, config);
  }

  var daily = document.getElementById("chart-daily");
  if (daily) {
    Plotly.newPlot(daily, [
      { type: "bar", name: "interactive", x: data.days, y: data.interactive,
        marker: { color: "#2563eb" } },
      { type: "bar", name: "CI / automation", x: data.days, y: data.ci,
        marker: { color: "#f59e0b" } }
    ], dailyLayout(), config);
  }
  var sources = document.getElementById("chart-sources");
  if (sources) {
    Plotly.newPlot(sources, [
      { type: "scatter", mode: "lines+markers", name: "unique sources", x: data.days,
        y: data.sources, line: { color: "#059669" } }
    ], { font: font, margin: margin, xaxis: { type: "date" },
         yaxis: { rangemode: "tozero" } }, config);
  }
  var perName = document.getElementById("chart-name-daily");
  if (perName) {
    Plotly.newPlot(perName, [
      { type: "bar", name: "installs", x: data.days, y: data.total, marker: { color: "#2563eb" } }
    ], dailyLayout(), config);
  }
  bars("chart-installer", data.installer, "#7c3aed");
  bars("chart-python", data.python, "#0891b2");
})();
