// The organiser's control room: runs the rounds and the one shared timer, sends announcements,
// and shows each table's state at a glance (tablet connected, notes this round, notes waiting).
//
// The page replays the whole change log on load (catch_up from 0: fine for one day) so it can
// count every table's notes and list the notes held back from the projector.

import { chimer, clockTime, fill, follow, formatClock, plural, secondsLeft, storageKey } from "../live.js";

const root = document.getElementById("control");
const workshopId = Number(root.dataset.workshop);
const t = JSON.parse(root.dataset.i18n);
const grants = JSON.parse(root.dataset.grants);
const tables = JSON.parse(root.dataset.tables);

let state = null;
let stateSeq = 0; // the change the state shown is from: replayed older states are skipped
let offset = 0; // server clock minus this clock, in seconds
const notes = new Map(); // uid -> latest version of each note of the day
const tablets = new Map(); // grant id -> {connected, last_activity, waiting}
let tableOfGrant = new Map(); // grant id -> the table its tablet is at this round
let closedTables = new Set(); // tables closed in the current round
const announcements = [];
let serverReachable = false; // until this page's connection is up, the tablets' state is unknown

const $ = (id) => document.getElementById(id);
const sound = chimer(root);
const unlockAudio = () => sound.unlock();
const serverNow = () => Date.now() / 1000 + offset;

// Replay the whole day on every load: forget the last sequence number follow() kept.
try {
  window.localStorage.removeItem(storageKey("seq", workshopId, window.location.pathname));
} catch (error) {
  // storage switched off: follow() starts from 0 anyway
}

function showProblem(message) {
  const box = $("problem");
  box.textContent = message ? message.replace(/^\w+: /, "") : "";
  box.hidden = !message;
}

// Round state -------------------------------------------------------------------------------

function roundName(round) {
  return `${round.block} · ${fill(t.round, { n: round.number })}`;
}

function renderState() {
  if (!state) return;
  const round = state.round;
  $("now-block").textContent = round ? round.block : "";
  $("now-round").textContent = round
    ? `${fill(t.round, { n: round.number })} · ${fill(t.position, { n: state.position, m: state.rounds })}`
    : t.noRound;
  const status = $("now-status");
  status.textContent = t[state.status] || state.status;
  status.className = `now-status is-${state.status}`;
  const following = state.next_round;
  const pause = state.break;
  if (pause) status.textContent = pause.back_at ? fill(t.breakUntil, { title: pause.title, time: pause.back_at }) : pause.title;
  $("now-next").textContent = following
    ? fill(t.next, { what: `${roundName(following)} (${fill(t.minutes, { n: following.minutes })})` })
    : round
      ? t.nextNone
      : "";

  const on = state.status === "running" || state.status === "paused";
  $("do-start").disabled = state.status !== "waiting" || state.rounds === 0;
  $("do-pause").disabled = state.status !== "running";
  $("do-resume").disabled = state.status !== "paused";
  const advance = $("do-advance");
  advance.disabled = !on && state.status !== "break";
  // The last round of a block leads into a break; from the break, into the next block.
  const endsBlock = round && following && following.block_index !== round.block_index;
  advance.textContent = pause
    ? fill(t.startBlock, { block: following ? following.block : "" })
    : !following
      ? t.endDay
      : endsBlock
        ? t.toBreak
        : t.advance;
  for (const button of document.querySelectorAll('[data-action="extend"]')) button.disabled = !on;
  $("chime").checked = state.chime;

  document.querySelectorAll(".round-item").forEach((item, index) => {
    const current = Number(item.dataset.round) === state.round_id;
    const done = index + 1 < state.position || (current && state.status === "finished");
    item.classList.toggle("is-current", current && state.status !== "finished");
    item.classList.toggle("is-done", done);
    item.querySelector('[data-slot="mark"]').textContent = current && on ? t.current : done ? t.done : "";
  });
  renderTables();
}

function tick() {
  const showing =
    state && (state.status === "running" || state.status === "paused" || (state.status === "break" && state.started_at));
  const left = showing ? secondsLeft(state, offset) : null;
  const timer = $("timer");
  timer.textContent = formatClock(left);
  timer.classList.toggle("overrun", left !== null && left < 0);
  timer.classList.toggle("paused", Boolean(state && state.status === "paused"));
  // Chime once when the countdown crosses zero (not when a page opens on an overrun round).
  sound.watch(state, left);
}

