// Small progressive enhancements. Every page works without this file; the
// Content-Security-Policy allows no inline script, so all behaviour lives here.
(function () {
  "use strict";

  // Expand or collapse every branch of the chain at once.
  function setUpTreeTools() {
    document.querySelectorAll("[data-tree-tools]").forEach(function (tools) {
      tools.hidden = false;
    });
  }

  document.addEventListener("click", function (event) {
    var expand = event.target.closest("[data-expand]");
    if (expand) {
      var open = expand.getAttribute("data-expand") === "open";
      // A big chain draws a folded branch's cards only when it is opened: rather than
      // fetching every branch one by one, draw the whole chain open at once.
      if (open && document.querySelector("#chain details[data-lazy-branch]")) {
        var url = new URL(window.location.href);
        url.searchParams.set("expand", "1");
        url.searchParams.delete("open");
        url.hash = "";
        window.location.assign(url.href);
        return;
      }
      document.querySelectorAll("#chain details.branch").forEach(function (branch) {
        branch.open = open;
      });
      return;
    }
    var dismiss = event.target.closest("[data-dismiss]");
    if (dismiss) {
      closeForm(dismiss.closest("form"));
    }
  });

  // A link that opens a form in place (hx-get) is still a link: Ctrl/⌘/Shift-click opens
  // its own page in a new tab or window, as people expect. Stopped while capturing, so
  // htmx, listening on the link itself, never sees the click; the browser then follows it.
  document.addEventListener(
    "click",
    function (event) {
      if (!(event.ctrlKey || event.metaKey || event.shiftKey)) return;
      var link = event.target.closest && event.target.closest("a[hx-get][href]");
      if (link) event.stopPropagation();
    },
    true
  );

  // Escape closes an add form that was opened in place.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var form = event.target.closest && event.target.closest("form.add-form");
    if (form && form.querySelector("[data-dismiss]")) closeForm(form);
  });

  function closeForm(form) {
    if (!form) return;
    var slot = form.parentElement;
    var card = slot && slot.closest(".card, .no-vision");
    form.remove();
    var opener = card && card.querySelector(".card-actions a, a.button");
    if (opener) opener.focus();
  }

  // Ask before destructive actions (forms marked data-confirm).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

  // After htmx swaps content in: focus the first field with an error, or the
  // element the server marked (a goal just added), so keyboard users keep their place.
  document.addEventListener("htmx:afterSettle", function (event) {
    var root = event.detail.elt && event.detail.elt.isConnected ? event.detail.elt : document;
    var invalid = root.querySelector('[aria-invalid="true"]');
    if (invalid) {
      invalid.focus();
      return;
    }
    var marked = document.querySelector("[data-focus]");
    if (marked) {
      marked.removeAttribute("data-focus");
      marked.focus({ preventScroll: true });
      marked.scrollIntoView({ block: "center", behavior: "smooth" });
    }
    setUpTreeTools();
  });

  // On a phone the strategies start folded, so the chain itself is in the first screen;
  // their summaries stay, one tap away.
  function foldForSmallScreens() {
    if (!window.matchMedia("(max-width: 600px)").matches) return;
    document.querySelectorAll("details[data-fold-on-phone]").forEach(function (box) {
      box.open = false;
    });
  }

  function setUpPage() {
    setUpTreeTools();
    foldForSmallScreens();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpPage);
  } else {
    setUpPage();
  }
})();
