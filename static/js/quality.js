// The as-you-type goal-quality check (templates/goals/quality/_live.html) asks the server
// again after each pause in typing. When the advice has not changed, keep the region as it
// is, so that screen readers do not read the same advice out again.
(function () {
  "use strict";

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.hasAttribute("data-quality-check")) return;
    var next = document.createElement("template"); // inert: nothing in it loads or runs
    next.innerHTML = event.detail.serverResponse;
    if (next.content.textContent.trim() === target.textContent.trim()) {
      event.detail.shouldSwap = false;
    }
  });
})();