function control(action, extra = {}) {
  unlockAudio();
  live.socket.timeout(10000).emit("round_control", { action, ...extra }, (error, reply) => {
    if (error) return showProblem(t.noAnswer);
    if (!reply.ok) return showProblem(reply.error);
    showProblem("");
    if (reply.state.seq > stateSeq) {
      state = reply.state;
      stateSeq = reply.state.seq;
    }
    offset = reply.state.server_now - Date.now() / 1000;
    renderState();
  });
}

// Where the tablets are this round, and how they are: the server knows from the plan --------

let tabletsTimer = null;
function refreshTabletsSoon() {
  clearTimeout(tabletsTimer);
  tabletsTimer = setTimeout(refreshTablets, 300);
}

function refreshTablets() {
  live.socket.timeout(10000).emit("tablets_get", {}, (error, reply) => {
    if (error || !reply.ok) return;
    for (const [grantId, status] of Object.entries(reply.tablets)) tablets.set(Number(grantId), status);
    tableOfGrant = new Map(Object.entries(reply.tables).map(([grantId, table]) => [Number(grantId), table]));
    closedTables = new Set(reply.closed || []);
    renderTables();
  });
}

function tableOf(grant) {
  return grant.table_id || tableOfGrant.get(grant.id) || null;
}

// Tables at a glance ------------------------------------------------------------------------

function ago(seconds) {
  if (!seconds) return t.never;
  const minutes = Math.floor((serverNow() - seconds) / 60);
  return fill(t.lastActivity, { when: minutes < 1 ? t.justNow : plural(t.minutesAgo, minutes) });
}

// A tablet's dot: green when connected, red when it is due at a table this round and is not,
// grey when it has no table this round (an afternoon moderator in the morning) or when this
// page cannot reach the server, and so knows nothing of the tablets.
function tabletLine(entry, dueHere) {
  const line = document.createElement("span");
  let look = "is-idle";
  let says = t.tabletAway;
  if (!serverReachable) says = t.serverUnreachable;
  else if (entry.status.connected) [look, says] = ["is-online", t.tabletOn];
  else if (dueHere) [look, says] = ["is-offline", t.tabletOff];
  line.className = `tablet-dot ${look}`;
  line.textContent = `${entry.grant.label || "#" + entry.grant.id} · ${says}`;
  return line;
}

function renderTables() {
  const roundId = state ? state.round_id : null;
  const perTable = new Map(tables.map((table) => [table.id, { notes: 0, last: 0, tablets: [] }]));
  for (const note of notes.values()) {
    const entry = perTable.get(note.table_id);
    if (!entry || note.deleted || note.round_id !== roundId) continue;
    entry.notes += 1;
    entry.last = Math.max(entry.last, Date.parse(note.updated_at) / 1000 || 0);
  }
  const elsewhere = [];
  for (const grant of grants) {
    const status = tablets.get(grant.id) || { connected: false, last_activity: null, waiting: 0 };
    const table = perTable.get(tableOf(grant));
    (table ? table.tablets : elsewhere).push({ grant, status });
  }
  for (const card of document.querySelectorAll(".table-state")) {
    const entry = perTable.get(Number(card.dataset.table));
    const slot = (name) => card.querySelector(`[data-slot="${name}"]`);
    const closed = closedTables.has(Number(card.dataset.table));
    card.classList.toggle("is-closed", closed);
    card.hidden = closed; // a table closed this round has nothing to watch
    const online = serverReachable && entry.tablets.some((tablet) => tablet.status.connected);
    card.classList.toggle("is-online", online);
    card.classList.toggle("is-offline", serverReachable && entry.tablets.length > 0 && !online);
    slot("tablets").replaceChildren(...(entry.tablets.length ? entry.tablets.map((tablet) => tabletLine(tablet, true)) : [t.noTablet]));
    slot("notes").textContent = plural(t.notes, entry.notes);
    const waiting = entry.tablets.reduce((sum, tablet) => sum + (tablet.status.waiting || 0), 0);
    slot("waiting").textContent = waiting ? plural(t.waitingNotes, waiting) : t.allSent;
    slot("waiting").className = waiting ? "is-waiting" : "meta";
    const last = Math.max(entry.last, ...entry.tablets.map((tablet) => tablet.status.last_activity || 0));
    slot("activity").textContent = ago(last);
  }
  $("elsewhere").hidden = elsewhere.length === 0;
  $("elsewhere-title").textContent = t.elsewhere;
  $("elsewhere-list").replaceChildren(
    ...elsewhere.map((entry) => {
      const item = document.createElement("li");
      item.append(tabletLine(entry, false));
      if (entry.status.waiting) item.append(` · ${plural(t.waitingNotes, entry.status.waiting)}`);
      return item;
    }),
  );
}

