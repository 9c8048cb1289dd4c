// The staff case pages: the small map on a case page and the map of open cases. No inline
// scripts (CSP): pages describe the map in data-* attributes and a JSON block.
(function () {
  "use strict";

  function baseMap(el) {
    const map = L.map(el, { zoomSnap: 0.25, attributionControl: !!el.dataset.tiles });
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.tilesAttribution || "" }).addTo(map);
    } else {
      el.classList.add("map-plain");
    }
    return map;
  }

  function marker(lat, lng, color) {
    return L.circleMarker([lat, lng], { radius: 7, color: "#fff", weight: 2, fillColor: color, fillOpacity: 0.95 });
  }

  function initPoint(el) {
    const point = JSON.parse(document.getElementById(el.dataset.point).textContent);
    const map = baseMap(el);
    map.setView([point.lat, point.lng], 17);
    marker(point.lat, point.lng, el.dataset.color || "#b71c1c").addTo(map).bindTooltip(point.title);
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }

  function initCases(el) {
    const map = baseMap(el);
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
    let pending = null;

    function load() {
      const params = new URLSearchParams(new FormData(form));
      if (!first) params.set("bbox", map.getBounds().toBBoxString());
      if (pending) pending.abort();
      pending = new AbortController();
      fetch(el.dataset.url + "?" + params.toString(), { signal: pending.signal, credentials: "same-origin" })
        .then((r) => r.json())
        .then(function (fc) {
          layer.clearLayers();
          const points = [];
          fc.features.forEach(function (f) {
            const p = f.properties;
            const [lng, lat] = f.geometry.coordinates;
            points.push([lat, lng]);
            marker(lat, lng, p.color).addTo(layer).bindPopup(
              '<a href="' + escapeHtml(p.url) + '">' + escapeHtml(p.number) + "</a><br>" +
              escapeHtml(p.title) + "<br><small>" + escapeHtml(p.status_label) + "</small>");
          });
          if (count) {
            count.textContent = count.dataset.text.replace("%(n)s", fc.features.length) + (fc.truncated ? count.dataset.truncated : "");
          }
          const empty = el.querySelector(".map-empty");
          if (empty) empty.remove();
          if (!fc.features.length) {
            el.insertAdjacentHTML("beforeend", '<div class="map-empty">' + escapeHtml(el.dataset.emptyText || "") + "</div>");
          }
          if (first) {
            first = false;
            if (points.length) map.fitBounds(points, { padding: [32, 32], maxZoom: 18 });
            else if (gridLayer) map.fitBounds(gridLayer.getBounds(), { padding: [12, 12] });
            else map.setView([30.35, 114.32], 13);
            map.on("moveend", load);
          }
        })
        .catch(function (err) {
          if (err.name !== "AbortError" && count) count.textContent = count.dataset.failed;
        });
    }

    form.addEventListener("change", load);
    form.addEventListener("submit", (e) => { e.preventDefault(); load(); });
    load();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-map='case-point']").forEach(initPoint);
    document.querySelectorAll("[data-map='cases']").forEach(initCases);
  });
})();
