// The scheme builder's live sum of weights: ticked indicators and filled manual rows count.
(function () {
  const form = document.getElementById("scheme-form");
  if (!form) return;
  const out = document.getElementById("weight-sum");
  const hint = document.getElementById("weight-hint");
  function cents(v) {
    const m = String(v || "").trim().match(/^(\d+)(?:\.(\d{1,2}))?$/);
    return m ? parseInt(m[1], 10) * 100 + parseInt((m[2] || "0").padEnd(2, "0"), 10) : 0;
  }
  function update() {
    let sum = 0;
    form.querySelectorAll("[data-weight]").forEach(function (input) {
      const row = input.closest("tr");
      const pick = row.querySelector("[data-pick]");
      if (pick && !pick.checked) return;
      sum += cents(input.value);
    });
    out.textContent = (sum / 100).toFixed(2).replace(/\.00$/, "");
    out.dataset.sum = String(sum / 100);
    out.classList.toggle("text-success", sum === 10000);
    out.classList.toggle("text-danger", sum !== 10000);
    hint.textContent = sum === 10000 ? "✓ 100" : (sum < 10000 ? "还差 " + ((10000 - sum) / 100) + " 分" : "多出 " + ((sum - 10000) / 100) + " 分");
    form.dataset.ready = "1";
  }
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
})();
