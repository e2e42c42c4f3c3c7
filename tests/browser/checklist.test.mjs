// The HTML checklist in a real browser: Debian's Chromium, headless, driven by
// playwright-core, on pages that checkdown builds here and serves from 127.0.0.1.
//
//   CHECKDOWN_BIN     the checkdown binary (default: ../../target/debug/checkdown)
//   CHROMIUM          the browser (default: /usr/bin/chromium)
//   CHECKDOWN_FIELDS  a site the Rust test renders from a hand-built catalog with items
//                     checked in the source, nested, grouped, with variants and summaries
//                     (the extract step of this branch does not yet make such items)
//   CHECKDOWN_SCREENSHOT   where to save the index screenshot (default: in the work folder;
//                     `docs/screenshot-index.png` updates the one the README shows)

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");
const fixtures = path.join(here, "fixtures");
const bin = process.env.CHECKDOWN_BIN || path.join(repo, "target/debug/checkdown");
const browserPath = process.env.CHROMIUM || "/usr/bin/chromium";
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

const work = fs.mkdtempSync(path.join(os.tmpdir(), "checkdown-browser-"));
const www = path.join(work, "www");
let server;
let origin;
let browser;

/**
 * Builds a copy of INPUT (in the work folder, so that the lock file checkdown reads and
 * writes, INPUT/checkdown.lock, is the copy's) into www/NAME, html and json, and returns
 * its checklist.json. The copy is kept: building NAME again with another INPUT replaces
 * its pages but keeps its lock, as a docs folder edited between two builds would.
 */
function build(input, name, progress = null) {
  const src = path.join(work, "src", name);
  const out = path.join(work, "out", name);
  for (const entry of fs.existsSync(src) ? fs.readdirSync(src) : []) {
    if (entry !== "checkdown.lock") fs.rmSync(path.join(src, entry), { recursive: true, force: true });
  }
  fs.cpSync(input, src, { recursive: true });
  // The team's progress file, which the build reads from INPUT/checkdown.progress.json.
  if (progress !== null) {
    fs.writeFileSync(path.join(src, "checkdown.progress.json"), typeof progress === "string" ? progress : JSON.stringify(progress, null, 2) + "\n");
  }
  const run = spawnSync(bin, ["build", src, "-o", out, "--format", "html,json"], { encoding: "utf8" });
  // 1 means the docs had errors (the hostile page does); the files are still written.
  assert.ok(run.status === 0 || run.status === 1, `checkdown build ${input} failed:\n${run.stderr}`);
  fs.rmSync(path.join(www, name), { recursive: true, force: true });
  fs.cpSync(path.join(out, "html"), path.join(www, name), { recursive: true });
  return JSON.parse(fs.readFileSync(path.join(out, "checklist.json"), "utf8"));
}

const TYPES = { ".html": "text/html; charset=utf-8", ".json": "application/json", ".png": "image/png", ".svg": "image/svg+xml" };

