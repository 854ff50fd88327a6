// The projector view: where the day is, the big shared timer, where everyone goes next, the
// QR code to join, and the harvest wall of notes, which the organiser can hold notes back from.
//
// The page replays the whole change log on load (catch_up from 0: fine for one day), so the
// wall always shows every note of the current block that is not held back or deleted.

import { chimer, fill, follow, formatClock, plural, readJSON, secondsLeft, storageKey, writeJSON } from "../live.js";

const root = document.getElementById("projector");
const workshopId = Number(root.dataset.workshop);
const t = JSON.parse(root.dataset.i18n);
const questions = JSON.parse(root.dataset.questions);
const tableNames = new Map(JSON.parse(root.dataset.tables).map((table) => [table.id, table.name]));
const modeKey = storageKey("projector-mode", workshopId);
const ANNOUNCE_SECONDS = 30;

let state = null;
let stateSeq = 0; // the change the state shown is from: replayed older states are skipped
let offset = 0; // server clock minus this clock, in seconds
let next = null; // projector/next.json: where everyone goes in the next round
let mode = readJSON(modeKey, "auto"); // wall, next or auto
const notes = new Map(); // uid -> latest version of each note of the day
const arrival = new Map(); // uid -> order first seen, so the newest notes come first

const $ = (id) => document.getElementById(id);
const serverNow = () => Date.now() / 1000 + offset;

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text; // user text: never innerHTML
  return node;
}

// Replay the whole day on every load: forget the last sequence number follow() kept.
try {
  window.localStorage.removeItem(storageKey("seq", workshopId, window.location.pathname));
} catch (error) {
  // storage switched off: follow() starts from 0 anyway
}

let problemTimer = null;
function showProblem(message) {
  const box = $("problem");
  box.textContent = message ? message.replace(/^\w+: /, "") : "";
  box.hidden = !message;
  clearTimeout(problemTimer);
  if (message) problemTimer = setTimeout(() => showProblem(""), 8000);
}

const sound = chimer(root);
function unlockAudio() {
  sound.unlock();
  showSoundHint();
}

function showSoundHint() {
  const hint = $("sound-hint");
  hint.textContent = t.soundHint;
  hint.hidden = !(state && state.chime) || sound.playing();
}

// Where the day is --------------------------------------------------------------------------

function renderState() {
  const round = state && state.round;
  $("where-block").textContent = round ? round.block : "";
  $("where-round").textContent = round ? fill(t.round, { n: round.number }) : "";
  $("where-position").textContent = round ? `(${fill(t.position, { n: state.position, m: state.rounds })})` : "";
  showSoundHint();
  renderWall();
  renderNext();
}

let showingNext = null;
function tick() {
  const on = state && (state.status === "running" || state.status === "paused");
  const pause = state && state.status === "break" ? state.break : null;
  const left = on || (pause && state.started_at) ? secondsLeft(state, offset) : null;
  const timer = $("timer");
  timer.textContent = formatClock(left);
  timer.classList.toggle("overrun", left !== null && left < 0);
  timer.classList.toggle("paused", Boolean(state && state.status === "paused"));
  timer.classList.toggle("idle", !on && !pause);
  root.classList.toggle("on-break", Boolean(pause));
  let status = "";
  if (!state || state.status === "waiting") status = t.waiting;
  else if (state.status === "finished") status = t.finished;
  else if (pause) status = pause.back_at ? fill(t.breakUntil, { title: pause.title, time: pause.back_at }) : pause.title;
  else if (left !== null && left <= 0) status = t.timeUp;
  else if (state.status === "paused") status = t.paused;
  $("where-status").textContent = status;

  sound.watch(state, left);

  // Automatic: the wall while groups talk; where to go next before the day and when time is up.
  const wantsNext =
    mode === "next" ||
    (mode === "auto" && Boolean(next && next.round) && (!state || state.status === "waiting" || pause || (on && left <= 0)));
  if (wantsNext !== showingNext) {
    showingNext = wantsNext;
    root.classList.toggle("mode-next", wantsNext);
    root.classList.toggle("mode-wall", !wantsNext);
  }
}

function setMode(wanted) {
  mode = wanted;
  writeJSON(modeKey, mode);
  for (const button of document.querySelectorAll("[data-mode]")) {
    button.setAttribute("aria-pressed", String(button.dataset.mode === mode));
  }
  tick();
}

// Where everyone goes next ------------------------------------------------------------------

