// Facility maps: the points of a scope's premises (coloured by their community's compliance) and
// the one point of a facility's page. Names reach the map as text (window.shequMap.text).
(function () {
  "use strict";
  let M = null;

  function marker(p) {
    return L.circleMarker([p.lat, p.lng], {
      radius: 7, color: "#fff", weight: 2, fillColor: p.color || "#1565c0", fillOpacity: 0.95,
    });
  }

  function popup(p) {
    const box = document.createElement("div");
    const link = document.createElement("a");
    link.href = p.url;
    link.textContent = p.name;
    box.append(link, M.text(p.kind, "d-block small text-muted"));
    return box;
  }

  function init(el) {
    const points = JSON.parse(document.getElementById(el.dataset.points).textContent) || [];
    const map = M.create(el);
    const latlngs = [];
    points.forEach(function (p) {
      latlngs.push([p.lat, p.lng]);
      const m = marker(p).addTo(map);
      if (p.url) m.bindPopup(popup(p)); else m.bindTooltip(M.text(p.name));
    });
    if (latlngs.length === 1) map.setView(latlngs[0], 17);
    else if (latlngs.length) map.fitBounds(latlngs, { padding: [24, 24], maxZoom: 17 });
    else { map.setView([30.35, 114.32], 13); M.showEmpty(el, el.dataset.emptyText); }
    el.dataset.pointsDrawn = String(points.length);
  }

  document.addEventListener("DOMContentLoaded", function () {
    M = window.shequMap;
    document.querySelectorAll("[data-map='facilities']").forEach(init);
  });
})();
