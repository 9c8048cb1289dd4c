// 一表通 binding grid: a click picks the first cell, Shift+click the last cell of a row or column,
// Alt+click (or the 名称 button) where the labels of a range start. Delegated, so it keeps working
// after htmx swaps the workspace.
(function () {
  "use strict";
  function form() { return document.getElementById("rf-bind-form"); }
  function mark() {
    const f = form();
    if (!f) return;
    const picked = {};
    ["cell", "end_cell", "label_cell"].forEach(function (n) {
      const v = (f.elements[n].value || "").toUpperCase();
      if (v) picked[v] = n;
    });
    document.querySelectorAll("#rf-grid td[data-cell]").forEach(function (td) {
      td.classList.toggle("rf-picked", picked[td.dataset.cell] === "cell" || picked[td.dataset.cell] === "end_cell");
      td.classList.toggle("rf-label-picked", picked[td.dataset.cell] === "label_cell");
    });
    const hint = document.getElementById("rf-picked");
    if (hint) {
      const c = f.elements.cell.value, e = f.elements.end_cell.value;
      hint.textContent = c ? (e ? c + ":" + e : c) : "—";
    }
  }
  document.addEventListener("click", function (ev) {
    const td = ev.target.closest("#rf-grid td[data-cell]");
    const f = form();
    if (!td || !f) return;
    const target = f.dataset.next || "cell";
    const coord = td.dataset.cell;
    if (ev.altKey || target === "label_cell") {
      f.elements.label_cell.value = coord;
      f.dataset.next = "cell";
    } else if ((ev.shiftKey || target === "end_cell") && f.elements.cell.value) {
      f.elements.end_cell.value = coord;
      if (f.elements.kind.value !== "manual") f.elements.kind.value = "range";
      f.dataset.next = "cell";
    } else {
      f.elements.cell.value = coord;
      f.elements.end_cell.value = "";
      f.elements.label_cell.value = "";
      if (f.elements.kind.value === "range") f.elements.kind.value = "value";
    }
    mark();
  });
  document.addEventListener("click", function (ev) {
    const b = ev.target.closest("[data-rf-next]");
    const f = form();
    if (!b || !f) return;
    f.dataset.next = b.dataset.rfNext;
  });
  document.addEventListener("input", function (ev) { if (ev.target.closest("#rf-bind-form")) mark(); });
  document.addEventListener("htmx:afterSwap", mark);
  document.addEventListener("DOMContentLoaded", mark);
})();
