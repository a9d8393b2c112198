// Draws the dashboard's charts with plotly.js from the numbers the page embeds.
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof Plotly === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  // No toolbar: it sat over the legend and the range buttons, and the range selector and
  // slider already zoom the one axis that matters.
  var config = { displaylogo: false, responsive: true, displayModeBar: false };
  var DAY_MS = 86400000;
  // A day's bar is most of a day wide: with one day of data plotly would make it 1 ms wide.
  var BAR_MS = DAY_MS * 0.8;
  var font = { family: "system-ui, sans-serif", size: 13 };
  var margin = { l: 50, r: 20, t: 10, b: 40 };
  var rangeButtons = [
    { count: 7, label: "7 days", step: "day", stepmode: "backward" },
    { count: 30, label: "30 days", step: "day", stepmode: "backward" },
    { count: 90, label: "90 days", step: "day", stepmode: "backward" },
    { step: "all", label: "all" }
  ];

  // Counts are whole: ticks at every unit while the largest count is small, never 0.2.
  function countAxis(values, extra) {
    var most = Math.max.apply(null, [0].concat(values));
    var axis = { rangemode: "tozero", tickformat: ",d" };
    if (most <= 10) { axis.dtick = 1; axis.range = [0, Math.max(most, 1) * 1.1]; }
    for (var key in extra) { axis[key] = extra[key]; }
    return axis;
  }

  // Days are whole: with a few days of data, a tick per day and half a day of margin on
  // each side (one day alone used to get ticks in milliseconds).
  function dayAxis(days, extra) {
    var axis = { type: "date", tickformat: "%b %d", hoverformat: "%b %d, %Y" };
    if (days.length > 0 && days.length <= 14) {
      var first = Date.parse(days[0]), last = Date.parse(days[days.length - 1]);
      axis.range = [first - DAY_MS / 2, last + DAY_MS / 2];
      axis.dtick = DAY_MS;
      axis.tick0 = days[0];
    }
    for (var key in extra) { axis[key] = extra[key]; }
    return axis;
  }

  function sum(a, b) {
    return a.map(function (value, i) { return value + (b ? b[i] : 0); });
  }

  function dailyLayout(days, totals) {
    var slider = days.length > 14;
    return {
      font: font, margin: { l: 60, r: 20, t: 40, b: 30 }, barmode: "stack",
      legend: { orientation: "h", y: 1.12, x: 0, xanchor: "left" },
      xaxis: dayAxis(days, slider ? {
        rangeselector: { buttons: rangeButtons, y: 1.12, x: 1, xanchor: "right" },
        rangeslider: { visible: true, thickness: 0.08 } } : {}),
      yaxis: countAxis(totals, { title: { text: "installs" } })
    };
  }

  // "Nov 26, 2026: 101 interactive", not a raw tuple.
  var dayHover = "%{x|%b %d, %Y}: %{y:,} %{fullData.name}<extra></extra>";

  function bars(id, counts, color) {
    var element = document.getElementById(id);
    if (!element || !counts) { return; }
    var keys = Object.keys(counts);
    if (keys.length === 0) { element.textContent = "No data yet."; return; }
    var values = keys.map(function (k) { return counts[k]; });
    Plotly.newPlot(element, [{
      type: "bar", orientation: "h", y: keys.slice().reverse(), x: values.slice().reverse(),
      marker: { color: color }, hovertemplate: "%{y}: %{x:,}<extra></extra>"
    }], { font: font, margin: { l: 80, r: 20, t: 10, b: 30 },
          xaxis: countAxis(values, {}),
          yaxis: { type: "category", automargin: true } }, config);
  }

  var daily = document.getElementById("chart-daily");
  if (daily) {
    Plotly.newPlot(daily, [
      { type: "bar", name: "interactive", x: data.days, y: data.interactive, width: BAR_MS,
        marker: { color: "#2563eb" }, hovertemplate: dayHover },
      { type: "bar", name: "CI / automation", x: data.days, y: data.ci, width: BAR_MS,
        marker: { color: "#f59e0b" }, hovertemplate: dayHover }
    ], dailyLayout(data.days, sum(data.interactive, data.ci)), config);
  }
  var sources = document.getElementById("chart-sources");
  if (sources) {
    Plotly.newPlot(sources, [
      { type: "scatter", mode: "lines+markers", name: "unique sources", x: data.days,
        y: data.sources, line: { color: "#059669" }, hovertemplate: dayHover }
    ], { font: font, margin: margin, xaxis: dayAxis(data.days, {}),
         yaxis: countAxis(data.sources, {}) }, config);
  }
  var perName = document.getElementById("chart-name-daily");
  if (perName) {
    Plotly.newPlot(perName, [
      { type: "bar", name: "installs", x: data.days, y: data.total, width: BAR_MS,
        marker: { color: "#2563eb" }, hovertemplate: dayHover }
    ], dailyLayout(data.days, data.total), config);
  }
  bars("chart-installer", data.installer, "#7c3aed");
  bars("chart-python", data.python, "#0891b2");
  bars("chart-category", data.category, "#db2777");
})();
