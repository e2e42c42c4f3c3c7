/* checkdown: statuses, notes, progress, filters, export and import.
   Every item has a status (open, in progress, done, not applicable) and may have a note.
   The page starts from the published progress: the progress file the build read (each
   [data-progress] element holds its entries as JSON: the body on a document's page, each
   document on the index), else the source's ticks (the body's data-checked ids). What the
   reader changes is kept on top, in localStorage under "checkdown-item:<item id>" (the
   item's stable id, never its position) as {"status", "note", "updated"}, and marked as
   differing from the published progress; a change that brings an item back to its
   published state is dropped. Ticks kept by older pages ("checkdown:<id>" and
   "checkdown-open:<id>") are read once and kept under the new keys.
   This script only sets text, values and attributes; it never parses HTML. */
(function () {
  "use strict";
  var ITEM = "checkdown-item:";
  var OLD_DONE = "checkdown:";
  var OLD_OPEN = "checkdown-open:";
  var PROBE = "checkdown-probe";
  var FORMAT = "checkdown-progress";
  var ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
  var TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
  var UNKNOWN_TIME = "1970-01-01T00:00:00Z";
  var MAX_NOTE = 65536;
  var STATUSES = ["open", "in-progress", "done", "not-applicable"];
  var WORDS = { "open": "open", "in-progress": "in progress", "done": "done", "not-applicable": "not applicable" };
  var own = function (o, k) { return Object.prototype.hasOwnProperty.call(o, k); };
  var memory = {};
  var stored = true;
  try {
    localStorage.setItem(PROBE, "1");
    localStorage.removeItem(PROBE);
  } catch (e) {
    stored = false;
  }

  function all(selector, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(selector));
  }
  function one(selector, root) {
    return (root || document).querySelector(selector);
  }
  function now() { return new Date().toISOString(); }
  function bytes(text) {
    try { return new TextEncoder().encode(text).length; } catch (e) { return text.length * 3; }
  }

  /* Storage, by whole key. */
  function load(key) {
    if (stored) {
      try { return localStorage.getItem(key); } catch (e) { /* fall through */ }
    }
    return own(memory, key) ? memory[key] : null;
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
      if (key && key.indexOf(prefix) === 0 && key !== PROBE) { ids.push(key.slice(prefix.length)); }
    });
    return ids.sort();
  }

  /* One item's state, {status, note, updated}, checked: null when it is not one. A note
     of only spaces is no note. */
  function entry(value, needTime) {
    if (!value || typeof value !== "object" || STATUSES.indexOf(value.status) === -1) { return null; }
    var note = value.note === undefined || value.note === null ? "" : value.note;
    if (typeof note !== "string" || bytes(note) > MAX_NOTE) { return null; }
    var updated = typeof value.updated === "string" && TIME.test(value.updated) ? value.updated : null;
    if (updated === null && needTime) { return null; }
    return { status: value.status, note: note.trim() ? note : "", updated: updated || UNKNOWN_TIME };
  }
  function same(a, b) { return a.status === b.status && a.note === b.note; }

  /* The published progress: the progress file's entries, and the source's ticks. */
  var published = {};
  all("[data-progress]").forEach(function (el) {
    var data = null;
    try { data = JSON.parse(el.getAttribute("data-progress")); } catch (e) { data = null; }
    if (!data || typeof data !== "object") { return; }
    Object.keys(data).forEach(function (id) {
      var e = entry(data[id], false);
      if (ID.test(id) && e) { published[id] = e; }
    });
  });
  var source = {};
  (document.body.getAttribute("data-checked") || "").split(" ").forEach(function (id) {
    if (id) { source[id] = true; }
  });
  function publishedOf(id) {
    if (own(published, id)) { return published[id]; }
    return { status: own(source, id) ? "done" : "open", note: "", updated: null };
  }

  /* The reader's own state of an item, or null. */
  function local(id) {
    var text = load(ITEM + id);
    if (text === null) { return null; }
    var data = null;
    try { data = JSON.parse(text); } catch (e) { data = null; }
    return entry(data, false);
  }
  function localIds() { return keysWith(ITEM); }
  /* Keeps the reader's state of an item, unless it is the published one. */
  function keep(id, e) {
    if (same(e, publishedOf(id))) {
      save(ITEM + id, null);
      return;
    }
    var data = { status: e.status, updated: e.updated };
    if (e.note) { data.note = e.note; }
    save(ITEM + id, JSON.stringify(data));
  }
  function forget(id) { save(ITEM + id, null); }
  function stateOf(id) { return local(id) || publishedOf(id); }
  function statusOf(id) { return stateOf(id).status; }
  function isDone(id) { return statusOf(id) === "done"; }
  /* The reader changed the item: what they see differs from the published progress. */
  function changed(id) {
    var mine = local(id);
    return mine !== null && !same(mine, publishedOf(id));
  }

  /* Ticks that older pages kept become states. */
  keysWith(OLD_DONE).forEach(function (id) {
    var when = load(OLD_DONE + id);
    if (ID.test(id) && load(ITEM + id) === null) {
      save(ITEM + id, JSON.stringify({ status: "done", updated: TIME.test(when || "") ? when : UNKNOWN_TIME }));
    }
    save(OLD_DONE + id, null);
  });
  keysWith(OLD_OPEN).forEach(function (id) {
    var when = load(OLD_OPEN + id);
    if (ID.test(id) && load(ITEM + id) === null) {
      save(ITEM + id, JSON.stringify({ status: "open", updated: TIME.test(when || "") ? when : UNKNOWN_TIME }));
    }
    save(OLD_OPEN + id, null);
  });

  var boxes = all("input[type=checkbox][data-id]");
  var items = all("li.item[data-id]");
  var statusLine = one("[data-status]");
  var localLine = one("[data-local]");
  function say(text) { if (statusLine) { statusLine.textContent = text; } }
  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }

  /* Every item this page counts: a document's on its page, every document's on the index. */
  var known = {};
  all("[data-ids]").forEach(function (el) {
    (el.getAttribute("data-ids") || "").split(" ").forEach(function (id) { if (id) { known[id] = true; } });
  });
  var knownIds = Object.keys(known).sort();
  /* A change the published progress has caught up with is no longer the reader's. */
  knownIds.forEach(function (id) {
    var mine = local(id);
    if (mine && same(mine, publishedOf(id))) { forget(id); }
  });

  /* Progress: every element with data-ids counts its own items as `checkdown status`
     does: done over the items that apply (not applicable ones left out of the total, and
     the count says how many), the share done rounded down, and how many are in progress
     and open. The page is built with the published counts in place; this recounts them
     with the reader's changes on top, writing the same text. */
  function refreshProgress() {
    /* An id is counted by several elements (its section, its document, the overview):
       its status is read once. */
    var seen = {};
    function statusOnce(id) {
      if (!own(seen, id)) { seen[id] = statusOf(id); }
      return seen[id];
    }
    all("[data-ids]").forEach(function (el) {
      var ids = (el.getAttribute("data-ids") || "").split(" ").filter(Boolean);
      var done = 0;
      var doing = 0;
      var na = 0;
      var open = 0;
      ids.forEach(function (id) {
        var st = statusOnce(id);
        if (st === "done") { done++; }
        if (st === "in-progress") { doing++; }
        if (st === "not-applicable") { na++; }
        if (st === "open") { open++; }
      });
      var total = ids.length - na;
      var naText = na ? "; " + na + " not applicable, not counted" : "";
      var bar = one("progress", el);
      if (bar) { bar.max = total || 1; bar.value = done; }
      all("[data-done]", el).forEach(function (d) { d.textContent = String(done); });
      all("[data-total]", el).forEach(function (d) { d.textContent = String(total); });
      all("[data-share]", el).forEach(function (d) {
        d.textContent = total ? " (" + Math.floor(done * 100 / total) + "%)" : "";
      });
      all("[data-in-progress]", el).forEach(function (d) { d.textContent = doing ? ", " + doing + " in progress" : ""; });
      all("[data-open]", el).forEach(function (d) { d.textContent = open ? ", " + open + " open" : ""; });
      all("[data-na]", el).forEach(function (d) { d.textContent = naText; });
      var fill = one("[data-bar]", el);
      if (fill) {
        var full = Number(fill.getAttribute("data-bar")) || 0;
        fill.setAttribute("width", String(total ? Math.round(full * done / total * 10) / 10 : 0));
      }
      var tip = one("title", el);
      if (tip && el.hasAttribute("data-label")) {
        tip.textContent = el.getAttribute("data-label") + ": " + done + " of " + total + " done" + naText;
      }
      el.classList.toggle("complete", total > 0 && done === total);
    });
    if (localLine) {
      var mine = knownIds.filter(changed).length;
      localLine.hidden = mine === 0;
      localLine.textContent = mine === 0 ? "" : plural(mine, "item differs", "items differ") +
        " from the published progress: changed in this browser.";
    }
  }

  /* One item as its state says. */
  function show(li) {
    var id = li.getAttribute("data-id");
    var st = stateOf(id);
    var mine = changed(id);
    li.classList.toggle("done", st.status === "done");
    li.setAttribute("data-state", st.status);
    li.toggleAttribute("data-changed", mine);
    var box = one(":scope > .row input[data-id]", li);
    if (box) { box.checked = st.status === "done"; }
    var tag = one(":scope > .row [data-state-tag]", li);
    if (tag) {
      var words = st.status === "in-progress" || st.status === "not-applicable" ? WORDS[st.status] : "";
      tag.textContent = words;
      tag.hidden = !words;
    }
    var menu = one(":scope > .state select", li);
    if (menu) { menu.value = st.status; }
    var badge = one(":scope > .state [data-changed]", li);
    if (badge) { badge.hidden = !mine; }
    /* The note: the published one as the build rendered it (Markdown, sanitized); one
       the reader changed as plain text. */
    var noteText = one(":scope > [data-note-text]", li);
    if (noteText) {
      noteText.hidden = !st.note;
      var rendered = one("[data-note-published]", noteText);
      var plain = one("[data-note-plain]", noteText);
      var asPublished = !!rendered && st.note === publishedOf(id).note;
      if (rendered) { rendered.hidden = !asPublished; }
      if (plain) {
        plain.hidden = asPublished;
        plain.textContent = asPublished ? "" : st.note;
      }
      /* A page.html of an older theme: the note as text in its span. */
      var span = !rendered && !plain ? one("span", noteText) : null;
      if (span) { span.textContent = st.note; }
    }
    var field = one(":scope > details textarea[data-note-of]", li);
    if (field && document.activeElement !== field && field.value !== st.note) { field.value = st.note; }
  }

  function refresh() {
    items.forEach(show);
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
     line, which every item of a page shares, nor the note field). */
  items.forEach(function (li) {
    var parts = all(":scope > .row label, :scope > .row .tags code, :scope > .summary", li).map(function (e) { return e.textContent; });
    var details = one(":scope > details", li);
    if (details) {
      Array.prototype.forEach.call(details.children, function (child) {
        if (child.tagName !== "SUMMARY" && !child.classList.contains("source") && !child.classList.contains("note-field")) {
          parts.push(child.textContent);
        }
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
        (!open || statusOf(id) === "open" || statusOf(id) === "in-progress") &&
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

    /* Changing an item. With "open items only" on, an item done or not applicable leaves
     the list: keep the keyboard where it was by moving focus to the next visible
     checkbox. */
  function change(id, status, note, control) {
    var st = stateOf(id);
    keep(id, { status: status, note: note === undefined ? st.note : note, updated: now() });
    refresh();
    var li = control.closest("li.item");
    if (li && li.hidden) {
      var index = boxes.indexOf(one(":scope > .row input[data-id]", li));
      var next = boxes.slice(index + 1).concat(boxes.slice(0, Math.max(index, 0)).reverse()).filter(function (b) {
        return !b.closest("li.item").hidden;
      })[0];
      (next || field("q") || document.body).focus();
    }
  }
  /* The checkbox: ticked is done; unticking a done item opens it. */
  boxes.forEach(function (box) {
    box.addEventListener("change", function () {
      var id = box.getAttribute("data-id");
      change(id, box.checked ? "done" : (statusOf(id) === "done" ? "open" : statusOf(id)), undefined, box);
    });
  });
  /* The status menu. */
  all("select[data-status-of]").forEach(function (menu) {
    menu.addEventListener("change", function () {
      if (STATUSES.indexOf(menu.value) !== -1) { change(menu.getAttribute("data-status-of"), menu.value, undefined, menu); }
    });
  });
  /* The note: kept as it is typed. */
  all("textarea[data-note-of]").forEach(function (field) {
    field.addEventListener("input", function () {
      var id = field.getAttribute("data-note-of");
      if (bytes(field.value) > MAX_NOTE) {
        say("A note holds at most " + MAX_NOTE + " bytes; this one was not kept.");
        return;
      }
      var st = stateOf(id);
      keep(id, { status: st.status, note: field.value.trim() ? field.value : "", updated: now() });
      var li = field.closest("li.item");
      if (li) { show(li); }
      refreshProgress();
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

  /* Export: version 2 of the progress file, the state of every item this page counts that
     has one (the published entries, with the reader's changes on top): committed as
     checkdown.progress.json, it is what the next build publishes. Keys sorted, two spaces a
     level, a newline at the end, as checkdown writes it. */
  function exportProgress() {
    var out = {};
    var mine = 0;
    knownIds.forEach(function (id) {
      var e = local(id);
      if (e) { mine++; } else if (own(published, id)) { e = published[id]; }
      if (!e) { return; }
      var data = {};
      if (e.note) { data.note = e.note; }
      data.status = e.status;
      data.updated = e.updated;
      out[id] = data;
    });
    var data = { format: FORMAT, items: out, version: 2 };
    var count = Object.keys(out).length;
    var blob = new Blob([JSON.stringify(data, null, 2) + "\n"], { type: "application/json" });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = "checkdown-progress-" + now().slice(0, 10) + ".json";
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
    say("Exported the progress of " + plural(count, "item", "items") + " (" + mine + " changed in this browser) to " +
      link.download + ".");
  }

  /* Version 1's lists of ids with times: { id: when } or a plain list of ids. Returns null
     when it is neither. */
  function readIds(list) {
    var out = {};
    if (Array.isArray(list)) {
      for (var i = 0; i < list.length; i++) {
        if (typeof list[i] !== "string" || !ID.test(list[i])) { return null; }
        out[list[i]] = null;
      }
      return out;
    }
    if (!list || typeof list !== "object") { return null; }
    var keys = Object.keys(list);
    for (var k = 0; k < keys.length; k++) {
      var when = list[keys[k]];
      if (!ID.test(keys[k])) { return null; }
      out[keys[k]] = typeof when === "string" && TIME.test(when) ? when : null;
    }
    return out;
  }

  /* Reads a progress file: version 2 ({ format, version: 2, items: { id: { status, note,
     updated } } }) or version 1, what older pages exported ({ format, version: 1,
     exported, done: { id: when }, and optionally open: { id: when } for items the source
     checks that the reader unticked }; lists of ids work too). Returns { id: state }, or
     null for anything else. */
  function readProgress(data) {
    if (!data || typeof data !== "object" || data.format !== FORMAT) { return null; }
    var out = {};
    if (data.version === 2) {
      if (!data.items || typeof data.items !== "object" || Array.isArray(data.items)) { return null; }
      var ids = Object.keys(data.items);
      for (var i = 0; i < ids.length; i++) {
        var e = entry(data.items[ids[i]], true);
        if (!ID.test(ids[i]) || !e) { return null; }
        out[ids[i]] = e;
      }
      return out;
    }
    if (data.version !== 1) { return null; }
    var done = readIds(data.done);
    var open = data.open === undefined ? {} : readIds(data.open);
    if (!done || !open) { return null; }
    var exported = typeof data.exported === "string" && TIME.test(data.exported) ? data.exported : UNKNOWN_TIME;
    Object.keys(open).forEach(function (id) {
      out[id] = { status: "open", note: "", updated: open[id] || exported };
    });
    Object.keys(done).forEach(function (id) {
      out[id] = { status: "done", note: "", updated: done[id] || exported };
    });
    return out;
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
      var incoming = Object.keys(data);
      var current = localIds();
      if (current.length > 0 && !window.confirm(
        "Replace the " + plural(current.length, "change", "changes") + " kept in this browser with the " +
        plural(incoming.length, "item", "items") + " in " + file.name + "?")) {
        say("Import cancelled; nothing was changed.");
        return;
      }
      current.forEach(forget);
      incoming.forEach(function (id) { keep(id, data[id]); });
      refresh();
      var here = incoming.filter(function (id) { return own(known, id); }).length;
      say("Imported " + plural(incoming.length, "item", "items") + " from " + file.name +
        (knownIds.length ? " (" + here + " on this page)." : "."));
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

  /* Reset forgets the reader's changes to the items this page counts: its document's, or
     on the index every document's (not those that other sites on the same origin keep).
     The items show the published progress again. */
  function reset() {
    var onPage = boxes.length > 0;
    var ids = knownIds.filter(function (id) { return load(ITEM + id) !== null; });
    if (ids.length === 0) {
      say("Nothing to reset: no item was changed in this browser.");
      return;
    }
    var question = "Clear " + plural(ids.length, "change", "changes") +
      (onPage ? " on this checklist" : " on every checklist") +
      " and go back to the published progress? Export your progress first to keep a copy.";
    if (!window.confirm(question)) {
      say("Reset cancelled; nothing was changed.");
      return;
    }
    ids.forEach(forget);
    refresh();
    say("Cleared " + plural(ids.length, "change", "changes") + ".");
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

  /* Another tab changed something: show it here too. */
  window.addEventListener("storage", function (e) {
    if (e.key === null || e.key.indexOf(ITEM) === 0) { refresh(); }
  });

  if (!stored) { say("This browser does not let the page keep your changes; they last until the page is closed."); }
  all("[data-needs-js]").forEach(function (el) { el.hidden = false; });
  refresh();
  reveal();
})();
