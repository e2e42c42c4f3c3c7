/* checkdown: ticks, progress, filters, export and import. Ticks live in localStorage
   under "checkdown:<item id>", the item's stable id, never its position, so inserting or
   rewording an item moves no one's ticks. Items the source marks done (the body's
   data-checked ids) start ticked; a reader who unticks one is kept under
   "checkdown-open:<item id>", so the reader's own state always wins over the source's.
   This script only sets text and attributes; it never parses HTML. */
(function () {
  "use strict";
  var PREFIX = "checkdown:";
  var OPEN = "checkdown-open:";
  var FORMAT = "checkdown-progress";
  var ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
  var memory = {};
  var stored = true;
  try {
    localStorage.setItem(PREFIX + "probe", "1");
    localStorage.removeItem(PREFIX + "probe");
  } catch (e) {
    stored = false;
  }

  function all(selector, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(selector));
  }
  function one(selector, root) {
    return (root || document).querySelector(selector);
  }

  /* Storage, by whole key: the value is when the item was ticked or unticked (ISO 8601),
     or "1" from older pages. */
  function load(key) {
    if (stored) {
      try { return localStorage.getItem(key); } catch (e) { /* fall through */ }
    }
    return Object.prototype.hasOwnProperty.call(memory, key) ? memory[key] : null;
  }
  function save(key, value) {
    if (stored) {
      try {
        if (value === null) { localStorage.removeItem(key); } else { localStorage.setItem(key, value); }
        return;
      } catch (e) { /* fall through */ }
    }
    if (value === null) { delete memory[key]; } else { memory[key] = value; }
  }
  function keysWith(prefix) {
    var ids = [];
    var keys = Object.keys(memory);
    if (stored) {
      try {
        keys = [];
        for (var i = 0; i < localStorage.length; i++) { keys.push(localStorage.key(i)); }
      } catch (e) { keys = Object.keys(memory); }
    }
    keys.forEach(function (key) {
      if (key && key.indexOf(prefix) === 0 && key !== PREFIX + "probe") { ids.push(key.slice(prefix.length)); }
    });
    return ids.sort();
  }

  /* The source's state: the ids the page says are checked in the docs. */
  var source = {};
  (document.body.getAttribute("data-checked") || "").split(" ").forEach(function (id) {
    if (id) { source[id] = true; }
  });
  function fromSource(id) { return Object.prototype.hasOwnProperty.call(source, id); }

  /* A tick: when it was ticked, or null. */
  function get(id) { return load(PREFIX + id); }
  /* The reader's state of an item: ticked (a time), unticked (null), or, for an item the
     reader never changed, the source's. */
  function put(id, value) {
    save(PREFIX + id, value);
    save(OPEN + id, value === null && fromSource(id) ? new Date().toISOString() : null);
  }
  function isDone(id) {
    if (get(id) !== null) { return true; }
    if (load(OPEN + id) !== null) { return false; }
    return fromSource(id);
  }
  function tickedIds() { return keysWith(PREFIX); }
  function untickedIds() { return keysWith(OPEN); }
  /* Forgets what the reader did to an item: it shows the source's state again. */
  function forget(id) {
    save(PREFIX + id, null);
    save(OPEN + id, null);
  }

  var boxes = all("input[type=checkbox][data-id]");
  var items = all("li.item[data-id]");
  var statusLine = one("[data-status]");
  function say(text) { if (statusLine) { statusLine.textContent = text; } }
  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }

  /* Progress: every element with data-ids counts its own items. */
  function refreshProgress() {
    all("[data-ids]").forEach(function (el) {
      var ids = (el.getAttribute("data-ids") || "").split(" ").filter(Boolean);
      var done = ids.filter(isDone).length;
      var total = ids.length;
      var bar = one("progress", el);
      if (bar) { bar.max = total || 1; bar.value = done; }
      all("[data-done]", el).forEach(function (d) { d.textContent = String(done); });
      var fill = one("[data-bar]", el);
      if (fill) {
        var full = Number(fill.getAttribute("data-bar")) || 0;
        fill.setAttribute("width", String(total ? Math.round(full * done / total * 10) / 10 : 0));
      }
      var tip = one("title", el);
      if (tip && el.hasAttribute("data-label")) {
        tip.textContent = el.getAttribute("data-label") + ": " + done + " of " + total + " done";
      }
      el.classList.toggle("complete", total > 0 && done === total);
    });
  }

  function refresh() {
    boxes.forEach(function (box) { box.checked = isDone(box.getAttribute("data-id")); });
    items.forEach(function (li) { li.classList.toggle("done", isDone(li.getAttribute("data-id"))); });
    refreshProgress();
    applyFilters();
  }

  /* Filters. */
  var form = one("form[data-filters]");
  var shownLine = one("[data-shown]");
  function fold(text) {
    return String(text).toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/\s+/g, " ");
  }
  var haystack = {};
  /* What search looks in: the title, the code, the body and the callouts (not the source
     line, which every item of a page shares). */
  items.forEach(function (li) {
    var parts = all(":scope > .row label, :scope > .row .tags code, :scope > .summary", li).map(function (e) { return e.textContent; });
    var details = one(":scope > details", li);
    if (details) {
      Array.prototype.forEach.call(details.children, function (child) {
        if (child.tagName !== "SUMMARY" && !child.classList.contains("source")) { parts.push(child.textContent); }
      });
    }
    haystack[li.getAttribute("data-id")] = fold(parts.join(" "));
  });
  function field(name) { return form ? form.elements.namedItem(name) : null; }
  function value(name) { var f = field(name); return f ? f.value : ""; }
  function flag(name) { var f = field(name); return !!(f && f.checked); }
  function filtersActive() {
    return !!(value("q").trim() || value("section") || value("level") || flag("tradeoff") || flag("risk") || flag("open"));
  }
  function applyFilters() {
    if (!form) { return; }
    var terms = fold(value("q")).split(" ").filter(Boolean);
    var section = value("section");
    var level = value("level");
    var tradeoff = flag("tradeoff");
    var risk = flag("risk");
    var open = flag("open");
    var shown = 0;
    items.forEach(function (li) {
      var id = li.getAttribute("data-id");
      var text = haystack[id] || "";
      var ok = (!section || li.getAttribute("data-section") === section) &&
        (!level || li.getAttribute("data-level") === level) &&
        (!tradeoff || li.getAttribute("data-tradeoffs") !== "0") &&
        (!risk || li.getAttribute("data-risks") !== "0") &&
        (!open || !isDone(id)) &&
        terms.every(function (t) { return text.indexOf(t) !== -1; });
      li.hidden = !ok;
      li.toggleAttribute("data-match", ok);
      if (ok) { shown++; }
    });
    /* An item nested in another stays in view with the items it is nested in. */
    all("li.item[data-match]").forEach(function (li) {
      for (var up = li.parentElement && li.parentElement.closest("li.item"); up; up = up.parentElement && up.parentElement.closest("li.item")) {
        up.hidden = false;
      }
    });
    /* A group's caption shows while an item of its list does. */
    all("p.group").forEach(function (caption) {
      var list = caption.nextElementSibling;
      caption.hidden = !!list && all(":scope > li.item:not([hidden])", list).length === 0;
    });
    var active = filtersActive();
    all("section[data-section]").forEach(function (s) {
      var visible = all("li.item[data-match]", s).length;
      s.hidden = active && visible === 0;
      var count = one("[data-section-shown]", s);
      if (count) { count.textContent = active ? " · " + visible + " shown" : ""; }
    });
    if (shownLine) {
      shownLine.textContent = active
        ? "Showing " + shown + " of " + plural(items.length, "item", "items") + "."
        : "Showing all " + plural(items.length, "item", "items") + ".";
    }
  }
  function clearFilters() {
    if (!form) { return; }
    form.reset();
    applyFilters();
  }
  if (form) {
    form.addEventListener("input", applyFilters);
    form.addEventListener("change", applyFilters);
    form.addEventListener("submit", function (e) { e.preventDefault(); applyFilters(); });
  }

  /* Ticking. With "open items only" on, a ticked item leaves the list: keep the keyboard
     where it was by moving focus to the next visible checkbox. */
  boxes.forEach(function (box, index) {
    box.addEventListener("change", function () {
      put(box.getAttribute("data-id"), box.checked ? new Date().toISOString() : null);
      refresh();
      if (box.closest("li.item").hidden) {
        var next = boxes.slice(index + 1).concat(boxes.slice(0, index).reverse()).filter(function (b) {
          return !b.closest("li.item").hidden;
        })[0];
        (next || field("q") || document.body).focus();
      }
    });
  });

  /* Details: expand or collapse all; open everything for printing. */
  var toggle = one("[data-expand]");
  if (toggle) {
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-pressed") !== "true";
      all("li.item details").forEach(function (d) { d.open = open; });
      toggle.setAttribute("aria-pressed", String(open));
    });
  }
  var closedForPrint = [];
  window.addEventListener("beforeprint", function () {
    closedForPrint = all("details:not([open])");
    closedForPrint.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    closedForPrint.forEach(function (d) { d.open = false; });
    closedForPrint = [];
  });

  /* Deep links: #anchor opens the item, even when the filters hid it. */
  function reveal() {
    var target = null;
    try { target = document.getElementById(decodeURIComponent(location.hash.slice(1))); } catch (e) { return; }
    if (!target || !target.classList.contains("item")) { return; }
    if (target.hidden) { clearFilters(); }
    var details = one("details", target);
    if (details) { details.open = true; }
    target.scrollIntoView();
  }
  window.addEventListener("hashchange", reveal);

  /* Export, import, reset. */
  function exportProgress() {
    var done = {};
    tickedIds().forEach(function (id) { done[id] = get(id); });
    var count = Object.keys(done).length;
    var data = { format: FORMAT, version: 1, exported: new Date().toISOString(), done: done };
    var unticked = untickedIds();
    if (unticked.length) {
      data.open = {};
      unticked.forEach(function (id) { data.open[id] = load(OPEN + id); });
    }
    var blob = new Blob([JSON.stringify(data, null, 2) + "\n"], { type: "application/json" });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = "checkdown-progress-" + data.exported.slice(0, 10) + ".json";
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
    say("Exported " + plural(count, "tick", "ticks") + " to " + link.download + ".");
  }

  /* One list of ids with times: { id: when } or a plain list of ids. Returns null when it
     is neither. */
  function readIds(list) {
    var out = {};
    if (Array.isArray(list)) {
      for (var i = 0; i < list.length; i++) {
        if (typeof list[i] !== "string" || !ID.test(list[i])) { return null; }
        out[list[i]] = "1";
      }
      return out;
    }
    if (!list || typeof list !== "object") { return null; }
    var keys = Object.keys(list);
    for (var k = 0; k < keys.length; k++) {
      var when = list[keys[k]];
      if (!ID.test(keys[k])) { return null; }
      out[keys[k]] = typeof when === "string" && when.length > 0 && when.length <= 64 ? when : "1";
    }
    return out;
  }

  /* Accepts what exportProgress writes: { format, version: 1, done: { id: when }, and
     optionally open: { id: when } for items checked in the source that the reader
     unticked }; lists of ids work too. Returns null for anything else. */
  function readProgress(data) {
    if (!data || typeof data !== "object" || data.format !== FORMAT || data.version !== 1) { return null; }
    var done = readIds(data.done);
    var open = data.open === undefined ? {} : readIds(data.open);
    if (!done || !open) { return null; }
    return { done: done, open: open };
  }

  var fileInput = one("input[data-import-file]");
  function importFile(file) {
    file.text().then(function (text) {
      var data = null;
      try { data = readProgress(JSON.parse(text)); } catch (e) { data = null; }
      if (!data) {
        say(file.name + " is not a checkdown progress file; nothing was changed.");
        return;
      }
      var incoming = Object.keys(data.done);
      var current = tickedIds();
      if ((current.length > 0 || untickedIds().length > 0) && !window.confirm(
        "Replace the " + plural(current.length, "tick", "ticks") + " kept in this browser with the " +
        plural(incoming.length, "tick", "ticks") + " in " + file.name + "?")) {
        say("Import cancelled; nothing was changed.");
        return;
      }
      current.concat(untickedIds()).forEach(forget);
      incoming.forEach(function (id) { save(PREFIX + id, data.done[id]); });
      Object.keys(data.open).forEach(function (id) {
        if (!Object.prototype.hasOwnProperty.call(data.done, id)) { save(OPEN + id, data.open[id]); }
      });
      refresh();
      var here = boxes.filter(function (b) { return isDone(b.getAttribute("data-id")); }).length;
      say("Imported " + plural(incoming.length, "tick", "ticks") + " from " + file.name +
        (boxes.length ? " (" + here + " on this page)." : "."));
    }, function () {
      say(file.name + " could not be read; nothing was changed.");
    });
  }
  if (fileInput) {
    fileInput.addEventListener("change", function () {
      var file = fileInput.files && fileInput.files[0];
      if (file) { importFile(file); }
      fileInput.value = "";
    });
  }

  /* Reset clears the items this page counts: its document's, or on the index every
     document's (not ticks that other sites on the same origin keep). */
  function reset() {
    var onPage = boxes.length > 0;
    var known = {};
    all("[data-ids]").forEach(function (el) {
      (el.getAttribute("data-ids") || "").split(" ").forEach(function (id) { if (id) { known[id] = true; } });
    });
    /* What the reader changed: ticks, and unticks of items the source checks. */
    var ids = Object.keys(known).filter(function (id) { return get(id) !== null || load(OPEN + id) !== null; });
    if (ids.length === 0) {
      say("Nothing to reset: no item is ticked.");
      return;
    }
    var question = "Clear " + plural(ids.length, "tick", "ticks") +
      (onPage ? " on this checklist" : " on every checklist") +
      "? Export your progress first to keep a copy.";
    if (!window.confirm(question)) {
      say("Reset cancelled; nothing was changed.");
      return;
    }
    ids.forEach(forget);
    refresh();
    say("Cleared " + plural(ids.length, "tick", "ticks") + ".");
  }

  all("[data-action]").forEach(function (button) {
    button.addEventListener("click", function () {
      var action = button.getAttribute("data-action");
      if (action === "export") { exportProgress(); }
      if (action === "import" && fileInput) { fileInput.click(); }
      if (action === "reset") { reset(); }
      if (action === "clear") { clearFilters(); }
    });
  });

  /* Another tab ticked something: show it here too. */
  window.addEventListener("storage", function (e) {
    if (e.key === null || e.key.indexOf(PREFIX) === 0 || e.key.indexOf(OPEN) === 0) { refresh(); }
  });

  if (!stored) { say("This browser does not let the page keep ticks; they last until the page is closed."); }
  all("[data-needs-js]").forEach(function (el) { el.hidden = false; });
  refresh();
  reveal();
})();