let nextTimer = null;
function refreshNextSoon() {
  clearTimeout(nextTimer);
  nextTimer = setTimeout(refreshNext, 300);
}

async function refreshNext() {
  try {
    const response = await fetch(root.dataset.nextUrl, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    next = await response.json();
    renderNext();
    tick();
  } catch (error) {
    setTimeout(refreshNextSoon, 5000); // offline: the socket reconnects, then we try again
  }
}

function renderNext() {
  const round = next && next.round;
  // Before the day starts the server names the first round by its id alone.
  $("next-title").textContent = !round
    ? t.nothingNext
    : round.number
      ? fill(t.nextTitle, { what: fill(t.round, { n: round.number }) })
      : t.nextFirst;
  // The block's title only when the next round starts a new block.
  const current = state && state.round;
  $("next-block").textContent = round && round.block && (!current || current.block_index !== round.block_index) ? round.block : "";
  // Fixed groups stay where they are: only the moderators move, so names would be noise.
  const peopleMove = root.dataset.format !== "fixed_groups";
  $("next-cards").replaceChildren(
    ...(round ? next.tables : []).map((cell) => {
      const card = element("li", "next-card");
      card.append(element("h3", "next-table", cell.table));
      card.append(
        element("p", "next-moderator", cell.moderator ? fill(t.ledBy, { name: cell.moderator }) : t.selfLed),
      );
      if (cell.question) card.append(element("p", "next-question", cell.question));
      if (peopleMove && cell.people.length) {
        const people = element("ul", "next-people");
        people.append(...cell.people.map((name) => element("li", "", name)));
        card.append(people);
      }
      return card;
    }),
  );
}

// The harvest wall --------------------------------------------------------------------------

// The questions of the block on now (the first block before the day starts).
function wallQuestions() {
  const index = state && state.round ? state.round.block_index : 0;
  const shown = questions.filter((question) => question.block_index === index);
  return shown.length ? shown : questions;
}

function wallNote(note) {
  const item = element("li");
  const button = element("button", `wall-note kind-${note.kind}`);
  button.type = "button";
  button.dataset.uid = note.uid;
  button.title = t.hold;
  button.append(element("span", "wall-text", note.text));
  const meta = element("span", "wall-meta", `${tableNames.get(note.table_id) || ""} · ${t.kinds[note.kind] || note.kind}`);
  if (note.starred) {
    button.classList.add("starred");
    const star = element("span", "wall-star", "★");
    star.title = t.starred;
    meta.prepend(star, " ");
  }
  button.append(meta);
  button.addEventListener("click", () => hold(note.uid, true));
  item.append(button);
  return item;
}

function renderWall() {
  const shown = wallQuestions();
  const wall = $("wall");
  if (!shown.length) {
    wall.replaceChildren(element("p", "wall-empty", t.noQuestions));
    return;
  }
  const visible = [...notes.values()]
    .filter((note) => !note.held && !note.deleted)
    .sort((a, b) => arrival.get(b.uid) - arrival.get(a.uid));
  wall.replaceChildren(
    ...shown.map((question) => {
      const column = element("section", "wall-column");
      const mine = visible.filter((note) => note.question_id === question.id);
      const head = element("header", "wall-head");
      head.append(element("h2", "wall-question", question.text));
      head.append(element("span", "wall-count", plural(t.notes, mine.length)));
      const list = element("ul", "wall-notes");
      if (mine.length) list.append(...mine.map(wallNote));
      else list.append(element("li", "wall-empty", t.emptyColumn));
      column.append(head, list);
      return column;
    }),
  );
  renderHeld();
}

function renderHeld() {
  const held = [...notes.values()].filter((note) => note.held && !note.deleted);
  const toggle = $("held-toggle");
  toggle.textContent = fill(t.held, { n: held.length });
  const list = $("held");
  if (!held.length) {
    list.replaceChildren(element("li", "meta", t.noHeld));
    return;
  }
  list.replaceChildren(
    ...held.map((note) => {
      const item = element("li");
      item.append(element("span", "held-text", note.text));
      const release = element("button", "secondary small", t.release);
      release.type = "button";
      release.addEventListener("click", () => hold(note.uid, false));
      item.append(release);
      return item;
    }),
  );
}

// One click hides a note, so the last one hidden can be shown again from the footer (or U).
let undoTimer = null;
let lastHeld = null;
function offerUndo(note) {
  lastHeld = note.uid;
  const text = note.text.length > 60 ? `${note.text.slice(0, 60)}…` : note.text;
  $("undo-text").textContent = fill(t.heldBack, { text });
  $("undo-hold").hidden = false;
  clearTimeout(undoTimer);
  undoTimer = setTimeout(() => {
    $("undo-hold").hidden = true;
    lastHeld = null;
  }, 15000);
}

function undoHold() {
  if (!lastHeld) return;
  hold(lastHeld, false);
  lastHeld = null;
  $("undo-hold").hidden = true;
}

function hold(uid, held) {
  const note = notes.get(uid);
  if (!note) return;
  const before = note.held;
  note.held = held; // at once: the room should not read it while the server answers
  if (held) offerUndo(note);
  renderWall();
  live.socket.timeout(10000).emit("note_hold", { uid, held }, (error, reply) => {
    if (error || !reply || !reply.ok) {
      note.held = before;
      renderWall();
      showProblem(error ? t.noAnswer : reply.error);
    }
  });
}

// Announcements -----------------------------------------------------------------------------

let announcementTimer = null;
function announce(text, at) {
  // Replayed on load: only an announcement still fresh is shown again.
  const age = serverNow() - (Date.parse(at) / 1000 || 0);
  if (age > ANNOUNCE_SECONDS) return;
  $("announcement-text").textContent = text;
  $("announcement").hidden = false;
  clearTimeout(announcementTimer);
  announcementTimer = setTimeout(hideAnnouncement, (ANNOUNCE_SECONDS - Math.max(0, age)) * 1000);
}

function hideAnnouncement() {
  $("announcement").hidden = true;
}

// Following the day -------------------------------------------------------------------------

let drawing = false;
function drawSoon() {
  if (drawing) return;
  drawing = true;
  window.requestAnimationFrame(() => {
    drawing = false;
    renderState();
  });
}

function onChange(change) {
  if (change.kind === "round_state") {
    if (change.seq <= stateSeq) return; // the welcome brought a newer state already
    state = change.payload;
    stateSeq = change.seq;
    refreshNextSoon();
  } else if (change.kind === "note") {
    if (!arrival.has(change.payload.uid)) arrival.set(change.payload.uid, change.seq);
    notes.set(change.payload.uid, change.payload);
  } else if (change.kind === "announcement") {
    announce(change.payload.text, change.at);
  } else if (change.kind === "plan") {
    refreshNextSoon(); // a re-plan: where everyone goes next may have changed
  }
  drawSoon();
}

const live = follow({
  workshopId,
  onWelcome: (welcome) => {
    state = welcome.state;
    stateSeq = welcome.seq;
    offset = welcome.state.server_now - Date.now() / 1000;
    drawSoon();
    refreshNextSoon();
  },
  onChange,
  onConnection: (connected) => {
    const label = $("connection");
    label.textContent = connected ? "" : t.offline;
    label.className = `connection ${connected ? "is-online" : "is-offline"}`;
  },
});

for (const button of document.querySelectorAll("[data-mode]")) {
  button.addEventListener("click", () => setMode(button.dataset.mode));
}

function toggleHeld(open) {
  const panel = $("held-panel");
  panel.hidden = open === undefined ? !panel.hidden : !open;
  $("held-toggle").setAttribute("aria-expanded", String(!panel.hidden));
}

function fullScreen() {
  if (document.fullscreenElement) document.exitFullscreen();
  else document.documentElement.requestFullscreen().catch(() => {});
}

$("held-toggle").addEventListener("click", () => toggleHeld());
$("fullscreen").addEventListener("click", fullScreen);
$("announcement").addEventListener("click", hideAnnouncement);
$("undo-button").addEventListener("click", undoHold);

document.addEventListener("keydown", (event) => {
  unlockAudio();
  if (event.ctrlKey || event.metaKey || event.altKey || event.target.matches("input, textarea, select")) return;
  const key = event.key.toLowerCase();
  if (key === "escape") {
    hideAnnouncement();
    toggleHeld(false);
  } else if (key === "w") setMode("wall");
  else if (key === "n") setMode("next");
  else if (key === "a") setMode("auto");
  else if (key === "f") fullScreen();
  else if (key === "h") toggleHeld();
  else if (key === "u") undoHold();
});
document.addEventListener("pointerdown", unlockAudio);

setMode(mode);
renderState();
setInterval(tick, 250);