function serve() {
  return new Promise((resolve) => {
    const s = http.createServer((req, res) => {
      const url = new URL(req.url, "http://127.0.0.1");
      const file = path.join(www, path.normalize(decodeURIComponent(url.pathname)));
      if (!file.startsWith(www + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
        res.writeHead(404, { "content-type": "text/plain" });
        res.end("not found");
        return;
      }
      res.writeHead(200, { "content-type": TYPES[path.extname(file)] || "application/octet-stream" });
      fs.createReadStream(file).pipe(res);
    });
    s.listen(0, "127.0.0.1", () => resolve(s));
  });
}

let seed;
// The page most tests use: input/security/maturity-model.md, alone in a catalog.
const maturity = { documents: [] };
let hostile;

before(async () => {
  assert.ok(fs.existsSync(bin), `no checkdown binary at ${bin}; run cargo build or set CHECKDOWN_BIN`);
  fs.mkdirSync(www, { recursive: true });
  seed = build(path.join(repo, "input"), "seed");
  maturity.documents = seed.documents.filter((d) => d.path === "security/maturity-model.md");
  hostile = build(path.join(fixtures, "hostile"), "hostile");
  if (process.env.CHECKDOWN_FIELDS) fs.cpSync(process.env.CHECKDOWN_FIELDS, path.join(www, "fields"), { recursive: true });
  server = await serve();
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: browserPath,
    headless: true,
    // Playwright gives each launch a fresh, empty profile (user data dir).
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.close();
  fs.rmSync(work, { recursive: true, force: true });
});

/**
 * A fresh browser context (empty localStorage) whose every request is checked: anything
 * that is not this server is recorded and refused. Dialogs are recorded, and answered with
 * `session.answer` (true: accept). Script errors and CSP violations are recorded too.
 */
async function open(options = {}) {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1100, height: 800 }, ...options });
  const session = { context, outside: [], blocked: [], dialogs: [], errors: [], answer: true };
  // Every request that would reach the network passes here; only this server's are let
  // through. (Chromium also reports loads that the page's CSP stopped before any request:
  // those fail with "csp" and are kept apart, in `blocked`.)
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(origin + "/")) return route.continue();
    session.outside.push(url);
    return route.abort();
  });
  context.on("requestfinished", (request) => {
    if (!request.url().startsWith(origin + "/")) session.outside.push(request.url());
  });
  context.on("requestfailed", (request) => {
    if (request.failure()?.errorText === "csp") session.blocked.push(request.url());
  });
  await context.addInitScript(() => {
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  session.page = await context.newPage();
  session.page.on("dialog", async (dialog) => {
    session.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    if (session.answer) await dialog.accept();
    else await dialog.dismiss();
  });
  session.page.on("pageerror", (error) => session.errors.push(error.message));
  return session;
}

/** Closes the context after checking that nothing left the site and no script failed. */
async function close(session, { violations = false } = {}) {
  assert.deepEqual(session.outside, [], "requests left 127.0.0.1");
  assert.deepEqual(session.errors, [], "script errors");
  if (!violations) {
    assert.deepEqual(await session.page.evaluate(() => window.__violations), [], "CSP violations");
  }
  await session.context.close();
}

const items = (catalog) => catalog.documents.flatMap((d) => d.sections.flatMap((s) => s.items.map((i) => ({ ...i, section: s }))));
const seedPage = () => `${origin}/seed/security/maturity-model.html`;
const box = (page, title) => page.getByRole("checkbox", { name: title, exact: true });

async function checkedTitles(page) {
  return page.$$eval("li.item", (lis) =>
    lis.filter((li) => li.querySelector("input[data-id]").checked).map((li) => li.querySelector("label").textContent),
  );
}

async function visibleIds(page) {
  return page.$$eval("li.item", (lis) => lis.filter((li) => !li.hidden && li.offsetParent !== null).map((li) => li.dataset.id));
}

async function axe(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

test("every checkbox is labelled with its item's title, and the script runs under the CSP", async () => {
  const s = await open();
  await s.page.goto(seedPage());
  const all = items(maturity);
  assert.equal(all.length, 25);
  assert.equal(await s.page.locator("input[type=checkbox][data-id]").count(), 25);
  for (const item of all) {
    assert.equal(await box(s.page, item.title).count(), 1, item.title);
    assert.equal(await box(s.page, item.title).getAttribute("data-id"), item.id);
  }
  // The controls that need the script are shown by it: the script ran.
  assert.ok(await s.page.locator("form[data-filters]").isVisible());
  assert.ok(await s.page.getByRole("button", { name: "Export progress" }).isVisible());
  const csp = await s.page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute("content");
  assert.match(csp, /^default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+'; style-src 'sha256-[A-Za-z0-9+/=]+';/);
  await close(s);
});

test("ticks survive a reload, and progress is counted on the page and the index", async () => {
  const s = await open();
  await s.page.goto(seedPage());
  const picks = ["Encrypt data at rest", "Encrypt data in transit", "Harden the attack surface"];
  for (const title of picks) await box(s.page, title).check();
  await s.page.reload();
  assert.deepEqual((await checkedTitles(s.page)).sort(), [...picks].sort());
  assert.equal(await s.page.locator("header [data-ids] [data-done]").textContent(), "3");
  assert.equal(await s.page.locator("#level1 .progress [data-done]").textContent(), "2");
  assert.equal(await s.page.locator("#level2 .progress [data-done]").textContent(), "1");
  assert.equal(await s.page.locator("#level1 progress").evaluate((p) => p.value), 2);
  // Unticking is kept too.
  await box(s.page, "Encrypt data in transit").uncheck();
  await s.page.reload();
  assert.deepEqual((await checkedTitles(s.page)).sort(), ["Encrypt data at rest", "Harden the attack surface"]);

  await s.page.goto(`${origin}/seed/index.html`);
  assert.equal(await s.page.locator("li.doc:has(a[href='./security/maturity-model.html']) > .progress [data-done]").textContent(), "2");
  assert.equal(await s.page.locator("header [data-ids] [data-done]").textContent(), "2");
  const level1 = s.page.locator("svg g[data-label='Security maturity model, Level 1']");
  assert.equal(await level1.locator("[data-done]").textContent(), "1");
  assert.equal(await level1.locator("title").textContent(), "Security maturity model, Level 1: 1 of 6 done");
  const width = Number(await level1.locator("rect[data-bar]").getAttribute("width"));
  assert.ok(Math.abs(width - 106 / 6) < 0.2, `bar width ${width}`);
  assert.equal(await s.page.locator("svg g[data-label='Security maturity model, Level 3'] rect[data-bar]").getAttribute("width"), "0");
  await close(s);
});

test("ticks follow the item's id through a rebuild that rewords, inserts and moves items", async () => {
  // The first edition, built with a lock file of its own (INPUT/checkdown.lock).
  const first = build(path.join(fixtures, "reword-v1"), "reword");
  const s = await open();
  await s.page.goto(`${origin}/reword/ops/runbook.html`);
  await box(s.page, "Back up the database").check();
  await box(s.page, "Write a runbook").check();
  assert.equal(await s.page.locator("header [data-ids] [data-done]").textContent(), "2");

  // The second edition in the same folder, built again with the lock: one heading reworded
  // (so its anchor and key change, and the lock carries the id over), one link text
  // reworded over the same anchor, an item inserted at the top and one moved to level 2.
  const second = build(path.join(fixtures, "reword-v2"), "reword");
  const one = (catalog, title) => items(catalog).find((i) => i.title === title);
  const backups = one(second, "Take nightly backups of every database");
  assert.equal(backups.id, one(first, "Back up the database").id, "the lock keeps the reworded item's id");
  assert.notEqual(backups.key, one(first, "Back up the database").key);
  assert.equal(one(second, "Write and rehearse a runbook").id, one(first, "Write a runbook").id);
  assert.equal(one(second, "Write and rehearse a runbook").section.id, "level2");
  assert.ok(!items(first).some((i) => i.id === one(second, "Inventory your services").id));

  await s.page.reload();
  // A page that kept ticks by position would now tick "Inventory your services" (the new
  // first row) and "Rotate every credential…" (the old third row's place).
  assert.deepEqual((await checkedTitles(s.page)).sort(), [
    "Take nightly backups of every database",
    "Write and rehearse a runbook",
  ]);
  assert.equal(await box(s.page, "Inventory your services").isChecked(), false);
  assert.equal(await s.page.locator("header [data-ids] [data-done]").textContent(), "2");
  assert.equal(await s.page.locator("#level1 .progress [data-done]").textContent(), "1");
  assert.equal(await s.page.locator("#level2 .progress [data-done]").textContent(), "1");
  await s.page.goto(`${origin}/reword/index.html`);
  assert.equal(await s.page.locator("li.doc > .progress [data-done]").textContent(), "2");
  await close(s);
});

test("filters and search change what is shown, and the counts follow", async () => {
  const s = await open();
  const page = s.page;
  await page.goto(seedPage());
  const all = items(maturity);
  const shown = page.locator("[data-shown]");
  assert.deepEqual((await visibleIds(page)).length, 25);
  assert.equal(await shown.textContent(), "Showing all 25 items.");

  // Text search: every word must appear in the item's title, body or callouts.
  const matching = (...words) =>
    all.filter((i) => words.every((w) => JSON.stringify([i.title, i.body, i.callouts]).toLowerCase().includes(w))).map((i) => i.id);
  await page.getByLabel("Search").fill("encrypt");
  assert.ok(matching("encrypt").length > 2 && matching("encrypt").length < 25);
  assert.deepEqual(await visibleIds(page), matching("encrypt"));
  assert.equal(await shown.textContent(), `Showing ${matching("encrypt").length} of 25 items.`);
  await page.getByLabel("Search").fill("  Encrypt   TLS ");
  assert.deepEqual(await visibleIds(page), matching("encrypt", "tls"));
  assert.ok(matching("encrypt", "tls").length < matching("encrypt").length);
  await page.getByLabel("Search").fill("lifecycle (SDLC)");
  assert.deepEqual(await visibleIds(page), matching("lifecycle", "(sdlc)"));
  await page.getByLabel("Search").fill("attack surface");
  assert.deepEqual(await visibleIds(page), [all.find((i) => i.title === "Harden the attack surface").id]);
  assert.equal(await page.locator("section#level5").isHidden(), true, "a section with nothing to show is hidden");
  await page.getByRole("button", { name: "Clear filters" }).click();
  assert.equal((await visibleIds(page)).length, 25);

  // Section and level.
  await page.getByLabel("Section").selectOption("level3");
  assert.deepEqual(await visibleIds(page), all.filter((i) => i.section.id === "level3").map((i) => i.id));
  assert.equal(await shown.textContent(), "Showing 5 of 25 items.");
  assert.equal(await page.locator("section#level1").isHidden(), true);
  await page.getByLabel("Section").selectOption("");
  await page.getByLabel("Level", { exact: true }).selectOption("4");
  assert.deepEqual(await visibleIds(page), all.filter((i) => i.section.level === 4).map((i) => i.id));
  await page.getByLabel("Level", { exact: true }).selectOption("");

  // Callout kinds.
  const withKind = (kind) => all.filter((i) => i.callouts.some((c) => c.kind === kind)).map((i) => i.id);
  await page.getByLabel("Items with a trade-off").check();
  assert.deepEqual(await visibleIds(page), withKind("trade-off"));
  assert.equal(await shown.textContent(), `Showing ${withKind("trade-off").length} of 25 items.`);
  await page.getByLabel("Items with a trade-off").uncheck();
  await page.getByLabel("Items with a risk").check();
  assert.deepEqual(await visibleIds(page), withKind("risk"));
  assert.ok(withKind("risk").length >= 1);
  await page.getByLabel("Items with a risk").uncheck();

  // Open items only: ticking an item takes it out of the list at once.
  await page.getByLabel("Open items").check();
  await box(page, "Protect application secrets").check();
  assert.equal((await visibleIds(page)).length, 24);
  assert.equal(await shown.textContent(), "Showing 24 of 25 items.");
  assert.equal(await page.locator("#level1 .progress [data-done]").textContent(), "1");
  assert.equal(
    await page.evaluate(() => document.activeElement.matches("input[data-id]") && !document.activeElement.closest("li").hidden),
    true,
    "focus moves to the next open item",
  );

  // A deep link to an item the filters hide shows it, with its details open.
  await page.getByLabel("Section").selectOption("level3");
  await page.evaluate(() => { location.hash = "#-encrypt-data-at-rest"; });
  await page.waitForFunction(() => !document.getElementById("-encrypt-data-at-rest").hidden);
  assert.equal(await page.locator("#-encrypt-data-at-rest details").evaluate((d) => d.open), true);
  assert.equal(await page.getByLabel("Section").inputValue(), "", "the filters were cleared");
  assert.equal((await visibleIds(page)).length, 25);
  await close(s);
});

test("a deep link opens its item; print shows ticks as marks and hides the controls", async () => {
  const s = await open();
  const page = s.page;
  await page.goto(`${seedPage()}#-protect-application-secrets`);
  assert.equal(await page.locator("#-protect-application-secrets details").evaluate((d) => d.open), true);
  assert.equal(await page.locator("#-encrypt-data-at-rest details").evaluate((d) => d.open), false);
  await box(page, "Protect application secrets").check();
  await page.emulateMedia({ media: "print" });
  const before = (id) =>
    page.locator(`#${id} > .row label`).evaluate((l) => getComputedStyle(l, "::before").content);
  assert.equal(await before("-protect-application-secrets"), '"☑\u00a0"');
  assert.equal(await before("-encrypt-data-at-rest"), '"☐\u00a0"');
  for (const selector of ["form[data-filters]", ".actions", "nav", "li.item input[data-id]", "a.anchor", "li.item .state"]) {
    assert.equal(await page.locator(selector).first().evaluate((e) => getComputedStyle(e).display), "none", selector);
  }
  await page.emulateMedia({ media: "screen" });
  assert.notEqual(await page.locator("form[data-filters]").evaluate((e) => getComputedStyle(e).display), "none");
  await close(s);
});

test("export then import restores the ticks (version 2); reset asks first", async () => {
  const s = await open();
  const page = s.page;
  await page.goto(seedPage());
  const kept = ["Encrypt data at rest", "Develop a maintenance plan", "Invest in advanced security testing"];
  for (const title of kept) await box(page, title).check();

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Export progress" }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^checkdown-progress-\d{4}-\d{2}-\d{2}\.json$/);
  const file = path.join(work, download.suggestedFilename());
  await download.saveAs(file);
  const exported = JSON.parse(fs.readFileSync(file, "utf8"));
  assert.deepEqual(Object.keys(exported), ["format", "items", "version"]);
  assert.equal(exported.format, "checkdown-progress");
  assert.equal(exported.version, 2);
  const ids = (titles) => titles.map((t) => items(maturity).find((i) => i.title === t).id).sort();
  assert.deepEqual(Object.keys(exported.items), ids(kept));
  for (const id of ids(kept)) {
    assert.deepEqual(Object.keys(exported.items[id]), ["status", "updated"]);
    assert.equal(exported.items[id].status, "done");
    assert.match(exported.items[id].updated, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  }
  assert.match(await page.locator("[data-status]").textContent(), /^Exported the progress of 3 items \(3 changed in this browser\)/);

  // Change the state: one tick more, one less.
  await box(page, "Encrypt data at rest").uncheck();
  await box(page, "Build an incident response plan").check();

  // Reset asks first: declining changes nothing, accepting clears this checklist.
  s.answer = false;
  await page.getByRole("button", { name: "Reset this checklist…" }).click();
  assert.equal((await checkedTitles(page)).length, 3);
  assert.match(s.dialogs.at(-1), /^confirm: Clear 3 changes on this checklist and go back to the published progress\?/);
  s.answer = true;
  await page.getByRole("button", { name: "Reset this checklist…" }).click();
  assert.deepEqual(await checkedTitles(page), []);
  await box(page, "Harden the attack surface").check();

  // Import replaces what the browser holds (after asking) with what the file holds.
  const [chooser] = await Promise.all([
    page.waitForEvent("filechooser"),
    page.getByRole("button", { name: "Import progress…" }).click(),
  ]);
  await chooser.setFiles(file);
  await page.waitForFunction(() => /^Imported/.test(document.querySelector("[data-status]").textContent));
  assert.match(s.dialogs.at(-1), /^confirm: Replace the 1 change kept in this browser with the 3 items/);
  assert.deepEqual((await checkedTitles(page)).sort(), [...kept].sort());
  await page.reload();
  assert.deepEqual((await checkedTitles(page)).sort(), [...kept].sort());

  // A file that is not a progress export changes nothing.
  const bogus = path.join(work, "bogus.json");
  fs.writeFileSync(bogus, JSON.stringify({ format: "something-else", done: ["x"] }));
  const [chooser2] = await Promise.all([
    page.waitForEvent("filechooser"),
    page.getByRole("button", { name: "Import progress…" }).click(),
  ]);
  await chooser2.setFiles(bogus);
  await page.waitForFunction(() => /not a checkdown progress file/.test(document.querySelector("[data-status]").textContent));
  assert.deepEqual((await checkedTitles(page)).sort(), [...kept].sort());

  // The index resets every document of the site, and only those: a tick that another site
  // on the same origin keeps stays.
  const elsewhere = JSON.stringify({ status: "done", updated: "2025-01-01T00:00:00Z" });
  await page.evaluate((v) => localStorage.setItem("checkdown-item:another-site-item", v), elsewhere);
  await page.goto(`${origin}/seed/index.html`);
  assert.equal(await page.locator("header [data-ids] [data-done]").textContent(), "3");
  await page.getByRole("button", { name: "Reset all checklists…" }).click();
  assert.match(s.dialogs.at(-1), /^confirm: Clear 3 changes on every checklist/);
  assert.equal(await page.locator("header [data-ids] [data-done]").textContent(), "0");
  assert.equal(await page.evaluate(() => localStorage.getItem("checkdown-item:another-site-item")), elsewhere);
  await close(s);
});

/* The team's progress file for the maturity model's page: its first level-1 item done,
   the second not applicable with a note that holds markup, the third in progress. */
function teamProgress() {
  const level1 = items(maturity).filter((i) => i.section.id === "level1");
  const [done, na, doing] = level1;
  return {
    level1,
    file: {
      format: "checkdown-progress",
      items: {
        [done.id]: { status: "done", updated: "2025-03-01T09:30:00Z" },
        [na.id]: { note: "No IdP here </script><b>bold</b> & \"quoted\"", status: "not-applicable", updated: "2025-03-02T10:00:00Z" },
        [doing.id]: { note: "Draft under review.", status: "in-progress", updated: "2025-03-03T10:00:00Z" },
      },
      version: 2,
    },
  };
}
const statusMenu = (page, title) => page.getByRole("combobox", { name: `Status of ${title}`, exact: true });
const noteField = (page, it) => page.locator(`textarea[data-note-of="${it.id}"]`);
const item = (page, id) => page.locator(`li.item[data-id="${id}"]`);

/** Imports FILE through the page's button; waits for the status line to say how it went. */
async function importThrough(page, file, expect) {
  const [chooser] = await Promise.all([
    page.waitForEvent("filechooser"),
    page.getByRole("button", { name: "Import progress…" }).click(),
  ]);
  await chooser.setFiles(file);
  await page.waitForFunction((re) => new RegExp(re).test(document.querySelector("[data-status]").textContent), expect.source);
}

test("the page starts from the published progress; statuses and notes are the reader's on top, marked, and kept over a reload", async () => {
  const { level1, file } = teamProgress();
  const [done, na, doing, fourth] = level1;
  build(path.join(repo, "input"), "team", file);
  const s = await open();
  const page = s.page;
  const pageUrl = `${origin}/team/security/maturity-model.html`;
  await page.goto(pageUrl);

  // The published state: ticks, menus, status tags and notes (rendered at build time:
  // Markdown, sanitized).
  assert.equal(await box(page, done.title).isChecked(), true);
  assert.equal(await box(page, na.title).isChecked(), false);
  assert.equal(await statusMenu(page, done.title).inputValue(), "done");
  assert.equal(await statusMenu(page, na.title).inputValue(), "not-applicable");
  assert.equal(await statusMenu(page, doing.title).inputValue(), "in-progress");
  assert.equal(await statusMenu(page, fourth.title).inputValue(), "open");
  assert.equal(await item(page, na.id).locator("[data-state-tag]").textContent(), "not applicable");
  assert.equal(await item(page, doing.id).locator("[data-state-tag]").textContent(), "in progress");
  assert.equal(await item(page, fourth.id).locator("[data-state-tag]").isHidden(), true);
  const naNote = item(page, na.id).locator("[data-note-text]");
  assert.equal(await naNote.locator("[data-note-published]").innerHTML(), "<p>No IdP here <b>bold</b> &amp; \"quoted\"</p>\n");
  assert.equal(await naNote.locator("[data-note-published]").isVisible(), true);
  assert.equal(await naNote.locator("[data-note-plain]").isHidden(), true);
  assert.equal(await noteField(page, na).inputValue(), file.items[na.id].note);
  assert.equal(await item(page, fourth.id).locator("[data-note-text]").isHidden(), true);
  // Not applicable is left out of the totals, and the counts say so.
  const header = page.locator("header [data-ids]");
  assert.equal(await header.locator(".count").textContent(), "1 of 24 done (4%), 1 in progress, 22 open; 1 not applicable, not counted");
  assert.equal(await header.locator("progress").evaluate((p) => p.max), 24);
  assert.equal(await page.locator("#level1 .progress .count").textContent(),
    `1 of ${level1.length - 1} done (${Math.floor(100 / (level1.length - 1))}%), 1 in progress, ${level1.length - 3} open; 1 not applicable, not counted`);
  // Nothing differs yet.
  assert.equal(await page.locator("li.item[data-changed]").count(), 0);
  assert.equal(await page.locator("[data-local]").isHidden(), true);

  // The reader: the fourth item not applicable, with a note; the first unticked.
  await statusMenu(page, fourth.title).selectOption("not-applicable");
  await item(page, fourth.id).locator("details > summary").click();
  await noteField(page, fourth).fill("We run no servers.\nAsk the platform team.");
  await box(page, done.title).uncheck();
  const marked = async () => page.$$eval("li.item[data-changed]", (lis) => lis.map((li) => li.dataset.id).sort());
  const check = async () => {
    assert.deepEqual(await marked(), [done.id, fourth.id].sort());
    assert.equal(await item(page, fourth.id).locator("[data-changed]").textContent(), "Changed in this browser");
    assert.equal(await item(page, fourth.id).locator("[data-changed]").isVisible(), true);
    assert.equal(await item(page, doing.id).locator("[data-changed]").isHidden(), true);
    assert.equal(await page.locator("[data-local]").textContent(), "2 items differ from the published progress: changed in this browser.");
    assert.equal(await statusMenu(page, fourth.title).inputValue(), "not-applicable");
    assert.equal(await statusMenu(page, done.title).inputValue(), "open");
    assert.equal(await box(page, done.title).isChecked(), false);
    assert.equal(await noteField(page, fourth).inputValue(), "We run no servers.\nAsk the platform team.");
    // A note the reader wrote shows as they typed it, as text.
    assert.equal(await item(page, fourth.id).locator("[data-note-plain]").textContent(), "We run no servers.\nAsk the platform team.");
    assert.equal(await item(page, fourth.id).locator("[data-note-published]").isHidden(), true);
    assert.equal(await header.locator(".count").textContent(), "0 of 23 done (0%), 1 in progress, 22 open; 2 not applicable, not counted");
  };
  await check();
  await page.reload();
  await check();
  const stored = JSON.parse(await page.evaluate((id) => localStorage.getItem(`checkdown-item:${id}`), fourth.id));
  assert.deepEqual(Object.keys(stored), ["status", "updated", "note"]);
  assert.equal(stored.status, "not-applicable");

  // Ticking the first again brings it back to the published state: no longer the reader's.
  await box(page, done.title).check();
  assert.equal(await page.evaluate((id) => localStorage.getItem(`checkdown-item:${id}`), done.id), null);
  assert.deepEqual(await marked(), [fourth.id]);
  // The box ticks an item in progress, and unticking it opens it.
  await box(page, doing.title).check();
  assert.equal(await statusMenu(page, doing.title).inputValue(), "done");
  await box(page, doing.title).uncheck();
  assert.equal(await statusMenu(page, doing.title).inputValue(), "open");
  await statusMenu(page, doing.title).selectOption("in-progress");
  assert.deepEqual(await marked(), [fourth.id]);
  // "Open items" shows items open or in progress: neither done nor not applicable.
  await page.getByLabel("Open items").check();
  const shownIds = await visibleIds(page);
  assert.ok(shownIds.includes(doing.id));
  for (const id of [done.id, na.id, fourth.id]) assert.ok(!shownIds.includes(id), id);
  await page.getByLabel("Open items").uncheck();

  // The index counts the same, and its overview leaves not-applicable items out too.
  await page.goto(`${origin}/team/index.html`);
  const cell = page.locator("svg g[data-label='Security maturity model, Level 1']");
  assert.equal(await cell.locator("title").textContent(), `Security maturity model, Level 1: 1 of ${level1.length - 2} done; 2 not applicable, not counted`);
  assert.equal(await cell.locator("text").textContent(), `1/${level1.length - 2}`);
  const applicable = items(seed).length - 2;
  assert.equal(await page.locator("header [data-ids] .count").textContent(),
    `1 of ${applicable} done (${Math.floor(100 / applicable)}%), 1 in progress, ${applicable - 2} open; 2 not applicable, not counted`);
  assert.equal(await page.locator("[data-local]").textContent(), "1 item differs from the published progress: changed in this browser.");

  // Export writes version 2: the published entries with the reader's changes on top.
  await page.goto(pageUrl);
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Export progress" }).click(),
  ]);
  const exportedFile = path.join(work, "team-progress.json");
  await download.saveAs(exportedFile);
  const text = fs.readFileSync(exportedFile, "utf8");
  assert.ok(text.endsWith("}\n"));
  const exported = JSON.parse(text);
  const mine = exported.items[fourth.id];
  assert.match(mine.updated, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  const expected = {
    format: "checkdown-progress",
    items: Object.fromEntries(Object.entries({
      ...file.items,
      [fourth.id]: { note: "We run no servers.\nAsk the platform team.", status: "not-applicable", updated: mine.updated },
    }).sort(([a], [b]) => (a < b ? -1 : 1))),
    version: 2,
  };
  assert.equal(text, JSON.stringify(expected, null, 2) + "\n", "sorted keys, two spaces, a newline at the end");
  assert.match(await page.locator("[data-status]").textContent(), /^Exported the progress of 4 items \(1 changed in this browser\)/);

  // Committed as the team's file and built again, the export is the published progress:
  // the reader's change has been caught up with and is no longer marked.
  build(path.join(repo, "input"), "team", text);
  await page.reload();
  assert.equal(await statusMenu(page, fourth.title).inputValue(), "not-applicable");
  assert.equal(await page.locator("li.item[data-changed]").count(), 0);
  assert.equal(await page.locator("[data-local]").isHidden(), true);
  assert.equal(await page.evaluate((id) => localStorage.getItem(`checkdown-item:${id}`), fourth.id), null);
  await close(s);
});

test("import reads version 2 and version 1, and refuses anything else", async () => {
  const { level1, file } = teamProgress();
  const [done, na, doing, fourth, fifth] = level1;
  build(path.join(repo, "input"), "team", file);
  const s = await open();
  const page = s.page;
  await page.goto(`${origin}/team/security/maturity-model.html`);
  await statusMenu(page, fifth.title).selectOption("in-progress");

  // Version 2: statuses and notes; an item the file does not name shows the published state.
  const v2 = path.join(work, "import-v2.json");
  fs.writeFileSync(v2, JSON.stringify({
    format: "checkdown-progress",
    items: {
      [fourth.id]: { note: "Waiting for the **audit**.", status: "in-progress", updated: "2025-04-01T08:00:00Z" },
      [na.id]: { status: "done", updated: "2025-04-02T08:00:00+02:00" },
      "item-on-another-page": { status: "done", updated: "2025-04-02T08:00:00Z" },
    },
    version: 2,
  }));
  await importThrough(page, v2, /^Imported/);
  assert.match(s.dialogs.at(-1), /^confirm: Replace the 1 change kept in this browser with the 3 items in import-v2\.json\?/);
  assert.equal(await page.locator("[data-status]").textContent(), "Imported 3 items from import-v2.json (2 on this page).");
  assert.equal(await statusMenu(page, fourth.title).inputValue(), "in-progress");
  assert.equal(await item(page, fourth.id).locator("[data-note-plain]").textContent(), "Waiting for the **audit**.");
  assert.equal(await box(page, na.title).isChecked(), true);
  assert.equal(await item(page, na.id).locator("[data-note-text]").isHidden(), true);
  assert.equal(await statusMenu(page, fifth.title).inputValue(), "open");
  assert.equal(await statusMenu(page, doing.title).inputValue(), "in-progress");
  await page.reload();
  assert.deepEqual(await page.$$eval("li.item[data-changed]", (lis) => lis.map((li) => li.dataset.id).sort()), [na.id, fourth.id].sort());
  assert.equal(JSON.parse(await page.evaluate(() => localStorage.getItem("checkdown-item:item-on-another-page"))).status, "done");

  // Version 1, what older pages exported: ticks with times, unticks as a list.
  const v1 = path.join(work, "import-v1.json");
  fs.writeFileSync(v1, JSON.stringify({
    format: "checkdown-progress",
    version: 1,
    exported: "2025-02-01T00:00:00Z",
    done: { [fourth.id]: "2025-01-15T12:00:00.000Z", [fifth.id]: "1" },
    open: [done.id],
  }));
  await importThrough(page, v1, /^Imported/);
  assert.equal(await page.locator("[data-status]").textContent(), "Imported 3 items from import-v1.json (3 on this page).");
  assert.equal(await box(page, fourth.title).isChecked(), true);
  assert.equal(await box(page, fifth.title).isChecked(), true);
  assert.equal(await box(page, done.title).isChecked(), false);
  assert.equal(await statusMenu(page, na.title).inputValue(), "not-applicable", "back to the published state");
  assert.equal(await item(page, fourth.id).locator("[data-note-text]").isHidden(), true);
  const when = (id) => page.evaluate((i) => JSON.parse(localStorage.getItem(`checkdown-item:${i}`)).updated, id);
  assert.equal(await when(fourth.id), "2025-01-15T12:00:00.000Z");
  assert.equal(await when(fifth.id), "2025-02-01T00:00:00Z", "no time of its own: the file's");
  assert.equal(await when(done.id), "2025-02-01T00:00:00Z");

  // Not a progress file, an unknown version or status, a bad time or id: nothing changes.
  const before = await page.evaluate(() => JSON.stringify(Object.entries(localStorage).sort()));
  for (const [name, data] of [
    ["other.json", { format: "something-else", done: ["x"] }],
    ["v3.json", { format: "checkdown-progress", version: 3, items: {} }],
    ["status.json", { format: "checkdown-progress", version: 2, items: { [done.id]: { status: "finished", updated: "2025-01-01T00:00:00Z" } } }],
    ["time.json", { format: "checkdown-progress", version: 2, items: { [done.id]: { status: "done", updated: "yesterday" } } }],
    ["id.json", { format: "checkdown-progress", version: 2, items: { "<img src=x>": { status: "done", updated: "2025-01-01T00:00:00Z" } } }],
    ["note.json", { format: "checkdown-progress", version: 2, items: { [done.id]: { status: "done", note: 7, updated: "2025-01-01T00:00:00Z" } } }],
  ]) {
    const bad = path.join(work, name);
    fs.writeFileSync(bad, JSON.stringify(data));
    await importThrough(page, bad, /not a checkdown progress file/);
    assert.equal(await page.locator("[data-status]").textContent(), `${name} is not a checkdown progress file; nothing was changed.`);
  }
  assert.equal(await page.evaluate(() => JSON.stringify(Object.entries(localStorage).sort())), before);
  await close(s);
});

test("statuses and notes by keyboard, labelled for screen readers, and axe clean with progress", async () => {
  const { level1, file } = teamProgress();
  const [, na, , fourth] = level1;
  build(path.join(repo, "input"), "team", file);
  for (const colorScheme of ["light", "dark"]) {
    const s = await open({ colorScheme });
    const page = s.page;
    await page.goto(`${origin}/team/security/maturity-model.html`);
    // From the box: its anchor, then its status menu; arrows change the status.
    await box(page, fourth.title).focus();
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute("data-status-of")), fourth.id);
    await page.keyboard.press("ArrowDown");
    assert.equal(await statusMenu(page, fourth.title).inputValue(), "in-progress");
    // Then its details, and in them its note.
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    let reached = false;
    for (let n = 0; n < 30 && !reached; n++) {
      await page.keyboard.press("Tab");
      reached = await page.evaluate((id) => document.activeElement.getAttribute("data-note-of") === id, fourth.id);
    }
    assert.ok(reached, "the note field is reached by keyboard");
    await page.keyboard.type("Typed by keyboard.");
    assert.equal(await item(page, fourth.id).locator("[data-note-plain]").textContent(), "Typed by keyboard.");
    assert.equal(await item(page, fourth.id).getAttribute("data-state"), "in-progress");
    await page.getByRole("button", { name: "Expand all details" }).click();
    assert.equal(await page.getByRole("textbox", { name: `Note on ${na.title}`, exact: true }).count(), 1);
    assert.deepEqual(await axe(page), [], `page with progress, ${colorScheme}`);
    await page.goto(`${origin}/team/index.html`);
    assert.deepEqual(await axe(page), [], `index with progress, ${colorScheme}`);
    await close(s);
  }
});

/** The markup of every counting element of the page (its counts, bars and the overview's
    cells): as the page is now, or as served when `served` is its HTML (parsed, never run;
    the page's policy lets it fetch nothing, so the test does). */
async function countsOf(page, served = null) {
  return page.evaluate((html) => {
    const doc = html === null ? document : new DOMParser().parseFromString(html, "text/html");
    return Array.from(doc.querySelectorAll("[data-ids]"), (el) => el.outerHTML);
  }, served);
}

test("the counts are in the page as built, right without the script, and the script leaves them as they are", async () => {
  const { level1, file } = teamProgress();
  build(path.join(repo, "input"), "team", file);
  const applicable = items(seed).length - 1;
  // Without JavaScript: the published counts.
  const off = await open({ javaScriptEnabled: false });
  await off.page.goto(`${origin}/team/security/maturity-model.html`);
  assert.equal(await off.page.locator("header .progress .count").textContent(), "1 of 24 done (4%), 1 in progress, 22 open; 1 not applicable, not counted");
  assert.equal(await off.page.locator("header .progress progress").getAttribute("value"), "1");
  assert.equal(await off.page.locator("header .progress progress").getAttribute("max"), "24");
  assert.equal(await off.page.locator("#level1 .progress [data-total]").textContent(), String(level1.length - 1));
  await off.page.goto(`${origin}/team/index.html`);
  assert.equal(await off.page.locator("header .progress .count").textContent(),
    `1 of ${applicable} done (${Math.floor(100 / applicable)}%), 1 in progress, ${applicable - 2} open; 1 not applicable, not counted`);
  const cell = off.page.locator("svg g[data-label='Security maturity model, Level 1']");
  assert.equal(await cell.locator("text").textContent(), `1/${level1.length - 1}`);
  assert.equal(await cell.locator("rect[data-bar]").getAttribute("width"), String(Math.round(106 / (level1.length - 1) * 10) / 10));
  await close(off);
  // With it, and nothing in localStorage: every count, bar and cell as the build wrote it.
  const s = await open();
  for (const url of [`${origin}/team/security/maturity-model.html`, `${origin}/team/index.html`, seedPage(), `${origin}/seed/index.html`]) {
    await s.page.goto(url);
    assert.ok(await s.page.locator("[data-needs-js]").first().isVisible(), "the script ran");
    const built = await countsOf(s.page, await (await fetch(url)).text());
    assert.ok(built.length > 3, url);
    assert.deepEqual(await countsOf(s.page), built, url);
  }
  await close(s);
});

test("a published note is rendered sanitized: its markup runs nothing and loads nothing", async () => {
  const { level1, file } = teamProgress();
  const fourth = level1[3];
  file.items[fourth.id] = {
    note: "Ask <script>alert(1)</script> **ops**.\n\n<img src=\"x\" onerror=\"alert(2)\"> [click](javascript:alert(3)) " +
      "<a href=\"javascript:alert(4)\" onclick=\"alert(5)\">raw</a>\n\n<div onmouseover=\"alert(6)\"><iframe src=\"https://evil.example/\"></iframe>" +
      "<style>body{display:none}</style></div>\n\n# Heading",
    status: "in-progress",
    updated: "2025-03-04T10:00:00Z",
  };
  build(path.join(repo, "input"), "team-note", file);
  const s = await open();
  const page = s.page;
  await page.goto(`${origin}/team-note/security/maturity-model.html`);
  const note = item(page, fourth.id).locator("[data-note-published]");
  assert.equal(await note.innerHTML(),
    "<p>Ask  <strong>ops</strong>.</p>\n<p><img src=\"x\"> <a rel=\"noopener noreferrer\">click</a> <a rel=\"noopener noreferrer\">raw</a></p>\n<div></div>\n<h4>Heading</h4>\n");
  await note.locator("a").first().click();
  await note.locator("a").last().click();
  assert.equal(await page.locator("script").count(), 1, "the shipped script alone");
  assert.equal(await page.locator("iframe, [onerror], [onclick], [onmouseover], main style").count(), 0);
  assert.deepEqual(s.dialogs, []);
  assert.equal(await page.evaluate(() => getComputedStyle(document.body).display), "block");
  // The editable field holds the note as written.
  assert.equal(await noteField(page, fourth).inputValue(), file.items[fourth.id].note);
  await close(s);
});

test("keyboard only: skip link, search, tick, open details", async () => {
  const s = await open();
  const page = s.page;
  await page.goto(seedPage());
  const active = () =>
    page.evaluate(() => {
      const e = document.activeElement;
      return { tag: e.tagName, id: e.id, name: e.getAttribute("name"), text: e.textContent.trim(), data: e.dataset.id || null };
    });
  await page.keyboard.press("Tab");
  assert.equal((await active()).text, "Skip to the checklist");
  await page.keyboard.press("Enter");
  await page.waitForURL(/#cd-checklist$/);
  // From the checklist, Shift+Tab walks back to the search field.
  let found = false;
  for (let n = 0; n < 40 && !found; n++) {
    await page.keyboard.press("Shift+Tab");
    found = (await active()).id === "cd-q";
  }
  assert.ok(found, "the search field is reachable by keyboard");
  await page.keyboard.type("transit");
  let reached = null;
  for (let n = 0; n < 40 && !reached; n++) {
    await page.keyboard.press("Tab");
    const a = await active();
    if (a.data) reached = a;
  }
  const transit = items(maturity).find((i) => i.title === "Encrypt data in transit");
  assert.equal(reached && reached.data, transit.id, "Tab reaches the one item the search shows");
  await page.keyboard.press("Space");
  assert.equal(await box(page, "Encrypt data in transit").isChecked(), true);
  assert.match(await page.evaluate((id) => localStorage.getItem(`checkdown-item:${id}`), transit.id), /^\{"status":"done","updated":"/);
  let summary = false;
  for (let n = 0; n < 5 && !summary; n++) {
    await page.keyboard.press("Tab");
    summary = (await active()).tag === "SUMMARY";
  }
  assert.ok(summary, "the item's details are next in the tab order");
  await page.keyboard.press("Enter");
  assert.equal(await page.locator(`li[data-id="${transit.id}"] details`).evaluate((d) => d.open), true);
  await close(s);
});

test("axe-core finds no serious or critical violation, light and dark", async () => {
  for (const colorScheme of ["light", "dark"]) {
    const s = await open({ colorScheme });
    const page = s.page;
    await page.goto(seedPage());
    await box(page, "Encrypt data at rest").check();
    await page.getByRole("button", { name: "Expand all details" }).click();
    assert.deepEqual(await axe(page), [], `page, ${colorScheme}`);
    await page.getByLabel("Search").fill("encrypt");
    assert.deepEqual(await axe(page), [], `filtered page, ${colorScheme}`);
    await page.goto(`${origin}/seed/index.html`);
    assert.deepEqual(await axe(page), [], `index, ${colorScheme}`);
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(background, colorScheme === "dark" ? "rgb(22, 24, 28)" : "rgb(255, 255, 255)");
    await close(s);
  }
});

test("a hostile page runs nothing and requests nothing outside the site", async () => {
  const s = await open();
  const page = s.page;
  await page.addInitScript(() => {
    window.__pwned = undefined;
  });
  for (const url of [`${origin}/hostile/hostile.html`, `${origin}/hostile/index.html`]) {
    await page.goto(url);
    // Give handlers every chance: open every details, focus and hover everything.
    await page.evaluate(() => document.querySelectorAll("details").forEach((d) => { d.open = true; }));
    for (let n = 0; n < 60; n++) await page.keyboard.press("Tab");
    for (const el of await page.locator("main p, main div, main a, main img, main h2, main h3").all()) {
      await el.hover({ timeout: 200, force: true }).catch(() => {});
    }
    await page.waitForTimeout(200);
    assert.equal(await page.evaluate(() => window.__pwned), undefined, url);
    const dom = await page.evaluate(() => {
      const found = [];
      for (const el of document.querySelectorAll("*")) {
        for (const attr of el.attributes) {
          const v = attr.value.trim().toLowerCase().replace(/[\s\u0000-\u001f]/g, "");
          if (/^on/i.test(attr.name)) found.push(`${el.tagName} ${attr.name}`);
          if (["href", "src", "action", "formaction", "xlink:href", "data", "srcdoc"].includes(attr.name) &&
            (v.startsWith("javascript:") || v.startsWith("vbscript:") || v.startsWith("data:text/html") || attr.name === "srcdoc")) {
            found.push(`${el.tagName} ${attr.name}=${attr.value}`);
          }
          if (attr.name === "style") found.push(`${el.tagName} style`);
        }
      }
      for (const tag of ["iframe", "frame", "object", "embed", "base", "form[action]", "link", "meta[http-equiv=refresh]", "video", "audio", "math"]) {
        if (document.querySelector(tag)) found.push(tag);
      }
      if (document.scripts.length !== 1) found.push(`${document.scripts.length} scripts`);
      if (document.querySelectorAll("style").length !== 1) found.push("extra style");
      return found;
    });
    assert.deepEqual(dom, [], url);
  }
  // The text is shown as text, not dropped: escaped in the title.
  await page.goto(`${origin}/hostile/hostile.html`);
  assert.equal(await page.locator("h1").textContent(), "Hostile window.__pwned = 'h1' page");
  assert.match(await page.locator(".callout.risk .label").textContent(), /<script>window\.__pwned/);
  assert.deepEqual(s.dialogs, []);
  // The outside images that the sanitizer keeps (plain http(s) images are harmless
  // markup) are stopped by the page's policy before any request is made.
  assert.ok((await page.evaluate(() => window.__violations)).some((v) => v.includes("evil.example")));
  assert.ok(s.blocked.includes("https://evil.example/pixel.png"), `blocked: ${s.blocked}`);
  await close(s, { violations: true });
});

test("the index, with some progress, as the README shows it", async () => {
  const s = await open({ viewport: { width: 1000, height: 700 } });
  const page = s.page;
  await page.goto(seedPage());
  const all = items(maturity);
  const done = [...all.filter((i) => i.section.level === 1), ...all.filter((i) => i.section.level === 2).slice(0, 4), all.find((i) => i.section.level === 3)];
  for (const item of done) await box(page, item.title).check();
  // And a few items of another page, when input/ has it.
  let others = 0;
  const guide = seed.documents.find((d) => d.path === "service-guides/example-queue.md");
  if (guide) {
    await page.goto(`${origin}/seed/service-guides/example-queue.html`);
    for (const item of items({ documents: [guide] }).slice(0, 3)) {
      await box(page, item.title).check();
      others++;
    }
  }
  await page.goto(`${origin}/seed/index.html`);
  assert.equal(await page.locator("header [data-ids] [data-done]").textContent(), String(done.length + others));
  const target = process.env.CHECKDOWN_SCREENSHOT ? path.resolve(repo, process.env.CHECKDOWN_SCREENSHOT) : path.join(work, "index.png");
  await page.screenshot({ path: target, fullPage: true });
  assert.ok(fs.statSync(target).size > 10_000);
  await close(s);
});

/* The site of tests/it/fields.rs' release(): "Prepare the release" (checked in the source)
   with "Update the changelog" (checked) and "Tag the commit" under it, "Sign the tag" under
   that; then "Announce" and "Close the milestone" under the caption "After the release". */
const fieldsPage = () => `${origin}/fields/f.html`;
const fieldId = (n) => `${n.toString(16).padStart(8, "0")}-0000-5000-8000-${n.toString(16).padStart(12, "0")}`;

test("items checked in the source start ticked until the reader changes them", { skip: !process.env.CHECKDOWN_FIELDS }, async () => {
  const s = await open();
  const page = s.page;
  await page.goto(fieldsPage());
  assert.deepEqual(await checkedTitles(page), ["Prepare the release", "Update the changelog"]);
  assert.equal(await page.locator("header [data-ids] [data-done]").textContent(), "2");
  // The reader's untick wins over the source, after a reload too.
  await box(page, "Prepare the release").uncheck();
  await box(page, "Sign the tag").check();
  await page.reload();
  assert.deepEqual(await checkedTitles(page), ["Update the changelog", "Sign the tag"]);
  assert.match(await page.evaluate((id) => localStorage.getItem(`checkdown-item:${id}`), fieldId(1)), /^\{"status":"open","updated":"/);
  assert.equal(await page.locator("header [data-ids] [data-done]").textContent(), "2");
  // The index counts the source's ticks and the reader's.
  await page.goto(`${origin}/fields/index.html`);
  assert.equal(await page.locator("header [data-ids] [data-done]").textContent(), "2");
  await page.goto(fieldsPage());

  // Export carries the untick; reset goes back to the source; import restores the reader's.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Export progress" }).click(),
  ]);
  const file = path.join(work, "fields-progress.json");
  await download.saveAs(file);
  const exported = JSON.parse(fs.readFileSync(file, "utf8"));
  assert.deepEqual(Object.keys(exported.items), [fieldId(1), fieldId(4)]);
  assert.equal(exported.items[fieldId(1)].status, "open");
  assert.equal(exported.items[fieldId(4)].status, "done");
  await page.getByRole("button", { name: "Reset this checklist…" }).click();
  assert.match(s.dialogs.at(-1), /^confirm: Clear 2 changes on this checklist/);
  assert.deepEqual(await checkedTitles(page), ["Prepare the release", "Update the changelog"]);
  const [chooser] = await Promise.all([
    page.waitForEvent("filechooser"),
    page.getByRole("button", { name: "Import progress…" }).click(),
  ]);
  await chooser.setFiles(file);
  await page.waitForFunction(() => /^Imported/.test(document.querySelector("[data-status]").textContent));
  assert.deepEqual(await checkedTitles(page), ["Update the changelog", "Sign the tag"]);
  // "Open items" counts the source's ticks as done.
  await page.getByLabel("Open items").check();
  assert.deepEqual(await visibleIds(page), [fieldId(1), fieldId(3), fieldId(5), fieldId(6)]);
  await close(s);
});

test("nested items stay under their parents when filtered, and the page is accessible", { skip: !process.env.CHECKDOWN_FIELDS }, async () => {
  const s = await open();
  const page = s.page;
  await page.goto(fieldsPage());
  // A match deep down keeps the items it is nested in in view; the count is of matches.
  await page.getByLabel("Search").fill("sign");
  assert.deepEqual(await visibleIds(page), [fieldId(1), fieldId(3), fieldId(4)]);
  assert.equal(await page.locator("[data-shown]").textContent(), "Showing 1 of 6 items.");
  assert.equal(await page.locator("p.group").isVisible(), false);
  // The summary is searched, and the group's caption shows with its items.
  await page.getByLabel("Search").fill("users");
  assert.deepEqual(await visibleIds(page), [fieldId(5)]);
  assert.equal(await page.locator("p.group").isVisible(), true);
  await page.getByLabel("Search").fill("");
  // The nested box is reached and ticked with the keyboard.
  await box(page, "Tag the commit").focus();
  // Its anchor, its status menu, its details, then the next box.
  for (let n = 0; n < 4; n++) await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.dataset.id), fieldId(4));
  await page.keyboard.press("Space");
  assert.equal(await box(page, "Sign the tag").isChecked(), true);
  for (const colorScheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme });
    await page.getByRole("button", { name: "Expand all details" }).click();
    assert.deepEqual(await axe(page), [], `fields page, ${colorScheme}`);
  }
  await page.goto(`${origin}/fields/index.html`);
  assert.deepEqual(await axe(page), [], "fields index");
  await close(s);
});
