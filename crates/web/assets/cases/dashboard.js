// 诉求看板: the trend (ECharts) and, for a community, its grids coloured by
// the cases received in the period (Leaflet over the community map).
(function () {
  "use strict";
  function data(el, name) {
    try { return JSON.parse(el.dataset[name] || "null"); } catch (_) { return null; }
  }

  // 大屏 reloads itself (a wall screen nobody touches)
  var every = Number(document.body.dataset.refresh || 0);
  if (every > 0) setTimeout(function () { location.reload(); }, every * 1000);

  var trendEl = document.getElementById("trend");
  var t = trendEl && data(trendEl, "trend");
  if (trendEl && t && window.echarts) {
    var chart = window.echarts.init(trendEl, null, { renderer: "svg" });
    // every label at the page's smallest size (16 px); the legend sits
    // above the plot, clear of the dates
    var dark = trendEl.dataset.theme === "dark";
    var text = { fontSize: dark ? 20 : 16, color: dark ? "#e6edf7" : "#1f2328" };
    chart.setOption({
      animation: false,
      textStyle: text,
      tooltip: { trigger: "axis", textStyle: text },
      legend: { data: ["受理", "结案", "满意率"], top: 0, textStyle: text },
      grid: { left: 8, right: 8, top: 64, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: t.labels, axisLabel: text },
      yAxis: [
        { type: "value", name: "件", minInterval: 1, axisLabel: text, nameTextStyle: text },
        { type: "value", name: "%", min: 0, max: 100, axisLabel: text, nameTextStyle: text }
      ],
      series: [
        { name: "受理", type: "bar", data: t.received, itemStyle: { color: "#2f6fde" } },
        { name: "结案", type: "bar", data: t.closed, itemStyle: { color: "#1a9e5f" } },
        { name: "满意率", type: "line", yAxisIndex: 1, data: t.satisfaction, connectNulls: true, itemStyle: { color: "#c8102e" } }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
    trendEl.dataset.points = String(t.labels.length);
  }

  var heatEl = document.getElementById("heat");
  var h = heatEl && data(heatEl, "heat");
  if (!heatEl || !h || !window.L) return;
  var max = 0;
  Object.keys(h.counts).forEach(function (k) { max = Math.max(max, h.counts[k]); });
  // white → deep red by the share of the busiest area
  function colour(n) {
    var s = max ? n / max : 0;
    var g = Math.round(245 - 200 * s), b = Math.round(240 - 200 * s);
    return "rgb(230," + g + "," + b + ")";
  }
  var map = L.map(heatEl, { attributionControl: false, keyboard: false });
  if (heatEl.dataset.tiles) L.tileLayer(heatEl.dataset.tiles, { maxZoom: 19 }).addTo(map);
  // the legend: the colour scale from 0 to the busiest area, in words
  var legend = document.getElementById("heat-legend");
  if (legend) {
    legend.querySelector(".lo").textContent = "0 件";
    legend.querySelector(".hi").textContent = max + " 件";
  }
  // grids of a community, or the communities of a street (their outlines)
  Promise.all(h.srcs.map(function (src) {
    return fetch(src, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); });
  }))
    .then(function (fcs) {
      var areas = [];
      fcs.forEach(function (fc) {
        fc.features.forEach(function (f) { if (f.properties.kind === h.kind) areas.push(f); });
      });
      var layer = L.geoJSON({ type: "FeatureCollection", features: areas }, {
        style: function (f) {
          var n = h.counts[f.properties.code] || 0;
          return { className: "heat-area", color: "#555", weight: 1, fillColor: colour(n), fillOpacity: 0.85 };
        },
        onEachFeature: function (f, l) {
          var n = h.counts[f.properties.code] || 0;
          // an area's name comes from people: text, never HTML
          var tip = document.createElement("span");
          tip.textContent = f.properties.name + " " + n + " 件";
          l.bindTooltip(tip, { permanent: true, direction: "center", className: "area-label" });
        }
      }).addTo(map);
      if (areas.length) map.fitBounds(layer.getBounds(), { padding: [12, 12] });
      heatEl.dataset.grids = String(areas.length);
    })
    .catch(function () {
      heatEl.textContent = "地图数据加载失败,请刷新重试";
      heatEl.dataset.grids = "error";
    });
})();
