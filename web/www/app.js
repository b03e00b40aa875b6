// The playground page: a terminal pane and a picture over the wasm build of
// ntlinkfs-web. All state lives in one `Web` session object from Rust; this
// file only moves text between it and the DOM.
import init, { Web, profiles, volumeKinds, scenarios, demoTable } from "./ntlinkfs_web.js";

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
const DEFAULT_CLOCK = 1705311000; // 2024-01-15 09:30:00 UTC, as --fixed-clock

let web = null;          // the current session
let history = [];        // lines typed, oldest first
let historyAt = 0;       // where Up/Down is in `history`
let tab = null;          // Tab cycling: {line, start, words, i}
let scenarioList = [];

// ---- messages --------------------------------------------------------------

function showMessage(text) {
  const m = $("message");
  m.textContent = text;
  m.hidden = false;
}
function clearMessage() { $("message").hidden = true; $("message").textContent = ""; }
function errorText(e) { return e && e.message ? e.message : String(e); }

// ---- the terminal ----------------------------------------------------------

function appendReply(r) {
  const entry = document.createElement("div");
  entry.className = "entry";
  if (r.echo) {
    const echo = document.createElement("div");
    echo.className = "echo";
    echo.textContent = r.echo;
    entry.appendChild(echo);
  }
  if (r.output) {
    const out = document.createElement("pre");
    out.className = "out";
    out.textContent = r.output.replace(/\n$/, "");
    entry.appendChild(out);
  }
  if (r.error) {
    const err = document.createElement("div");
    err.className = "err";
    err.textContent = r.error;
    entry.appendChild(err);
  }
  $("transcript").appendChild(entry);
}

function appendNote(text, cls = "note") {
  const d = document.createElement("div");
  d.className = cls;
  d.textContent = text;
  $("transcript").appendChild(d);
}

function showPrompt() {
  $("prompt").textContent = web.prompt();
  const t = $("terminal");
  t.scrollTop = t.scrollHeight;
}

// Runs what the user typed or pasted, redraws, and records the session.
function afterCommands() {
  showPrompt();
  draw();
  updateUrl();
}

function runLine(line) {
  const t0 = performance.now();
  let r;
  try {
    r = JSON.parse(web.run(line))[0];
  } catch (e) {
    // Only a bug in the emulator gets here (a Rust panic stops the module).
    showMessage("The emulator stopped on an internal error (" + errorText(e) + "); reload the page. " +
                "Please report the commands in this page's link.");
    return;
  }
  appendReply(r);
  if (line.trim() !== "") { history.push(line); }
  historyAt = history.length;
  afterCommands();
  window.ntlinkfsLastCommandMs = performance.now() - t0;
}

function runPaste(text) {
  let replies;
  try {
    replies = JSON.parse(web.paste(text));
  } catch (e) {
    showMessage(errorText(e));
    return;
  }
  clearMessage();
  for (const r of replies) { appendReply(r); }
  for (const l of text.split(/\r?\n/)) { if (l.trim() !== "") { history.push(l); } }
  historyAt = history.length;
  afterCommands();
}

function onKey(ev) {
  const input = $("input");
  if (ev.key === "Tab") {
    ev.preventDefault();
    complete(input, ev.shiftKey);
    return;
  }
  tab = null;
  if (ev.key === "Enter") {
    ev.preventDefault();
    const line = input.value;
    input.value = "";
    runLine(line);
  } else if (ev.key === "ArrowUp" && historyAt > 0) {
    ev.preventDefault();
    historyAt -= 1;
    input.value = history[historyAt];
  } else if (ev.key === "ArrowDown") {
    ev.preventDefault();
    historyAt = Math.min(history.length, historyAt + 1);
    input.value = historyAt < history.length ? history[historyAt] : "";
  } else if (ev.key === "Escape") {
    input.value = "";
  }
}

