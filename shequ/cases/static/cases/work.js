// The staff case pages: the small map on a case page and the map of open cases. No inline
// scripts (CSP): pages describe the map in data-* attributes and a JSON block.
(function () {
  "use strict";

  // Maps, text labels and the empty-map note come from shequ.js (window.shequMap): a case's title is
  // the requester's own words and reaches the page as text, never as HTML. (shequ.js is loaded
  // after this file, so it is looked up once the document is ready.)
  let M = null;

  function marker(lat, lng, color) {
    return L.circleMarker([lat, lng], {
      radius: 7, color: "#fff", weight: 2, fillColor: color, fillOpacity: 0.95, className: "sq-case-point",
    });
  }

  function initPoint(el) {
    const point = JSON.parse(document.getElementById(el.dataset.point).textContent);
    const map = M.create(el);
    map.setView([point.lat, point.lng], 17);
    marker(point.lat, point.lng, el.dataset.color || "#b71c1c").addTo(map).bindTooltip(M.text(point.title));
  }

  function popup(p) {
    const box = document.createElement("div");
    const link = document.createElement("a");
    link.href = p.url;
    link.textContent = p.number;
    const title = M.text(p.title, "d-block text-break");
    const status = document.createElement("small");
    status.textContent = p.status_label;
    box.append(link, title, status);
    return box;
  }

  function initCases(el) {
    const map = M.create(el);
    const gridsEl = document.getElementById(el.dataset.grids || "");
    const grids = gridsEl ? JSON.parse(gridsEl.textContent) : null;
    let gridLayer = null;
    if (grids && grids.features.length) {
      gridLayer = L.geoJSON(grids, {
        style: { color: "#6c757d", weight: 1, dashArray: "4 3", fillOpacity: 0.03 },
        interactive: false,
      }).addTo(map);
    }
    const layer = L.layerGroup().addTo(map);
    const count = document.getElementById("map-count");
    const form = document.getElementById("map-filter");
    let first = true;
    let asked = 0; // answers to an older view or filter are dropped
    let openUrl = null; // the case whose popup is open survives the reload its panning causes

    function load() {
      const n = ++asked;
      const params = new URLSearchParams(new FormData(form));
      if (!first) params.set("bbox", map.getBounds().toBBoxString());
      fetch(el.dataset.url + "?" + params.toString(), { credentials: "same-origin" })
        .then((r) => r.json())
        .then(function (fc) {
          if (n !== asked) return;
          const reopen = openUrl;
          layer.clearLayers();
          const points = [];
          fc.features.forEach(function (f) {
            const p = f.properties;
            const [lng, lat] = f.geometry.coordinates;
            points.push([lat, lng]);
            const m = marker(lat, lng, p.color).addTo(layer).bindPopup(popup(p));
            m.on("popupopen", () => { openUrl = p.url; });
            m.on("popupclose", () => { if (openUrl === p.url) openUrl = null; });
            if (p.url === reopen) m.openPopup();
          });
          if (count) {
            count.textContent = count.dataset.text.replace("%(n)s", fc.features.length) + (fc.truncated ? count.dataset.truncated : "");
          }
          const empty = el.querySelector(".map-empty");
          if (empty) empty.remove();
          if (!fc.features.length) M.showEmpty(el, el.dataset.emptyText);
          if (first) {
            first = false;
            if (points.length) map.fitBounds(points, { padding: [32, 32], maxZoom: 18 });
            else if (gridLayer) map.fitBounds(gridLayer.getBounds(), { padding: [12, 12] });
            else map.setView([30.35, 114.32], 13);
            map.on("moveend", load);
          }
        })
        .catch(function () {
          if (n === asked && count) count.textContent = count.dataset.failed;
        });
    }

    form.addEventListener("change", load);
    form.addEventListener("submit", (e) => { e.preventDefault(); load(); });
    load();
  }

  document.addEventListener("DOMContentLoaded", function () {
    M = window.shequMap;
    document.querySelectorAll("[data-map='case-point']").forEach(initPoint);
    document.querySelectorAll("[data-map='cases']").forEach(initCases);
  });
})();
