// Copy buttons: <button data-copy="ID"> copies the value of the field with that id and says
// so in the element marked data-copy-status="ID". Without the clipboard (a page served over
// plain HTTP) the value is left selected, for the keyboard's copy.
(function () {
  "use strict";

  function say(id, text) {
    var status = document.querySelector('[data-copy-status="' + id + '"]');
    if (status) status.textContent = text;
  }

  function copy(button) {
    var id = button.getAttribute("data-copy");
    var field = document.getElementById(id);
    if (!field) return;
    field.focus();
    field.select();
    function done() {
      say(id, "Copied to the clipboard.");
    }
    function failed() {
      say(id, "Could not copy by itself: it is selected, press Ctrl+C (⌘C on a Mac).");
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, failed);
    } else {
      failed();
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (button) copy(button);
  });
})();
