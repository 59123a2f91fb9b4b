/* 产业链图谱 (chains/map.html): draws the chain's map with ECharts from the JSON island
   #chain-map-data — upstream, midstream and downstream in three columns, each node coloured by
   its strength (强 green, 弱 amber, 缺 red and dashed), zoom and pan — and opens a node's side
   panel (its enterprises, projects, problems and leads, an HTML fragment from the server) when
   it is clicked. Without JavaScript, or on a phone, the page's list and table are the map. */
(function () {
  "use strict";
  var source = document.getElementById("chain-map-data");
  var el = document.querySelector("[data-chain-graph]");
  var panel = document.getElementById("node-panel");
  if (!source || !el || typeof window.echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent) || {};
  var nodes = data.nodes || [];
  if (!nodes.length) { return; }
  var COLOURS = {
    strong: { fill: "#dafbe1", line: "#1a7f37", type: "solid" },
    weak: { fill: "#fff8c5", line: "#9a6700", type: "solid" },
    missing: { fill: "#ffebe9", line: "#cf222e", type: "dashed" }
  };
  var COLUMN_GAP = 260, ROW_GAP = 90;
  var enterprisesWord = el.getAttribute("data-label-enterprises") || "";
  var byCode = {};
  var graphNodes = nodes.map(function (n) {
    var c = COLOURS[n.strength] || COLOURS.weak;
    byCode[n.code] = n;
    return {
      id: n.code,
      name: n.name,
      x: n.column * COLUMN_GAP,
      y: n.row * ROW_GAP,
      value: n.region_count,
      symbol: "roundRect",
      symbolSize: [150, 48],
      itemStyle: { color: c.fill, borderColor: c.line, borderWidth: 2, borderType: c.type },
      label: { show: true, color: "#1f2328", formatter: n.name + "\n" + n.strength_label + " · " + n.region_count + " " + enterprisesWord }
    };
  });
  // The three columns' headings (上游 / 中游 / 下游) move and zoom with the graph.
  (data.columns || []).forEach(function (label, column) {
    graphNodes.push({
      id: "column-" + column, name: label, x: column * COLUMN_GAP, y: -ROW_GAP * 0.8, symbol: "rect",
      symbolSize: [150, 30], itemStyle: { color: "rgba(0,0,0,0)", borderWidth: 0 }, tooltip: { show: false },
      label: { show: true, fontSize: 15, fontWeight: "bold", color: "#57606a", formatter: label }
    });
  });
  var edges = (data.links || []).map(function (l) { return { source: l.source, target: l.target }; });
  el.hidden = false;
  var chart = window.echarts.init(el);
  chart.setOption({
    // Tooltips drawn on the canvas: ECharts' HTML tooltips carry style="" attributes, which the
    // Content-Security-Policy refuses.
    tooltip: { trigger: "item", renderMode: "richText", formatter: function (p) {
      var n = byCode[p.data && p.data.id];
      if (!n) { return ""; }
      return n.name + "（" + n.segment_label + "）\n" + n.strength_label + " · " + n.region_count + " " + enterprisesWord +
        (n.enterprises.length ? "\n" + n.enterprises.slice(0, 6).join("、") : "");
    } },
    animation: false,
    series: [{
      type: "graph",
      layout: "none",
      roam: true,
      draggable: false,
      data: graphNodes,
      links: edges,
      edgeSymbol: ["none", "arrow"],
      edgeSymbolSize: 10,
      lineStyle: { color: "#8c959f", width: 1.5, curveness: 0.08 },
      emphasis: { focus: "adjacency" }
    }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
  window.addEventListener("beforeprint", function () { chart.resize(); });

  function openPanel(code) {
    var n = byCode[code];
    if (!n || !panel) { return; }
    panel.hidden = false;
    panel.setAttribute("aria-busy", "true");
    var url = n.panel + (data.region ? "?region=" + encodeURIComponent(data.region) : "");
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.text(); })
      .then(function (html) {
        panel.innerHTML = html;  // rendered and escaped by the server
        panel.removeAttribute("aria-busy");
        panel.setAttribute("data-node", code);
        chart.resize();
      })
      .catch(function () { window.location.href = n.url; });
  }
  chart.on("click", function (params) {
    if (params && params.dataType === "node" && params.data) { openPanel(params.data.id); }
  });
}());
