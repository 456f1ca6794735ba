// The GO roadmap's timeline: drag the start or end of a product goal's bar to change its
// timeframe, with the pointer or from the keyboard (arrow keys on a focused handle: a week a
// press, a day with Shift; Enter saves, Escape undoes). Each change is posted with the
// goal's version to the page's timeframe endpoint; an agreed goal first asks why in a
// dialog, and a change someone else made in between is shown, never silently overwritten.
(function () {
  "use strict";

  var DAY = 86400000;
  var root = document.querySelector("[data-roadmap]");
  if (!root) return;
  var chart = root.querySelector(".timeline-chart");
  var statusLine = root.querySelector("[data-roadmap-status]");
  var errorLine = root.querySelector("[data-roadmap-error]");
  var dialog = document.getElementById("reason-dialog");
  var start = parseDay(root.getAttribute("data-start"));
  var total = Number(root.getAttribute("data-days"));
  var drag = null;

  function parseDay(text) {
    var parts = text.split("-");
    return Date.UTC(Number(parts[0]), Number(parts[1]) - 1, Number(parts[2]));
  }
  function dayOf(offset) {
    return new Date(start + offset * DAY);
  }
  function iso(offset) {
    return dayOf(offset).toISOString().slice(0, 10);
  }
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  function readable(offset) { // as the page writes dates: 2 Mar 2026
    var day = dayOf(offset);
    return day.getUTCDate() + " " + MONTHS[day.getUTCMonth()] + " " + day.getUTCFullYear();
  }
  function offsetOf(isoDay) {
    return Math.round((parseDay(isoDay) - start) / DAY);
  }

  // A bar's saved timeframe lives in its data attributes; what is on screen may differ
  // while someone drags or presses arrow keys.
  function saved(bar) {
    return {
      starts: offsetOf(bar.getAttribute("data-starts")),
      ends: offsetOf(bar.getAttribute("data-ends")),
    };
  }
  function shown(bar) {
    return bar.pending || saved(bar);
  }

  function place(bar, span) {
    var starts = Math.max(0, Math.min(span.starts, total - 1));
    var ends = Math.max(starts + 1, Math.min(span.ends, total));
    bar.setAttribute("x", (starts / total * 100).toFixed(3) + "%");
    bar.setAttribute("width", ((ends - starts) / total * 100).toFixed(3) + "%");
    bar.querySelectorAll(".handle").forEach(function (handle) {
      var isStart = handle.getAttribute("data-edge") === "start";
      var value = isStart ? starts : ends;
      handle.setAttribute("aria-valuenow", String(value));
      handle.setAttribute("aria-valuetext", (isStart ? "Starts on " : "Ends on ") + readable(value));
    });
    var title = bar.querySelector("title");
    if (title) {
      title.textContent = bar.getAttribute("data-title") + ": " + readable(starts) + " – " + readable(ends);
    }
    return { starts: starts, ends: ends };
  }

  function move(bar, edge, days) {
    var span = shown(bar);
    var next = { starts: span.starts, ends: span.ends };
    if (edge === "start") next.starts = Math.min(span.starts + days, span.ends - 1);
    else next.ends = Math.max(span.ends + days, span.starts + 1);
    var placed = place(bar, next);
    var before = saved(bar);
    bar.pending = placed.starts === before.starts && placed.ends === before.ends ? null : placed;
    bar.classList.toggle("is-pending", Boolean(bar.pending));
  }

  function undo(bar) {
    bar.pending = null;
    bar.classList.remove("is-pending");
    place(bar, saved(bar));
  }

  function say(text) {
    errorLine.textContent = "";
    statusLine.textContent = text;
  }
  function warn(text) {
    statusLine.textContent = "";
    errorLine.textContent = text;
  }

  // Saving ----------------------------------------------------------------------------------

  function commit(bar) {
    var span = bar.pending;
    if (!span || bar.saving) return;
    bar.saving = true;
    if (bar.getAttribute("data-status") === "agreed") {
      askReason(bar, span, "", function (reason) {
        if (reason === null) {
          bar.saving = false;
          undo(bar);
          say("The timeframe of “" + bar.getAttribute("data-title") + "” was left as it was.");
        } else {
          send(bar, span, reason);
        }
      });
    } else {
      send(bar, span, "");
    }
  }

  function askReason(bar, span, problem, done) {
    var form = dialog.querySelector("form");
    var field = form.querySelector("textarea");
    var error = form.querySelector("[data-reason-error]");
    dialog.querySelector("[data-reason-change]").textContent =
      "“" + bar.getAttribute("data-title") + "” would run " + readable(span.starts) + " – " +
      readable(span.ends) + ".";
    var described = field.getAttribute("aria-describedby") || "";
    if (described.indexOf(error.id) === -1) {
      field.setAttribute("aria-describedby", (described + " " + error.id).trim());
    }
    error.hidden = !problem;
    if (problem) error.textContent = problem;
    field.setAttribute("aria-invalid", problem ? "true" : "false");
    field.value = "";

    function onSubmit(event) {
      var choice = event.submitter ? event.submitter.value : "save";
      if (choice === "save" && !field.value.trim()) {
        event.preventDefault();
        error.hidden = false;
        field.setAttribute("aria-invalid", "true");
        field.focus();
      }
    }
    function onClose() {
      form.removeEventListener("submit", onSubmit);
      dialog.removeEventListener("close", onClose);
      var reason = dialog.returnValue === "save" ? field.value.trim() : null;
      bar.querySelector(".handle").focus({ preventScroll: true });
      done(reason);
    }
    form.addEventListener("submit", onSubmit);
    dialog.addEventListener("close", onClose);
    dialog.returnValue = "";
    dialog.showModal();
    field.focus();
  }

  function send(bar, span, reason) {
    var body = new FormData();
    body.append("starts_on", iso(span.starts));
    body.append("ends_on", iso(span.ends));
    body.append("version", bar.getAttribute("data-version"));
    body.append("change_reason", reason);
    var token = document.querySelector("[name=csrfmiddlewaretoken]");
    say("Saving…");
    fetch(bar.getAttribute("data-url"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "", Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(
          function (data) { return { status: response.status, data: data }; },
          function () { return { status: response.status, data: null }; }
        );
      })
      .then(function (reply) { answered(bar, span, reply); })
      .catch(function () {
        bar.saving = false;
        undo(bar);
        warn("The change to “" + bar.getAttribute("data-title") + "” could not be sent: check your connection and try again.");
      });
  }

  function answered(bar, span, reply) {
    var title = bar.getAttribute("data-title");
    var errors = (reply.data && reply.data.errors) || {};
    bar.saving = false;
    if (reply.status === 200) {
      keep(bar, reply.data.goal);
      say("Saved: “" + title + "” now runs " + readable(span.starts) + " – " + readable(span.ends) + ".");
    } else if (reply.status === 409 && reply.data && reply.data.goal) {
      var now = reply.data.goal;
      keep(bar, now);
      warn(
        "Someone else changed “" + title + "” since you opened the roadmap; it now runs " +
        readable(offsetOf(now.starts_on)) + " – " + readable(offsetOf(now.ends_on)) +
        ". Your change (" + readable(span.starts) + " – " + readable(span.ends) +
        ") is not saved: drag again to make it on top of theirs."
      );
    } else if (reply.status === 400 && errors.change_reason) {
      bar.setAttribute("data-status", "agreed"); // agreed since the page was loaded
      bar.saving = true;
      askReason(bar, span, errors.change_reason.join(" "), function (reason) {
        if (reason === null) {
          bar.saving = false;
          undo(bar);
        } else {
          send(bar, span, reason);
        }
      });
    } else {
      undo(bar);
      var problems = [];
      Object.keys(errors).forEach(function (name) { problems = problems.concat(errors[name]); });
      warn("“" + title + "” was not changed: " + (problems.join(" ") || "the server refused it (" + reply.status + ")."));
    }
  }

  // Take the goal as the server has it now: dates, version and status.
  function keep(bar, goal) {
    bar.setAttribute("data-starts", goal.starts_on);
    bar.setAttribute("data-ends", goal.ends_on);
    bar.setAttribute("data-version", String(goal.version));
    bar.setAttribute("data-status", goal.status);
    bar.pending = null;
    bar.classList.remove("is-pending");
    var span = place(bar, saved(bar));
    document.querySelectorAll('[data-timeframe-of="' + goal.id + '"]').forEach(function (el) {
      el.textContent = readable(span.starts) + " – " + readable(span.ends);
    });
  }

  // Pointer ---------------------------------------------------------------------------------

  chart.addEventListener("pointerdown", function (event) {
    var handle = event.target.closest(".handle");
    if (!handle || event.button !== 0) return;
    var bar = handle.closest("[data-bar]");
    if (bar.saving) return;
    event.preventDefault();
    handle.focus({ preventScroll: true });
    handle.setPointerCapture(event.pointerId);
    drag = {
      bar: bar,
      edge: handle.getAttribute("data-edge"),
      x: event.clientX,
      from: shown(bar),
      width: chart.getBoundingClientRect().width,
    };
  });

  chart.addEventListener("pointermove", function (event) {
    if (!drag) return;
    var days = Math.round((event.clientX - drag.x) / drag.width * total);
    drag.bar.pending = drag.from;
    move(drag.bar, drag.edge, days);
  });

  function endDrag() {
    if (!drag) return;
    var bar = drag.bar;
    drag = null;
    commit(bar);
  }
  chart.addEventListener("pointerup", endDrag);
  chart.addEventListener("pointercancel", function () {
    if (!drag) return;
    var bar = drag.bar;
    drag = null;
    undo(bar);
  });

  // Keyboard --------------------------------------------------------------------------------

  var STEPS = { ArrowLeft: -7, ArrowRight: 7, ArrowDown: -7, ArrowUp: 7, PageDown: -30, PageUp: 30 };

  chart.addEventListener("keydown", function (event) {
    var handle = event.target.closest && event.target.closest(".handle");
    if (!handle) return;
    var bar = handle.closest("[data-bar]");
    if (bar.saving) return;
    if (event.key in STEPS) {
      event.preventDefault();
      var step = STEPS[event.key];
      if (event.shiftKey && Math.abs(step) === 7) step = step / 7;
      move(bar, handle.getAttribute("data-edge"), step);
      if (bar.pending) say("Press Enter to save, Escape to undo.");
    } else if (event.key === "Enter" && bar.pending) {
      event.preventDefault();
      commit(bar);
    } else if (event.key === "Escape" && bar.pending) {
      event.preventDefault();
      undo(bar);
      say("Undone.");
    }
  });

  // Leaving a handle with a change not yet saved saves it: nothing is lost on the way.
  chart.addEventListener("focusout", function (event) {
    var handle = event.target.closest && event.target.closest(".handle");
    if (!handle || drag) return;
    var bar = handle.closest("[data-bar]");
    if (bar.pending && !(event.relatedTarget && bar.contains(event.relatedTarget))) commit(bar);
  });
})();
