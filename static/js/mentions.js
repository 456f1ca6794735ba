// Mentions: typing @ in a comment box (textarea[data-mentions]) suggests the product's
// members, fetched once from the URL in data-mentions. Arrow keys move, Enter or Tab picks,
// Escape closes. Without this file people type @email or @name by hand; the server decides.
(function () {
  "use strict";

  var MAX_SHOWN = 6;
  var members = {}; // url -> Promise of [{name, email, handle}]
  var state = null; // {box, list, live, start, options, active}
  var counter = 0;

  function load(url) {
    if (!members[url]) {
      members[url] = fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : { results: [] };
        })
        .then(function (body) {
          var people = (body.results || []).map(function (m) {
            return { name: m.name || "", email: m.email || "" };
          });
          var seen = {};
          people.forEach(function (p) {
            var key = p.name.toLowerCase();
            seen[key] = (seen[key] || 0) + 1;
          });
          // A name two people share would mention nobody: use the email for them.
          people.forEach(function (p) {
            p.handle = seen[p.name.toLowerCase()] === 1 && p.name ? p.name : p.email;
          });
          return people;
        })
        .catch(function () {
          delete members[url];
          return [];
        });
    }
    return members[url];
  }

  // The "@query" just before the caret, if the caret is in one.
  function queryAt(box) {
    var caret = box.selectionStart;
    if (caret !== box.selectionEnd) return null;
    var before = box.value.slice(Math.max(0, caret - 60), caret);
    var at = before.lastIndexOf("@");
    if (at < 0) return null;
    var query = before.slice(at + 1);
    var previous = at > 0 ? before.charAt(at - 1) : "";
    if (/[\w@]/.test(previous) || /[\n@]/.test(query) || query.split(" ").length > 3) return null;
    return { start: caret - query.length - 1, text: query.toLowerCase() };
  }

  function matches(person, text) {
    if (!text) return true;
    var name = person.name.toLowerCase();
    if (name.indexOf(text) === 0 || person.email.toLowerCase().indexOf(text) === 0) return true;
    return name.split(/\s+/).some(function (word) {
      return word.indexOf(text) === 0;
    });
  }

  function close() {
    if (!state) return;
    state.list.remove();
    state.box.setAttribute("aria-expanded", "false");
    state.box.removeAttribute("aria-activedescendant");
    state.live.textContent = "";
    state = null;
  }

  function ensureLive(box) {
    var id = box.id + "-mentions-status";
    var live = document.getElementById(id);
    if (!live) {
      live = document.createElement("p");
      live.id = id;
      live.className = "visually-hidden";
      live.setAttribute("role", "status");
      box.insertAdjacentElement("afterend", live);
    }
    return live;
  }

  function show(box, query, people) {
    var found = people.filter(function (p) {
      return matches(p, query.text);
    }).slice(0, MAX_SHOWN);
    if (!found.length) {
      close();
      return;
    }
    var live = ensureLive(box);
    if (state && state.box !== box) close();
    var list = state ? state.list : document.createElement("ul");
    if (!state) {
      counter += 1;
      list.id = "mention-list-" + counter;
      list.className = "mention-list";
      list.setAttribute("role", "listbox");
      list.setAttribute("aria-label", "People to mention");
      box.insertAdjacentElement("afterend", list);
      box.setAttribute("aria-controls", list.id);
      box.setAttribute("aria-autocomplete", "list");
    }
    list.textContent = "";
    found.forEach(function (person, index) {
      var option = document.createElement("li");
      option.id = list.id + "-" + index;
      option.setAttribute("role", "option");
      option.className = "mention-option";
      var name = document.createElement("span");
      name.className = "mention-name";
      name.textContent = person.name || person.email;
      var email = document.createElement("span");
      email.className = "mention-email";
      email.textContent = person.email;
      option.appendChild(name);
      option.appendChild(email);
      list.appendChild(option);
    });
    state = { box: box, list: list, live: live, start: query.start, options: found, active: 0 };
    box.setAttribute("aria-expanded", "true");
    highlight(0);
    live.textContent =
      found.length + (found.length === 1 ? " person matches" : " people match") +
      ". Up and down to choose, Enter to mention.";
  }

  function highlight(index) {
    var options = state.list.querySelectorAll("[role=option]");
    state.active = (index + options.length) % options.length;
    options.forEach(function (option, i) {
      option.setAttribute("aria-selected", i === state.active ? "true" : "false");
    });
    state.box.setAttribute("aria-activedescendant", options[state.active].id);
  }

  function choose(index) {
    var box = state.box;
    var person = state.options[index];
    var caret = box.selectionStart;
    var inserted = "@" + person.handle + " ";
    box.value = box.value.slice(0, state.start) + inserted + box.value.slice(caret);
    var at = state.start + inserted.length;
    close();
    box.focus();
    box.setSelectionRange(at, at);
  }

  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLTextAreaElement) || !box.hasAttribute("data-mentions")) return;
    var query = queryAt(box);
    if (!query) {
      close();
      return;
    }
    load(box.getAttribute("data-mentions")).then(function (people) {
      // The text may have changed while the members loaded: ask again.
      var now = queryAt(box);
      if (now && document.activeElement === box) show(box, now, people);
      else close();
    });
  });

  document.addEventListener("keydown", function (event) {
    if (!state || event.target !== state.box) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      highlight(state.active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      choose(state.active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });

  // mousedown, not click: the box keeps its focus and caret.
  document.addEventListener("mousedown", function (event) {
    if (!state) return;
    var option = event.target.closest && event.target.closest(".mention-option");
    if (option && state.list.contains(option)) {
      event.preventDefault();
      choose(Array.prototype.indexOf.call(state.list.children, option));
    } else if (event.target !== state.box) {
      close();
    }
  });

  document.addEventListener("focusout", function (event) {
    if (state && event.target === state.box) setTimeout(function () {
      if (state && document.activeElement !== state.box) close();
    }, 0);
  });

  // htmx may replace the comments section while the list is open.
  document.addEventListener("htmx:beforeSwap", close);
})();