// Tab as cmd.exe: each press puts the next candidate in the word's place.
function complete(input, back) {
  if (tab === null || input.value !== tab.shown) {
    const before = input.value.slice(0, input.selectionStart);
    const c = JSON.parse(web.complete(before));
    if (c.words.length === 0) { return; }
    tab = { line: before, start: c.start, words: c.words, i: back ? c.words.length - 1 : 0 };
  } else {
    const n = tab.words.length;
    tab.i = (tab.i + (back ? n - 1 : 1)) % n;
  }
  input.value = tab.line.slice(0, tab.start) + tab.words[tab.i];
  tab.shown = input.value;
}

function onPaste(ev) {
  const text = (ev.clipboardData || window.clipboardData).getData("text");
  // One short line goes into the input as usual; several lines (or a huge
  // one) run as a paste, which Rust refuses when it is too large.
  if (!/[\r\n]/.test(text) && text.length <= 8191) { return; }
  ev.preventDefault();
  const input = $("input");
  const whole = input.value.slice(0, input.selectionStart) + text + input.value.slice(input.selectionEnd);
  const before = input.value;
  input.value = "";
  runPaste(whole.replace(/\r?\n$/, ""));
  if (!$("message").hidden) { input.value = before; }
}

// ---- the picture -----------------------------------------------------------

const ROW = 20, NAME_ROW = 14, INDENT = 12, PANE_W = 340, GAP = 56, TOP = 34;

function el(name, attrs, parent) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs || {})) { e.setAttribute(k, v); }
  if (parent) { parent.appendChild(e); }
  return e;
}
function text(parent, x, y, s, cls) {
  const t = el("text", { x, y }, parent);
  if (cls) { t.setAttribute("class", cls); }
  t.textContent = s.length > 46 ? s.slice(0, 45) + "…" : s;
  return t;
}
const LABELS = { dir: "", file: "", junction: " <JUNCTION>", symlinkd: " <SYMLINKD>", symlink: " <SYMLINK>", reparse: " <REPARSE>", fold: "" };

