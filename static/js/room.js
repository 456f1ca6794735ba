// The workshop room, live. The room's event stream says *that* something changed (never
// a vote value); this file then fetches the room's live sections again and swaps in each
// part the person is not working in. A form someone is typing in, a focused field and a
// message just shown stay as they are. Loaded by the room page only; no inline script.
(function () {
  "use strict";

  var room = document.getElementById("room");
  if (!room || !window.fetch) return;

  var KINDS = ["phase", "proposal", "votes", "decision", "participants", "workshop"];
  var FIELDS = "input, textarea, select";
  var running = false;
  var again = false;

  // Refreshes never overlap: a change announced during one is fetched right after it.
  function schedule() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    again = false;
    fetch(room.getAttribute("data-live-url"), { credentials: "same-origin" })
      .then(function (response) {
        // Taken out of the workshop, or signed out: show the page as it now is.
        if (response.redirected || response.status === 403 || response.status === 404) {
          window.location.reload();
          return null;
        }
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html) apply(html);
      })
      .catch(function () {
        // Offline for a moment: the next event refreshes everything again.
      })
      .then(function () {
        running = false;
        if (again) schedule();
      });
  }

  function apply(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    var banner = fresh.getElementById("room-phase");
    var key = banner ? banner.getAttribute("data-phase-key") : "";
    topLevelParts(fresh.body).forEach(function (part) {
      var current = document.getElementById(part.id);
      if (current) merge(current, part, key);
    });
    tick();
  }

  function topLevelParts(root) {
    return Array.prototype.filter.call(root.querySelectorAll("[data-live][id]"), function (el) {
      return !el.parentElement.closest("[data-live]");
    });
  }

  // The live parts directly inside `el` (not inside another part of it).
  function parts(el) {
    return Array.prototype.filter.call(el.querySelectorAll("[data-live][id]"), function (part) {
      return part.parentElement.closest("[data-live]") === el;
    });
  }

  // Replace `current` with `fresh`, or, when someone works in it, each part of it that
  // nobody works in; parts that came or went are added or removed in place.
  function merge(current, fresh, key) {
    if (current.classList.contains("is-gone")) revive(current);
    if (!busy(current, key)) {
      replace(current, fresh);
      return;
    }
    var freshParts = parts(fresh);
    var freshIds = {};
    freshParts.forEach(function (part) {
      freshIds[part.id] = true;
    });
    parts(current).forEach(function (part) {
      if (freshIds[part.id]) return;
      if (busy(part, key)) {
        gone(part);
      } else {
        part.remove();
      }
    });
    var previous = null;
    freshParts.forEach(function (part) {
      var existing = document.getElementById(part.id);
      if (existing) {
        merge(existing, part, key);
      } else if (previous) {
        previous.after(part);
        activate(part);
      } else {
        current.prepend(part);
        activate(part);
      }
      previous = document.getElementById(part.id);
    });
  }

  // The room moved on (a new phase) while someone typed here: keep the text, say so.
  function gone(part) {
    if (part.classList.contains("is-gone")) return;
    part.classList.add("is-gone");
    var note = document.createElement("p");
    note.className = "message message-error gone-note";
    note.setAttribute("role", "status");
    note.textContent =
      "The workshop has moved on, so this can no longer be saved here. " +
      "Your text is kept until you leave the page; copy it if you need it.";
    part.prepend(note);
    part.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.disabled = true;
    });
  }

  // Back in a phase where it can be saved (a new round): undo `gone`.
  function revive(part) {
    part.classList.remove("is-gone");
    part.querySelectorAll(".gone-note").forEach(function (note) {
      note.remove();
    });
    part.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.disabled = false;
    });
  }

  function replace(current, fresh) {
    var open = Array.prototype.slice.call(current.querySelectorAll("details[open][id]"));
    if (current.matches("details[open][id]")) open.push(current);
    current.replaceWith(fresh);
    open.forEach(function (details) {
      var same = document.getElementById(details.id);
      if (same) same.open = true;
    });
    activate(fresh);
  }

  function activate(el) {
    if (window.htmx) window.htmx.process(el);
  }

  // Someone works in `el`: a field has the focus, a form holds unsaved changes, or it
  // shows an answer (an error, a notice) made in the phase and round that are still on.
  function busy(el, key) {
    var kept = Array.prototype.slice.call(el.querySelectorAll("[data-keep]"));
    if (el.hasAttribute("data-keep")) kept.push(el);
    if (kept.some(function (k) { return k.getAttribute("data-keep") === key; })) return true;
    var active = document.activeElement;
    if (active && active !== document.body && el.contains(active) && active.matches(FIELDS)) {
      return true;
    }
    var forms = el.matches("form") ? [el] : Array.prototype.slice.call(el.querySelectorAll("form"));
    return forms.some(edited);
  }

  function edited(form) {
    return Array.prototype.some.call(form.elements, function (field) {
      if (field.type === "checkbox" || field.type === "radio") {
        return field.checked !== field.defaultChecked;
      }
      if (field.tagName === "SELECT") {
        var chosen = Array.prototype.some.call(field.options, function (option) {
          return option.defaultSelected;
        });
        return Array.prototype.some.call(field.options, function (option, i) {
          var initially = chosen ? option.defaultSelected : i === 0 && !field.multiple;
          return option.selected !== initially;
        });
      }
      if (field.type === "hidden" || !("defaultValue" in field)) return false;
      return field.value !== field.defaultValue;
    });
  }

  // The timebox of the current phase counts down, corrected for the server's clock.
  function tick() {
    document.querySelectorAll("time[data-countdown]").forEach(function (time) {
      if (!time.hasAttribute("data-offset")) {
        var skew = Date.parse(time.getAttribute("data-now")) - Date.now();
        time.setAttribute("data-offset", String(isNaN(skew) ? 0 : skew));
      }
      var now = Date.now() + Number(time.getAttribute("data-offset"));
      var left = Math.round((Date.parse(time.getAttribute("datetime")) - now) / 1000);
      var over = left <= 0;
      time.classList.toggle("is-over", over);
      if (over) {
        time.textContent = "time is up";
        return;
      }
      var minutes = Math.floor(left / 60);
      var seconds = left % 60;
      time.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds + " left";
    });
  }

  if (window.EventSource) {
    var source = new EventSource(room.getAttribute("data-events"));
    KINDS.forEach(function (kind) {
      source.addEventListener(kind, schedule);
    });
    // The stream reconnects by itself after each pause; it stays closed only when refused
    // (taken out of the workshop), and the refresh then shows why.
    source.addEventListener("error", function () {
      if (source.readyState === EventSource.CLOSED) schedule();
    });
  }
  // The server names a change this page made itself, so it refreshes without waiting.
  document.body.addEventListener("room-changed", schedule);
  tick();
  window.setInterval(tick, 1000);
})();
