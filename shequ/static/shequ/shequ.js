// shequ page behaviour. No inline scripts (CSP): pages describe what they need in data-* attributes
// and <script type="application/json"> blocks; this file wires it up, also after htmx swaps.
(function () {
  "use strict";

  function jsonFrom(id) {
    const el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function csrfToken() {
    const m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.content : "";
  }

  // ---- maps ---------------------------------------------------------------------------------
  // User text (grid, community and building names, a case's title) reaches a map as text, never as
  // HTML: tooltips, popups and labels get an element whose textContent is set.
  function text(s, className) {
    const span = document.createElement("span");
    if (className) span.className = className;
    span.textContent = s == null ? "" : String(s);
    return span;
  }

  function showEmpty(el, message) {
    const box = document.createElement("div");
    box.className = "map-empty";
    box.textContent = message || "";
    el.appendChild(box);
    return box;
  }

  const STYLE = { color: "#0d6efd", weight: 2, fillOpacity: 0.12 };
  const STYLE_OTHER = { color: "#6c757d", weight: 1, dashArray: "4 3", fillOpacity: 0.04 };
  const BASE_GRID = { color: "#adb5bd", weight: 1, fillColor: "#ffffff", fillOpacity: 0.55 };
  const BASE_BUILDING = { radius: 3.5, color: "#868e96", weight: 1, fillColor: "#dee2e6", fillOpacity: 1 };

  // A name on the map's ground: a text element in the base's label pane, never interactive (not a
  // marker: the pages' markers are the points people place). Hidden while the map zooms. Made on
  // first use: pages without a map load no Leaflet.
  let BaseLabel = null;
  const baseLabelLayer = () => BaseLabel || (BaseLabel = L.Layer.extend({
    initialize: function (latlng, name, className) {
      this._latlng = L.latLng(latlng);
      this._el = L.DomUtil.create("div", className + " leaflet-zoom-hide");
      this._el.appendChild(text(name));
    },
    onAdd: function (map) {
      map.getPane("sq-base-labels").appendChild(this._el);
      map.on("zoomend viewreset", this._place, this);
      this._place();
    },
    onRemove: function (map) {
      L.DomUtil.remove(this._el);
      map.off("zoomend viewreset", this._place, this);
    },
    _place: function () {
      L.DomUtil.setPosition(this._el, this._map.latLngToLayerPoint(this._latlng));
    },
  }));

  // With no tile server (an intranet, or tests) the platform's own data is the map: grid outlines,
  // buildings and the names of streets, communities and compounds, fetched for the box in view
  // from the page's data-basemap address (scoped to the user). Drawn on a canvas below the page's
  // own layers and never interactive, so clicks reach the page's layers and the map itself.
  function vectorBase(map, el, options) {
    const url = el.dataset.basemap;
    if (!url) return null;
    map.createPane("sq-base").style.zIndex = 250;
    map.createPane("sq-base-labels").style.zIndex = 390;
    map.getPane("sq-base-labels").style.pointerEvents = "none";
    const renderer = L.canvas({ pane: "sq-base", padding: 0.3 });
    const group = L.layerGroup().addTo(map);
    let asked = 0; // answers to an older view are dropped

    function label(latlng, name, kind) {
      const Label = baseLabelLayer();
      return new Label(latlng, name, "sq-base-label sq-base-" + kind);
    }

    function draw(fc) {
      group.clearLayers();
      (fc.features || []).forEach(function (f) {
        const p = f.properties || {};
        if (p.kind === "grid") {
          L.geoJSON(f, { style: BASE_GRID, renderer: renderer, pane: "sq-base", interactive: false, pmIgnore: true }).addTo(group);
          if (options.gridNames && p.name && p.center) label(p.center, p.name, "grid").addTo(group);
          return;
        }
        const [lng, lat] = f.geometry.coordinates;
        if (p.kind === "building") {
          L.circleMarker([lat, lng], Object.assign({ renderer: renderer, pane: "sq-base", interactive: false }, BASE_BUILDING)).addTo(group);
          if (p.name) label([lat, lng], p.name, "building").addTo(group);
        } else if (p.name) {
          label([lat, lng], p.name, p.kind).addTo(group);
        }
      });
      el.dataset.basemapDrawn = String((fc.features || []).length);
      el.dispatchEvent(new CustomEvent("shequ:basemap", { detail: fc }));
    }

    function load() {
      const n = ++asked;
      const b = map.getBounds();
      const params = new URLSearchParams({ bbox: b.toBBoxString(), zoom: String(Math.floor(map.getZoom())) });
      fetch(url + "?" + params.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((r) => (r.ok ? r.json() : null))
        .then(function (fc) { if (fc && n === asked) draw(fc); })
        .catch(function () { /* the page's own layers still show; the next move asks again */ });
    }

    map.on("moveend", load);
    return group;
  }

  // The one way a page makes a map: tiles when a tile server is configured, else the vector base.
  // options.gridNames: label the grids from the base data (pages that label their own say false).
  function createMap(el, options) {
    options = Object.assign({ gridNames: true }, options || {});
    // Quarter zoom steps: a community or a street fills its map instead of a third of it.
    const map = L.map(el, { zoomControl: true, zoomSnap: 0.25, attributionControl: !!el.dataset.tiles });
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.tilesAttribution || "" }).addTo(map);
    } else {
      el.classList.add("map-plain");
      map.shequBase = vectorBase(map, el, options);
    }
    return map;
  }

  // One name per community, in the middle of its grids (pages without the vector base: the public
  // form, which shows grid outlines and names only).
  function labelCommunities(map, grids) {
    const bounds = {};
    grids.eachLayer(function (layer) {
      const name = layer.feature && layer.feature.properties.community;
      if (!name) return;
      if (bounds[name]) bounds[name].extend(layer.getBounds());
      else bounds[name] = L.latLngBounds(layer.getBounds().getSouthWest(), layer.getBounds().getNorthEast());
    });
    Object.keys(bounds).forEach(function (name) {
      L.tooltip({ permanent: true, direction: "center", className: "grid-label fw-semibold", interactive: false })
        .setLatLng(bounds[name].getCenter())
        .setContent(text(name))
        .addTo(map);
    });
  }

  window.shequMap = { create: createMap, text: text, showEmpty: showEmpty, labelCommunities: labelCommunities };

  // A permanent label is shown only while it fits inside its grid at the current zoom (else the
  // labels of a street's grids pile up into an unreadable heap); a hidden one shows on hover.
  function fitLabel(map, layer) {
    const tip = layer.getTooltip && layer.getTooltip();
    const label = tip && tip.getElement();
    if (!label || !layer.getBounds) return;
    const b = layer.getBounds();
    const nw = map.latLngToContainerPoint(b.getNorthWest());
    const se = map.latLngToContainerPoint(b.getSouthEast());
    const fits = label.offsetWidth + 8 <= se.x - nw.x && label.offsetHeight + 4 <= se.y - nw.y;
    label.classList.toggle("grid-label-hidden", !fits);
  }

  function fitLabels(map, group) {
    const refit = () => group.eachLayer((layer) => fitLabel(map, layer));
    refit();
    map.on("zoomend", refit);
  }

  function gridLayer(fc, style, withLinks) {
    return L.geoJSON(fc, {
      style: style,
      pmIgnore: true, // reference layers: the editing tools never touch them
      onEachFeature: function (f, layer) {
        const p = f.properties || {};
        if (p.name) {
          layer.bindTooltip(text(p.name), { permanent: !!withLinks, direction: "center", className: "grid-label" });
          if (withLinks) {
            layer.on("mouseover", function () {
              const label = layer.getTooltip().getElement();
              if (label) label.classList.remove("grid-label-hidden");
            });
            layer.on("mouseout", function () { if (layer._map) fitLabel(layer._map, layer); });
          }
        }
        if (withLinks && p.url) {
          layer.on("click", function () { window.location.href = p.url; });
        }
      },
    });
  }

  function initOverviewMap(el) {
    const fc = jsonFrom(el.dataset.features);
    const map = createMap(el, { gridNames: false });
    const layer = gridLayer(fc, STYLE, true).addTo(map);
    if (fc && fc.features.length) {
      map.fitBounds(layer.getBounds(), { padding: [12, 12] });
      fitLabels(map, layer);
    } else {
      map.setView([30.35, 114.32], 13);
      showEmpty(el, el.dataset.emptyText);
    }
  }

  function initGridMap(el) {
    const siblings = jsonFrom(el.dataset.siblings);
    const own = jsonFrom(el.dataset.feature);
    const map = createMap(el, { gridNames: false });
    const others = gridLayer(
      { type: "FeatureCollection", features: (siblings ? siblings.features : []).filter((f) => String(f.properties.id) !== el.dataset.gridId) },
      STYLE_OTHER, true).addTo(map);
    let ownLayer = own ? L.geoJSON(own, { style: STYLE }).addTo(map) : null;
    if (ownLayer) map.fitBounds(ownLayer.getBounds(), { padding: [24, 24] });
    else if (others.getLayers().length) map.fitBounds(others.getBounds());
    else map.setView([30.35, 114.32], 14);
    fitLabels(map, others);

    if (el.dataset.editable !== "1" || !map.pm) return;
    map.pm.setLang("zh");
    map.pm.addControls({
      position: "topleft", drawMarker: false, drawCircleMarker: false, drawPolyline: false, drawRectangle: true,
      drawCircle: false, drawText: false, cutPolygon: false, rotateMode: false, dragMode: false, removalMode: false,
    });
    map.on("pm:create", function (e) {
      if (ownLayer) map.removeLayer(ownLayer);
      ownLayer = e.layer;
    });
    const saveBtn = document.getElementById("save-boundary");
    const status = document.getElementById("boundary-status");
    if (!saveBtn) return;
    saveBtn.addEventListener("click", function () {
      if (!ownLayer) { status.textContent = saveBtn.dataset.needShape; status.className = "text-danger small"; return; }
      let geo = ownLayer.toGeoJSON();
      if (geo.type === "FeatureCollection") geo = geo.features[0];
      saveBtn.disabled = true;  // no double submit
      fetch(el.dataset.saveUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ geometry: geo.geometry, version: parseInt(el.dataset.version, 10) }),
      })
        .then((r) => r.json().then((body) => ({ ok: r.ok, body: body })))
        .then(function (res) {
          if (res.ok) {
            status.textContent = saveBtn.dataset.saved + "（" + Math.round(res.body.area_m2).toLocaleString() + " ㎡）";
            status.className = "text-success small";
            el.dataset.version = res.body.version;
          } else {
            status.textContent = res.body.message;
            status.className = "text-danger small";
          }
        })
        .catch(function () { status.textContent = saveBtn.dataset.failed; status.className = "text-danger small"; })
        .finally(function () { saveBtn.disabled = false; });
    });
  }

  // ---- charts -------------------------------------------------------------------------------
  function initChart(el) {
    const option = jsonFrom(el.dataset.option);
    if (!option || typeof echarts === "undefined") return;
    const chart = echarts.init(el);
    // Marks the chart drawn (animation included): what screenshots and browser tests wait for.
    chart.on("finished", () => { el.dataset.chartDrawn = "1"; });
    chart.setOption(option);
    window.addEventListener("resize", () => chart.resize());
  }

  function init(root) {
    root.querySelectorAll("[data-map='overview']:not(.leaflet-container)").forEach(initOverviewMap);
    root.querySelectorAll("[data-map='grid']:not(.leaflet-container)").forEach(initGridMap);
    root.querySelectorAll("[data-chart]:not([_echarts_instance_])").forEach(initChart);
  }

  document.addEventListener("DOMContentLoaded", function () {
    init(document);
    document.body.addEventListener("htmx:configRequest", function (evt) {
      evt.detail.headers["X-CSRFToken"] = csrfToken();
    });
    document.body.addEventListener("htmx:afterSwap", function (evt) { init(evt.detail.target); });
    // A form with data-confirm asks first; any form marked data-once disables its submit button
    // after the first click (a double click sends one request).
    document.body.addEventListener("submit", function (evt) {
      const form = evt.target;
      if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
        evt.preventDefault();
        return;
      }
      if (form.matches("form[data-once]")) {
        form.querySelectorAll("button[type=submit]").forEach((b) => { b.disabled = true; });
      }
    });
    // A cascade picker's search box lives inside the page's form: Enter (or the phone keyboard's
    // search key) must not submit the form; with one option left, it chooses that option.
    document.body.addEventListener("keydown", function (evt) {
      const box = evt.target.closest && evt.target.closest("[data-picker-search]");
      if (!box || evt.key !== "Enter") return;
      evt.preventDefault();
      const picker = box.closest("[data-picker]");
      const options = picker ? picker.querySelectorAll("[data-picker-option]") : [];
      if (options.length === 1) options[0].click();
    });
    // A button marked data-print prints the page (letters and certificates have a print sheet).
    document.body.addEventListener("click", function (evt) {
      if (evt.target.closest("[data-print]")) window.print();
    });
    document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
      el.addEventListener("change", function () { el.form.requestSubmit(); });
    });
  });
})();
