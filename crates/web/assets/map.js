// 网格地图: the community's outline, grids coloured by level and the
// buildings, from /api/v1/communities/{code}/map (GeoJSON, WGS-84).
// With no tile URL configured the map is drawn on a plain background.
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L) return;
  var map = L.map(el, { attributionControl: false, keyboard: false });
  if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map);
  var colours = { 1: "#2f6fde", 2: "#1a9e5f", 3: "#d9822b" };
  function style(f) {
    var p = f.properties;
    if (p.kind === "building") return {}; // styled in pointToLayer
    if (p.kind === "community") {
      return { className: "community", color: "#c8102e", weight: 3, fill: false, dashArray: "6 4" };
    }
    return { className: "grid level-" + p.level, color: colours[p.level] || "#555", weight: 2, fillOpacity: 0.25 };
  }
  // names come from people: shown as text, never read as HTML
  function text(s) {
    var span = document.createElement("span");
    span.textContent = s;
    return span;
  }
  function label(p) {
    if (p.kind === "building") return p.estate + " " + p.name + " · " + p.dwellings + " 户";
    if (p.kind === "grid") return p.name + " · " + p.buildings + " 栋 " + p.dwellings + " 户";
    return p.name;
  }
  fetch(el.dataset.src, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
    .then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    })
    .then(function (fc) {
      var layer = L.geoJSON(fc, {
        style: style,
        pointToLayer: function (f, at) {
          return L.circleMarker(at, { className: "building", radius: 7, color: "#c8102e", fillColor: "#fff", fillOpacity: 1, weight: 3 });
        },
        onEachFeature: function (f, l) {
          var p = f.properties;
          // grids carry their names on the map; the rest show on hover
          if (p.kind === "grid") l.bindTooltip(text(p.name), { permanent: true, direction: "center", className: "area-label" });
          else l.bindTooltip(text(label(p)), { sticky: true });
          // a click opens the grid or building in the tree
          if (p.kind === "grid" || p.kind === "building") {
            l.on("click", function () {
              location.href = "/places?code=" + encodeURIComponent(el.dataset.code) + "&" + p.kind + "=" + p.id;
            });
          }
        }
      }).addTo(map);
      if (fc.features.length) map.fitBounds(layer.getBounds(), { padding: [12, 12] });
      else map.setView([35, 105], 4);
      el.dataset.features = String(fc.features.length);
    })
    .catch(function () {
      el.textContent = "地图数据加载失败,请刷新重试";
      el.dataset.features = "error";
    });
})();