// Held notes and announcements ----------------------------------------------------------------

function renderHeld() {
  const held = [...notes.values()].filter((note) => note.held && !note.deleted);
  const names = new Map(tables.map((table) => [table.id, table.name]));
  const list = $("held");
  if (!held.length) {
    const item = document.createElement("li");
    item.className = "meta";
    item.textContent = t.noHeld;
    list.replaceChildren(item);
    return;
  }
  list.replaceChildren(
    ...held.map((note) => {
      const item = document.createElement("li");
      const text = document.createElement("p");
      text.className = "note-text";
      text.textContent = note.text; // user text: never innerHTML
      const where = document.createElement("span");
      where.className = "meta";
      where.textContent = names.get(note.table_id) || "";
      const release = document.createElement("button");
      release.type = "button";
      release.className = "secondary small";
      release.textContent = t.release;
      release.addEventListener("click", () => {
        live.socket.timeout(10000).emit("note_hold", { uid: note.uid, held: false }, (error, reply) => {
          if (error || !reply.ok) showProblem(error ? t.noAnswer : reply.error);
        });
      });
      item.append(text, where, " ", release);
      return item;
    }),
  );
}

function renderAnnouncements() {
  $("announcements").replaceChildren(
    ...announcements.slice(0, 5).map((announcement) => {
      const item = document.createElement("li");
      const time = document.createElement("span");
      time.className = "meta";
      const at = new Date(announcement.at);
      time.textContent = Number.isNaN(at.getTime()) ? "" : clockTime(at);
      const text = document.createElement("span");
      text.textContent = announcement.text;
      item.append(time, " ", text);
      return item;
    }),
  );
}

// Changes are replayed in bursts on load: draw once per frame, not once per change.
let drawing = false;
function drawSoon() {
  if (drawing) return;
  drawing = true;
  window.requestAnimationFrame(() => {
    drawing = false;
    renderState();
    renderHeld();
    renderAnnouncements();
  });
}

function onChange(change) {
  if (change.kind === "round_state") {
    if (change.seq <= stateSeq) return; // the welcome brought a newer state already
    state = change.payload;
    stateSeq = change.seq;
    refreshTabletsSoon();
  } else if (change.kind === "note") {
    notes.set(change.payload.uid, change.payload);
  } else if (change.kind === "announcement") {
    announcements.unshift({ text: change.payload.text, at: change.at });
  } else if (change.kind === "plan") {
    refreshTabletsSoon(); // a re-plan: tablets' tables and closed tables may have changed
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
    refreshTablets();
  },
  onChange,
  onConnection: (connected) => {
    serverReachable = connected;
    renderTables();
    const label = $("connection");
    label.textContent = connected ? t.online : t.offline;
    label.className = `connection ${connected ? "is-online" : "is-offline"}`;
  },
});

live.socket.on("tablet_status", (status) => {
  tablets.set(status.grant_id, status);
  renderTables();
});

for (const button of document.querySelectorAll("[data-action]")) {
  button.addEventListener("click", () => {
    const action = button.dataset.action;
    if (action === "extend") return control("extend", { minutes: Number(button.dataset.minutes) });
    if (button.dataset.roundId) {
      const busy = state && (state.status === "running" || state.status === "paused");
      if (busy && !window.confirm(t.confirmJump)) return;
      return control("start", { round_id: Number(button.dataset.roundId) });
    }
    if (action === "advance" && state && !state.next_round && !window.confirm(t.confirmEnd)) return;
    if (action === "advance" && state && state.break && state.next_round) {
      const pause = state.break;
      const question = pause.back_at
        ? fill(t.confirmBlockAt, { block: pause.block, time: pause.back_at })
        : fill(t.confirmBlock, { block: pause.block });
      if (!window.confirm(question)) return;
    }
    control(action);
  });
}

$("chime").addEventListener("change", (event) => control("chime", { on: event.target.checked }));

$("announce-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const box = $("announce-text");
  const text = box.value.trim();
  if (!text) return;
  live.socket.timeout(10000).emit("announce", { text }, (error, reply) => {
    if (error) return showProblem(t.noAnswer);
    if (!reply.ok) return showProblem(reply.error);
    showProblem("");
    box.value = "";
  });
});

document.addEventListener("pointerdown", unlockAudio);
document.addEventListener("keydown", unlockAudio);
setInterval(tick, 250);
setInterval(renderTables, 15000); // keep "last activity" fresh
renderHeld();