function draw() {
  const t0 = performance.now();
  const pic = JSON.parse(web.picture());
  const svg = el("svg", { role: "img", "aria-label": "The volumes, their files and links" });
  const defs = el("defs", {}, svg);
  for (const [id, color] of [["ok", "#1a73e8"], ["sym", "#188038"], ["bad", "#d93025"], ["loop", "#e37400"]]) {
    const m = el("marker", { id: "head-" + id, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, defs);
    el("path", { d: "M0,0 L10,5 L0,10 z", fill: color }, m);
  }
  const boxes = new Map(); // id -> {x, y, w, h, pane}
  let height = 0;
  pic.panes.forEach((pane, p) => {
    const x0 = p * (PANE_W + GAP) + 8;
    const g = el("g", { class: "pane", "data-letter": pane.letter }, svg);
    const bg = el("rect", { class: "pane-bg", x: x0 - 4, y: 4, width: PANE_W + 8, rx: 6 }, g);
    text(g, x0, 22, `${pane.letter}: ${pane.kind} "${pane.label}" serial ${pane.serial}, ${pane.records} records`, "pane-title");
    let y = TOP;
    for (const item of pane.items) {
      const hard = item.kind !== "dir" && item.links > 1;
      const others = hard ? item.names.filter((n) => n !== item.path) : [];
      const h = ROW + others.length * NAME_ROW;
      const x = x0 + item.depth * INDENT;
      const w = PANE_W - item.depth * INDENT;
      const node = el("g", {
        class: `node kind-${item.kind}${hard ? " hard" : ""}`,
        "data-id": item.id, "data-kind": item.kind, "data-path": item.path,
        "data-names": item.names.join("|"), "data-links": item.links,
        tabindex: item.kind === "fold" ? -1 : 0,
      }, g);
      el("title", {}, node).textContent = item.names.length ? item.names.join("\n") : item.name;
      el("rect", { x, y, width: w, height: h - 3, rx: 3 }, node);
      const label = (item.depth === 0 ? item.path : item.name) + LABELS[item.kind];
      text(node, x + 5, y + 13, label, "name");
      if (hard) {
        text(node, x + w - 70, y + 13, `${item.links} links`, "count");
        others.forEach((n, i) => text(node, x + 18, y + 13 + (i + 1) * NAME_ROW, "also " + n, "also"));
      }
      if (item.kind !== "fold") {
        node.setAttribute("role", "button");
        node.addEventListener("click", () => showDetails(item.id, node));
        node.addEventListener("keydown", (e) => {
          if (e.key === "Enter" || e.key === " ") { e.preventDefault(); showDetails(item.id, node); }
        });
      }
      boxes.set(item.id, { x, y, w, h: h - 3, pane: p });
      y += h;
    }
    if (pane.cut) { text(g, x0, y + 12, "… the rest of this volume is not drawn", "name"); y += ROW; }
    bg.setAttribute("height", y - 4);
    height = Math.max(height, y + 10);
  });
  // Arrows after the boxes, so that they are drawn on top.
  const paneCount = pic.panes.length;
  pic.arrows.forEach((a) => {
    const from = boxes.get(a.from);
    if (!from) { return; }
    const to = a.to ? boxes.get(a.to) : null;
    const g = el("g", {
      class: `arrow state-${a.state}${a.cross ? " cross" : ""} link-${kindOf(a.from, pic)}`,
      "data-from": a.from, "data-to": a.to || "", "data-state": a.state, "data-target": a.target,
    }, svg);
    el("title", {}, g).textContent = `-> ${a.target}${a.why ? "\n" + a.why : ""}`;
    const sx = from.x + from.w, sy = from.y + from.h / 2;
    const head = a.state === "loop" ? "loop" : a.state === "ok" ? (kindOf(a.from, pic).startsWith("symlink") ? "sym" : "ok") : "bad";
    if (to && a.state !== "dangling") {
      let d;
      if (to.pane === from.pane) {
        const ex = to.x + to.w, ey = to.y + to.h / 2;
        const bulge = Math.min(60, 18 + Math.abs(ey - sy) / 6);
        d = `M${sx},${sy} C${sx + bulge},${sy} ${ex + bulge},${ey} ${ex + 1},${ey}`;
      } else {
        const ex = to.x, ey = to.y + to.h / 2;
        const right = to.pane > from.pane;
        const sx2 = right ? sx : from.x;
        d = `M${sx2},${sy} C${sx2 + (right ? 40 : -40)},${sy} ${ex - (right ? 40 : -40)},${ey} ${right ? ex - 1 : to.x + to.w + 1},${ey}`;
      }
      el("path", { d, "marker-end": `url(#head-${head})` }, g);
      if (a.state === "loop") { text(g, sx + 6, sy - 4, "↻ loop"); }
    } else {
      // Nothing (or nothing drawn) to point at: a short arrow to the target's text.
      el("path", { d: `M${sx},${sy} h26`, "marker-end": `url(#head-${head})` }, g);
      const what = a.state === "dangling" ? "✗ dangling: " : a.state === "ok" ? "→ (not drawn) " : a.state === "loop" ? "↻ loop: " : "✗ ";
      text(g, sx + 30, sy + 4, what + a.target);
    }
  });
  svg.setAttribute("width", paneCount * (PANE_W + GAP) + 20);
  svg.setAttribute("height", height);
  $("picture").replaceChildren(svg);
  window.ntlinkfsLastDrawMs = performance.now() - t0;
}

function kindOf(id, pic) {
  for (const p of pic.panes) { for (const i of p.items) { if (i.id === id) { return i.kind; } } }
  return "";
}

function showDetails(id, node) {
  const text = web.details(id);
  if (text === undefined || text === null) { return; }
  document.querySelectorAll(".node.selected").forEach((n) => n.classList.remove("selected"));
  node.classList.add("selected");
  $("details-title").textContent = node.getAttribute("data-path");
  $("details-text").textContent = text;
  $("details").hidden = false;
}

// ---- sessions --------------------------------------------------------------

function clockSeconds() {
  const v = $("clock").value;
  const t = v ? Date.parse(v + "Z") : NaN;
  return Number.isFinite(t) ? Math.floor(t / 1000) : DEFAULT_CLOCK;
}
function setClock(seconds) {
  $("clock").value = new Date(seconds * 1000).toISOString().slice(0, 19);
}

function profileName() {
  let p = $("profile").value;
  if ($("dev").checked) { p += "+dev"; }
  if ($("user").checked) { p += "-user"; }
  return p;
}

// Makes `next` the session: the transcript starts over with its replies.
function adopt(next, note) {
  if (web) { web.free(); }
  web = next;
  history = [];
  historyAt = 0;
  $("transcript").replaceChildren();
  appendNote(`ntlinkfs playground: emulated NTFS, profile ${web.profile()}. Type HELP for the commands.`, "banner");
  if (note) { appendNote(note); }
  for (const r of JSON.parse(web.replayed())) {
    appendReply(r);
    if (r.echo) { history.push(r.echo.slice(r.echo.indexOf(">") + 1)); }
  }
  historyAt = history.length;
  $("details").hidden = true;
  showSetup(JSON.parse(web.setup()));
  afterCommands();
}

// The pickers show the session's setup (a link or an image may bring another).
function showSetup(s) {
  $("profile").value = s.version;
  $("dev").checked = s.dev;
  $("user").checked = s.user;
  const kinds = new Map(s.volumes);
  for (const [letter, id] of [["C", "vol-c"], ["D", "vol-d"], ["E", "vol-e"]]) {
    $(id).value = kinds.get(letter) || "";
  }
  $("start").value = s.start;
  setClock(s.clock);
}

function newSession() {
  const vols = [["C", $("vol-c").value], ["D", $("vol-d").value], ["E", $("vol-e").value]]
    .filter(([, k]) => k).map(([l, k]) => `${l}:${k}`).join(",");
  try {
    const next = new Web(profileName(), vols, clockSeconds(), $("start").value);
    clearMessage();
    $("about").hidden = true;
    $("scenario").value = "";
    adopt(next);
  } catch (e) {
    showMessage("The session was not started: " + errorText(e));
  }
}

// Loads a session from a URL fragment; a bad one leaves the current session.
function loadFragment(fragment) {
  try {
    const next = Web.fromFragment(fragment);
    clearMessage();
    adopt(next);
    return true;
  } catch (e) {
    showMessage(errorText(e) + (web ? " The current session is unchanged." : " A new session was started instead."));
    if (web) { updateUrl(); } else { const why = $("message").textContent; newSession(); showMessage(why); }
    return false;
  }
}

let writingUrl = false;
function updateUrl() {
  let f;
  try { f = web.fragment(); } catch (e) { f = null; }
  const want = f ? "#" + f : "";
  if (location.hash !== want) {
    // replaceState fires no hashchange; the flag is for safety all the same.
    writingUrl = true;
    window.history.replaceState(null, "", want || location.pathname + location.search);
    writingUrl = false;
  }
}

function onHashChange() {
  if (writingUrl || location.hash === "" || location.hash === "#") { return; }
  let current = null;
  try { current = "#" + web.fragment(); } catch (e) { /* from an image */ }
  if (location.hash !== current) { loadFragment(location.hash); }
}

function chooseScenario() {
  const s = scenarioList.find((x) => x.id === $("scenario").value);
  if (!s) { return; }
  if (loadFragment(s.fragment)) {
    $("about").textContent = s.about;
    $("about").hidden = false;
    $("scenario").value = s.id;
  }
}

function downloadImage() {
  const bytes = web.saveImage();
  const blob = new Blob([bytes], { type: "application/octet-stream" });
  const a = $("download-link");
  if (a.href) { URL.revokeObjectURL(a.href); }
  a.href = URL.createObjectURL(blob);
  a.download = "playground.ntlinkfs";
  a.click();
  $("status").textContent = `Image of ${bytes.length} bytes: open it with ntlinkfs shell --image playground.ntlinkfs`;
}

async function uploadImage() {
  const file = $("upload").files[0];
  if (!file) { return; }
  const bytes = new Uint8Array(await file.arrayBuffer());
  try {
    const next = Web.fromImage(bytes, clockSeconds());
    clearMessage();
    adopt(next, `Loaded the image ${file.name} (${bytes.length} bytes). A link cannot carry an image: share the file.`);
  } catch (e) {
    showMessage(`${file.name}: ${errorText(e)}`);
  }
  $("upload").value = "";
}

async function copyLink() {
  try {
    const url = location.origin + location.pathname + "#" + web.fragment();
    try { await navigator.clipboard.writeText(url); $("status").textContent = "The link is copied."; }
    catch (e) { $("status").textContent = url; }
  } catch (e) {
    showMessage(errorText(e));
  }
}

// ---- the comparison table -------------------------------------------------

function showTable() {
  let t;
  try { t = JSON.parse(demoTable($("table-profile").value)); }
  catch (e) { showMessage(errorText(e)); return; }
  $("table-heading").textContent = t.heading;
  $("table-note").textContent = t.note;
  const table = $("demo-table");
  table.replaceChildren();
  const head = table.createTHead().insertRow();
  for (const c of ["", ...t.columns]) { const th = document.createElement("th"); th.textContent = c; head.appendChild(th); }
  const body = table.createTBody();
  for (const r of t.rows) {
    const row = body.insertRow();
    const th = document.createElement("th"); th.textContent = r.title; row.appendChild(th);
    for (const c of r.cells) { row.insertCell().textContent = c; }
  }
}

function showView(which) {
  const table = which === "table";
  $("play-view").hidden = table;
  $("table-view").hidden = !table;
  $("tab-play").classList.toggle("active", !table);
  $("tab-table").classList.toggle("active", table);
  if (table && !$("demo-table").rows.length) { showTable(); }
}

// ---- start -----------------------------------------------------------------

function fill(select, items) {
  for (const [value, label] of items) {
    const o = document.createElement("option");
    o.value = value; o.textContent = label;
    select.appendChild(o);
  }
}

async function main() {
  await init();
  const versions = JSON.parse(profiles()).map((p) => [p.name, p.description]);
  fill($("profile"), versions);
  fill($("table-profile"), versions);
  $("profile").value = "11";
  $("table-profile").value = "11";
  const kinds = JSON.parse(volumeKinds()).map((k) => [k, k.replace("refs", "ReFS ").replace("ntfs", "NTFS").replace("fat32", "FAT32").replace("exfat", "exFAT").replace("network", "network drive")]);
  for (const s of document.querySelectorAll("select.kind")) { fill(s, kinds); }
  $("vol-c").value = "ntfs"; $("vol-d").value = "ntfs"; $("vol-e").value = "";
  scenarioList = JSON.parse(scenarios());
  fill($("scenario"), scenarioList.map((s) => [s.id, s.title]));
  setClock(DEFAULT_CLOCK);

  $("input").addEventListener("keydown", onKey);
  $("input").addEventListener("paste", onPaste);
  $("terminal").addEventListener("click", () => { if (!window.getSelection().toString()) { $("input").focus(); } });
  $("new-session").addEventListener("click", newSession);
  $("scenario").addEventListener("change", chooseScenario);
  $("download").addEventListener("click", downloadImage);
  $("upload").addEventListener("change", uploadImage);
  $("copy-link").addEventListener("click", copyLink);
  $("tab-play").addEventListener("click", () => showView("play"));
  $("tab-table").addEventListener("click", () => showView("table"));
  $("table-profile").addEventListener("change", showTable);
  window.addEventListener("hashchange", onHashChange);

  if (location.hash.length > 1) { loadFragment(location.hash); } else { newSession(); }
  $("input").disabled = false;
  $("input").focus();
  document.body.dataset.ready = "1";
  window.ntlinkfsTTI = performance.now();
}

main().catch((e) => showMessage("The playground could not start: " + errorText(e)));
