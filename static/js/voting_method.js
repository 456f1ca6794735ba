// Workshop planning and edit forms: parts that belong to one voting method (dots per voter
// for dot voting) show only while that method is chosen. The server renders the right
// state; this keeps it right as people change the method, and works without it.
(function () {
  "use strict";

  function sync(form) {
    var chosen = form.querySelector('input[name="voting_method"]:checked');
    var fixed = chosen && chosen.disabled;
    form.querySelectorAll("[data-shown-for-voting]").forEach(function (part) {
      var shown = !!chosen && chosen.value === part.getAttribute("data-shown-for-voting");
      part.hidden = !shown;
      // Once the room has started the method is fixed and its inputs stay as the page drew them.
      if (fixed) return;
      part.querySelectorAll("input, select, textarea").forEach(function (input) {
        input.disabled = !shown;
      });
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.name === "voting_method" && event.target.form) sync(event.target.form);
  });

  document.querySelectorAll("form").forEach(function (form) {
    if (form.querySelector("[data-shown-for-voting]")) sync(form);
  });
})();
