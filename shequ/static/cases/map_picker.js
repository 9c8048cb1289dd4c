// Intake pages: pick the place on a map (tap, drag, or "use my position"), preview which grid and
// community it falls in, count the characters of the description, hide the contact fields of an
// anonymous request, and mark a small screen's submission as 手机提交. No inline scripts (CSP):
// the page describes what it needs in data-* attributes.
(function () {
  "use strict";

  const GRID_STYLE = { color: "#0d6efd", weight: 1.5, fillOpacity: 0.08 };
  const DEFAULT_VIEW = [30.35, 114.32];

  function jsonFrom(id) {
    const el = id && document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function byId(id) {
    return id ? document.getElementById(id) : null;
  }

  function setStatus(el, text, tone) {
    if (!el) return;
    el.textContent = text;
    el.className = "small mt-1 " + (tone ? "text-" + tone : "text-muted");
  }

  function initPicker(el) {
    const d = el.dataset;
    const latIn = byId(d.lat);
    const lngIn = byId(d.lng);
    const status = byId(d.status);
    const community = byId(d.community);
    const clearBtn = document.querySelector("[data-clear-point][data-for='" + el.id + "']");
    const geoBtn = document.querySelector("[data-geolocate][data-for='" + el.id + "']");

    // With no tile server (an intranet, or tests) the map is drawn from the platform's own data:
    // for staff, the vector base of shequ.js (buildings and names too); on the public form, the grid
    // outlines and their names only. Names are text, never HTML.
    const M = window.shequMap;
    const map = M.create(el, { gridNames: false });
    const fc = jsonFrom(d.features);
    const grids = L.geoJSON(fc, {
      style: GRID_STYLE,
      onEachFeature: function (f, layer) {
        const p = f.properties || {};
        if (p.name) layer.bindTooltip(M.text(p.name), { sticky: true, className: "grid-label" });
      },
    }).addTo(map);
    if (fc && fc.features.length) {
      map.fitBounds(grids.getBounds(), { padding: [8, 8] });
      if (!map.shequBase) M.labelCommunities(map, grids);
    } else {
      map.setView(DEFAULT_VIEW, 13);
    }

    let marker = null;
    let asked = 0; // answers to an older point are ignored

    function preview(lat, lng) {
      if (!d.locateUrl) return;
      const n = ++asked;
      setStatus(status, d.msgChecking, "");
      fetch(d.locateUrl + "?lat=" + lat + "&lng=" + lng, { headers: { Accept: "application/json" } })
        .then((r) => r.json())
        .then(function (body) {
          if (n !== asked) return;
          if (body.found) {
            const grid = body.grid && body.grid.indexOf(body.community) === 0 ? body.grid : [body.community, body.grid].filter(Boolean).join(" · ");
            const where = [body.street, grid].filter(Boolean).join(" · ");
            setStatus(status, d.msgFound.replace("%s", where), "success");
            if (community && body.community_code && (!community.value || community.dataset.auto === "1")) {
              const opt = community.querySelector("option[value='" + body.community_code + "']");
              if (opt) {
                community.value = body.community_code;
                community.dataset.auto = "1"; // filled in by the map, not chosen by the user
              }
            }
          } else {
            // The page's own wording: the patrol form has no community to fall back on.
            setStatus(status, d.msgOutside || body.message, "danger");
            if (community && community.dataset.auto === "1") {
              community.value = ""; // what the map filled in for an earlier point no longer holds
              delete community.dataset.auto;
            }
          }
        })
        .catch(function () {
          if (n === asked) setStatus(status, d.msgOffline, "warning");
        });
    }

    function place(lat, lng, pan) {
      lat = Math.round(lat * 1e6) / 1e6;
      lng = Math.round(lng * 1e6) / 1e6;
      latIn.value = lat;
      lngIn.value = lng;
      if (!marker) {
        marker = L.marker([lat, lng], { draggable: true, autoPan: true, title: d.msgMarker }).addTo(map);
        marker.on("dragend", function () {
          const p = marker.getLatLng();
          place(p.lat, p.lng, false);
        });
      } else {
        marker.setLatLng([lat, lng]);
      }
      if (pan) map.setView([lat, lng], Math.max(map.getZoom(), 16));
      if (clearBtn) clearBtn.hidden = false;
      preview(lat, lng);
    }

    function clear() {
      if (marker) map.removeLayer(marker);
      marker = null;
      latIn.value = "";
      lngIn.value = "";
      asked++;
      if (clearBtn) clearBtn.hidden = true;
      setStatus(status, d.msgHint, "");
    }

    function geolocate() {
      if (!navigator.geolocation) {
        setStatus(status, d.msgNoGeo, "warning");
        return;
      }
      setStatus(status, d.msgLocating, "");
      if (geoBtn) geoBtn.disabled = true;
      navigator.geolocation.getCurrentPosition(
        function (pos) {
          if (geoBtn) geoBtn.disabled = false;
          place(pos.coords.latitude, pos.coords.longitude, true);
        },
        function () {
          if (geoBtn) geoBtn.disabled = false;
          setStatus(status, d.msgGeoFailed, "warning");
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    }

    if (community) community.addEventListener("change", function () { delete community.dataset.auto; });
    map.on("click", function (e) {
      place(e.latlng.lat, e.latlng.lng, false);
    });
    if (geoBtn) geoBtn.addEventListener("click", geolocate);
    if (clearBtn) clearBtn.addEventListener("click", clear);

    const lat0 = parseFloat(latIn.value);
    const lng0 = parseFloat(lngIn.value);
    if (!isNaN(lat0) && !isNaN(lng0)) {
      place(lat0, lng0, true); // the form came back with an error: keep the chosen point
    } else if (d.autoLocate === "1") {
      geolocate();
    }
    // The map may have been laid out before the page's fonts settled.
    window.addEventListener("load", function () { map.invalidateSize(); });
  }

  function initCounter(area) {
    const max = parseInt(area.dataset.counter, 10);
    const out = document.createElement("div");
    out.className = "form-text text-end";
    out.setAttribute("aria-live", "polite");
    area.insertAdjacentElement("afterend", out);
    const update = function () {
      const n = area.value.length;
      out.textContent = n + " / " + max;
      out.classList.toggle("text-danger", n > max);
    };
    area.addEventListener("input", update);
    update();
  }

  function initAnonymous(box) {
    const target = document.querySelector("[data-contact]");
    if (!target) return;
    const update = function () { target.hidden = box.checked; };
    box.addEventListener("change", update);
    update();
  }

  function initPhotos(input) {
    const max = parseInt(input.dataset.photoCount, 10);
    const out = document.createElement("div");
    out.className = "form-text";
    input.insertAdjacentElement("afterend", out);
    input.addEventListener("change", function () {
      const n = input.files ? input.files.length : 0;
      const tooMany = n > max;
      out.textContent = tooMany ? (input.dataset.msgTooMany || "").replace("%n", max) : n ? (input.dataset.msgChosen || "").replace("%n", n) : "";
      out.classList.toggle("text-danger", tooMany);
      input.classList.toggle("is-invalid", tooMany);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-map-picker]").forEach(initPicker);
    document.querySelectorAll("textarea[data-counter]").forEach(initCounter);
    document.querySelectorAll("input[data-anonymous]").forEach(initAnonymous);
    document.querySelectorAll("input[data-photo-count]").forEach(initPhotos);
    if (window.matchMedia("(max-width: 767.98px)").matches) {
      document.querySelectorAll("input[data-channel-auto]").forEach(function (el) { el.value = "mobile"; });
    }
  });
})();
