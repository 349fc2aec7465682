// The run and compare forms: Replications follows the scenario picked (its own replications)
// until the planner types another number.
(function () {
  "use strict";
  for (const select of document.querySelectorAll("select[data-replications-for]")) {
    const field = document.getElementById("f-" + select.dataset.replicationsFor);
    const own = document.getElementById("own-replications");
    if (!field) continue;
    let shown = field.value;
    select.addEventListener("change", () => {
      const n = select.selectedOptions[0].dataset.replications || "";
      if (field.value === shown) field.value = n;  // not typed over: the new scenario's own
      shown = n;
      if (own) own.textContent = n;
    });
  }
})();
