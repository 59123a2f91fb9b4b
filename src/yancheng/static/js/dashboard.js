/* 挂图作战: draws the charts from the JSON embedded with json_script (#dashboard-data).
   Without JavaScript (or without ECharts) the tables below each chart are the page. */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof window.echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var charts = [];
  var lightColours = { red: "#cf222e", yellow: "#bf8700", green: "#1a7f37", paused: "#8c959f",
                       waiting: "#0969da", ontime: "#2da44e", late: "#a40e26" };
  // Tooltips drawn on the canvas ("richText"): ECharts' HTML tooltips carry style=""
  // attributes, which the Content-Security-Policy (style-src-attr 'none') refuses.
  var TOOLTIP_AXIS = { trigger: "axis", renderMode: "richText" };
  var TOOLTIP_ITEM = { trigger: "item", renderMode: "richText" };

  function show(name, option) {
    var el = document.querySelector('[data-chart="' + name + '"]');
    if (!el) { return; }
    el.hidden = false;
    var chart = window.echarts.init(el);
    chart.setOption(option);
    charts.push(chart);
  }

  function bars(labels, series, horizontal) {
    var category = { type: "category", data: labels, axisLabel: { interval: 0, rotate: horizontal ? 0 : 30 } };
    var value = { type: "value" };
    return {
      tooltip: TOOLTIP_AXIS,
      legend: { top: 0 },
      grid: { left: 8, right: 16, bottom: 8, top: 32, containLabel: true },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: series
    };
  }

  if (data.stages) {
    show("stages", bars(data.stages.labels, [
      { name: (data.series || {}).projects || "", type: "bar", data: data.stages.counts }
    ]));
  }
  if (data.regions) {
    show("regions", bars(data.regions.labels, [
      { name: (data.series || {}).planned || "", type: "bar", data: data.regions.planned },
      { name: (data.series || {}).invested || "", type: "bar", data: data.regions.invested }
    ]));
  }
  var lightTotal = data.lights ? data.lights.counts.reduce(function (a, b) { return a + b; }, 0) : 0;
  // An all-zero pie would draw equal slices that look like data: leave the table alone then.
  if (data.lights && lightTotal > 0) {
    show("lights", {
      tooltip: TOOLTIP_ITEM,
      series: [{
        type: "pie", radius: ["40%", "70%"],
        data: data.lights.labels.map(function (label, i) {
          return { name: label, value: data.lights.counts[i],
                   itemStyle: { color: lightColours[data.lights.keys[i]] } };
        })
      }]
    });
  }
  if (data.units) {
    show("units", bars(data.units.labels.slice().reverse(), [
      { name: (data.series || {}).red || "", type: "bar", stack: "l", data: data.units.red.slice().reverse(), itemStyle: { color: lightColours.red } },
      { name: (data.series || {}).yellow || "", type: "bar", stack: "l", data: data.units.yellow.slice().reverse(), itemStyle: { color: lightColours.yellow } }
    ], true));
  }
  if (data.scores) {
    show("ranking", bars(data.labels, [{ name: (data.series || {}).score || "", type: "bar", data: data.scores }]));
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
}());
