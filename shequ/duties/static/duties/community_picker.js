// The request form's community picker (no inline scripts: CSP). A search box narrows the
// community checkboxes by name and unfolds the streets that match; a whole-street or whole-district
// choice ticks and locks the communities it stands for (the server expands it either way).
(function () {
  "use strict";

  function init(picker) {
    const search = picker.querySelector("[data-community-search]");
    const streets = Array.from(picker.querySelectorAll("[data-street]"));

    if (search) {
      search.hidden = false;
      search.addEventListener("input", function () {
        const q = search.value.trim();
        streets.forEach(function (street) {
          let hits = 0;
          street.querySelectorAll("[data-name]").forEach(function (box) {
            const hit = !q || box.dataset.name.indexOf(q) >= 0;
            box.hidden = !hit;
            if (hit) hits += 1;
          });
          street.hidden = q !== "" && hits === 0;
          const details = street.querySelector("details");
          if (details && q) details.open = hits > 0;
        });
      });
    }

    function sync() {
      const district = picker.querySelector("[data-area='district']:checked");
      streets.forEach(function (street) {
        const whole = street.querySelector("[data-area='street']");
        if (whole) whole.disabled = !!district;
        const covered = !!district || (whole && whole.checked);
        street.querySelectorAll("input[name='communities']").forEach(function (box) {
          if (covered) {
            if (!box.disabled) box.dataset.was = box.checked ? "1" : "";
            box.checked = true;
            box.disabled = true;
          } else if (box.disabled) {
            box.disabled = false;
            box.checked = box.dataset.was === "1";
          }
        });
      });
    }
    picker.addEventListener("change", function (evt) {
      if (evt.target.matches("[data-area]")) sync();
    });
    sync();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-community-picker]").forEach(init);
  });
})();
