/* 挂图作战: draws the ECharts options the server embeds with json_script (#dashboard-data,
   {"charts": {name: option}}; built by yancheng.lib.charts: one unit per axis, counts in
   whole steps). Without JavaScript (or without ECharts) the tables beside each chart are
   the page. */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof window.echarts === "undefined") { return; }
  var options = (JSON.parse(source.textContent) || {}).charts || {};
  var charts = [];
  // Tooltips drawn on the canvas ("richText"): ECharts' HTML tooltips carry style=""
  // attributes, which the Content-Security-Policy (style-src-attr 'none') refuses.
  var TOOLTIP_AXIS = { trigger: "axis", renderMode: "richText" };
  var TOOLTIP_ITEM = { trigger: "item", renderMode: "richText" };

  Object.keys(options).forEach(function (name) {
    var option = options[name];
    var el = document.querySelector('[data-chart="' + name + '"]');
    if (!option || !el) { return; }
    var first = option.series && option.series.length ? option.series[0].type : "";
    option.tooltip = (first === "pie" || first === "heatmap") ? TOOLTIP_ITEM : TOOLTIP_AXIS;
    el.hidden = false;
    var chart = window.echarts.init(el);
    chart.setOption(option);
    // A data item that carries a link (a tile map's area) opens its list, as the tables do.
    chart.on("click", function (params) {
      var url = params && params.data && params.data.url;
      if (typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/") { window.location.href = url; }
    });
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
}());
