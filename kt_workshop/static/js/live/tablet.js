// The moderator's tablet: follows the day and captures notes without losing any.
//
// Every change is an operation with an id made here. It goes into an outbox kept in
// localStorage before anything is sent, and leaves it only when the server acknowledges it.
// Operations are sent one at a time, in the order made, so the server stores them in order.

import { csrfToken, fill, follow, formatClock, randomId, readJSON, secondsLeft, storageKey, writeJSON } from "../live.js";

const root = document.getElementById("tablet");
const workshopId = Number(root.dataset.workshop);
const t = JSON.parse(root.dataset.i18n);
const outboxKey = storageKey("outbox", workshopId, root.dataset.grant);
const photoKey = storageKey("photos", workshopId, root.dataset.grant);

let outbox = readJSON(outboxKey, []); // operations not yet acknowledged, oldest first
let photos = readJSON(photoKey, []); // resized photos not yet uploaded
let refused = []; // operations the server refused, kept on screen so their text is not lost
let sending = false;
let connected = false;
let state = null;
let cell = null;
let notes = new Map(); // uid -> note, for the current cell
let brief = [];
let ideas = [];

const $ = (id) => document.getElementById(id);

let reported = null;
let reportTimer = null;

// Tell the control room how many notes wait here: only when the number changed, at most
// every two seconds, so a tablet emptying a long outbox does not spend its rate limit on it.
function reportOutbox() {
  if (reportTimer) return;
  reportTimer = setTimeout(() => {
    reportTimer = null;
    const waiting = outbox.length + photos.length;
    if (live && connected && waiting !== reported) {
      reported = waiting;
      live.socket.emit("outbox_status", { waiting });
    }
  }, 2000);
}

function saveOutbox() {
  writeJSON(outboxKey, outbox);
  showSaveState();
  reportOutbox();
}

function showSaveState() {
  const waiting = outbox.length + photos.length;
  const label = $("save-state");
  label.textContent = waiting ? fill(t.waiting, { n: waiting }) : t.allSaved;
  label.className = "save-state " + (waiting ? "is-waiting" : "is-saved");
  const list = $("waiting-list");
  list.replaceChildren();
  for (const op of outbox) {
    const item = document.createElement("li");
    item.textContent = op.text || (op.type === "delete" ? `${t.delete}: ${op.uid}` : op.uid);
    list.append(item);
  }
  for (const photo of photos) {
    const item = document.createElement("li");
    item.textContent = t.photoWaiting;
    list.append(item);
  }
  for (const problem of refused) {
    const item = document.createElement("li");
    item.className = "refused";
    item.textContent = `${t.refused}: ${problem.error} — ${problem.op.text || ""}`;
    list.append(item);
  }
  list.hidden = list.children.length === 0;
}

function queue(op) {
  op.op_id = randomId();
  outbox.push(op);
  applyLocally(op);
  saveOutbox();
  flush();
}

// Send the oldest waiting operation; on its acknowledgement, the next one.
function flush() {
  if (sending || !connected || outbox.length === 0) {
    if (!sending && connected && photos.length) uploadPhotos();
    return;
  }
  sending = true;
  const op = outbox[0];
  live.socket.timeout(10000).emit("note_op", op, (error, reply) => {
    sending = false;
    if (error) {
      setTimeout(flush, 2000); // no answer: the same op goes again, the server applies it once
      return;
    }
    if (!reply.ok && reply.retry) {
      setTimeout(flush, 1500); // rate-limited: the same op goes again shortly
      return;
    }
    outbox = outbox.filter((waiting) => waiting.op_id !== op.op_id);
    if (!reply.ok) {
      refused.push({ op, error: reply.error });
      if (op.type === "add") notes.delete(op.uid);
    } else if (notes.has(op.uid) && !outbox.some((waiting) => waiting.uid === op.uid)) {
      notes.get(op.uid).pending = false;
    }
    renderNotes();
    saveOutbox();
    flush();
  });
}

function applyLocally(op) {
  if (op.type === "add") {
    notes.set(op.uid, { uid: op.uid, kind: op.kind, text: op.text, starred: op.starred, own: true, pending: true });
  } else if (op.type === "edit" && notes.has(op.uid)) {
    Object.assign(notes.get(op.uid), { text: op.text, kind: op.kind, starred: op.starred, pending: true });
  } else if (op.type === "delete") {
    notes.delete(op.uid);
  }
  renderNotes();
}

function noteItem(note, withActions) {
  const item = document.createElement("li");
  item.className = `note kind-${note.kind}${note.pending ? " pending" : ""}`;
  const kind = document.createElement("span");
  kind.className = "note-kind";
  kind.textContent = (note.starred ? "★ " : "") + (t.kinds[note.kind] || note.kind);
  const text = document.createElement("p");
  text.className = "note-text";
  text.textContent = note.text; // user text: never innerHTML
  item.append(kind, text);
  if (withActions && note.own) {
    const edit = document.createElement("button");
    edit.type = "button";
    edit.className = "secondary small";
    edit.textContent = t.edit;
    edit.addEventListener("click", () => startEdit(note, item));
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "danger small";
    remove.textContent = t.delete;
    remove.addEventListener("click", () => {
      if (window.confirm(t.confirmDelete)) queue({ type: "delete", uid: note.uid });
    });
    item.append(edit, remove);
  }
  return item;
}

function startEdit(note, item) {
  const box = document.createElement("textarea");
  box.value = note.text;
  box.rows = 4;
  box.maxLength = 10000;
  const save = document.createElement("button");
  save.type = "button";
  save.textContent = t.save;
  save.addEventListener("click", () => {
    if (box.value.trim()) queue({ type: "edit", uid: note.uid, text: box.value, kind: note.kind, starred: note.starred });
  });
  item.replaceChildren(box, save);
  box.focus();
}

function renderNotes() {
  const list = $("notes");
  list.replaceChildren(...[...notes.values()].map((note) => noteItem(note, true)));
  $("brief").replaceChildren(...brief.map((note) => noteItem(note, false)));
  if (!brief.length) {
    const empty = document.createElement("li");
    empty.className = "hint";
    empty.textContent = t.nothingYet;
    $("brief").append(empty);
  }
  const ideaList = $("ideas");
  ideaList.replaceChildren(
    ...ideas.map((idea) => {
      const item = document.createElement("li");
      // An idea from an earlier round stays decidable here, under its round's name.
      if (cell && idea.round_id !== cell.round_id && idea.round) {
        const from = document.createElement("p");
        from.className = "idea-round";
        from.textContent = idea.round;
        item.append(from);
      }
      const text = document.createElement("p");
      text.textContent = idea.text;
      const accept = document.createElement("button");
      accept.type = "button";
      accept.textContent = t.accept;
      accept.addEventListener("click", () => decideIdea(idea, true));
      const dismiss = document.createElement("button");
      dismiss.type = "button";
      dismiss.className = "secondary";
      dismiss.textContent = t.dismiss;
      dismiss.addEventListener("click", () => decideIdea(idea, false));
      item.append(text, accept, dismiss);
      return item;
    }),
  );
  $("ideas-card").hidden = ideas.length === 0;
}

function decideIdea(idea, accept) {
  live.socket.timeout(10000).emit("idea_decide", { idea_id: idea.id, accept }, (error, reply) => {
    if (!error && reply && reply.ok) {
      ideas = ideas.filter((other) => other.id !== idea.id);
      renderNotes();
    }
  });
}

function showCell(reply) {
  state = reply.state;
  cell = reply.cell;
  const where = $("cell-where");
  if (state.status === "finished") {
    where.textContent = t.finished;
  } else if (!cell) {
    where.textContent = state.round_id ? t.noCell : t.noRound;
  } else if (cell.closed) {
    where.textContent = `${cell.table} · ${cell.block} · ${t.round} ${cell.round} · ${t.closed}`;
  } else {
    const leader = cell.moderator ? `${t.led} ${cell.moderator}` : t.selfLed;
    where.textContent = `${cell.table} · ${cell.block} · ${t.round} ${cell.round} · ${leader}`;
  }
  $("cell-question").textContent = cell ? cell.question : "";
  $("cell-prompt").textContent = cell ? cell.prompt : "";
  $("cell-people").textContent = cell && cell.people.length ? `${t.who}: ${cell.people.join(", ")}` : "";
  $("note-add").disabled = !cell || Boolean(cell.closed);
  notes = new Map(reply.notes.map((note) => [note.uid, note]));
  for (const op of outbox) applyLocally(op); // notes still waiting stay on screen
  brief = reply.brief;
  ideas = reply.ideas;
  renderNotes();
}

function refreshCell() {
  live.socket.timeout(10000).emit("cell_get", {}, (error, reply) => {
    if (!error && reply && reply.ok) showCell(reply);
  });
}

function onChange(change) {
  if (change.kind === "round_state") {
    state = change.payload;
    refreshCell();
  } else if (change.kind === "announcement") {
    const banner = $("announcement");
    banner.textContent = change.payload.text;
    banner.hidden = false;
  } else if (change.kind === "note" && cell) {
    const note = change.payload;
    if (note.round_id === cell.round_id && note.table_id === cell.table_id) {
      const mine = notes.get(note.uid);
      const waiting = outbox.some((op) => op.uid === note.uid);
      if (note.deleted) notes.delete(note.uid);
      else if (!waiting) notes.set(note.uid, { ...note, own: mine ? mine.own : note.own });
      renderNotes();
    }
  } else if (change.kind === "plan") {
    refreshCell(); // a re-plan: this tablet's table, people or question may have changed
  } else if (change.kind === "idea" && cell) {
    const idea = change.payload;
    ideas = ideas.filter((other) => other.id !== idea.id);
    if (idea.status === "pending" && idea.table_id === cell.table_id && idea.round_id === cell.round_id) ideas.push(idea);
    renderNotes();
  }
}

function tick() {
  const left = secondsLeft(state, live ? live.offset() : 0);
  const timer = $("timer");
  timer.textContent = state && state.status !== "waiting" && state.status !== "finished" ? formatClock(left) : "--:--";
  timer.classList.toggle("overrun", left !== null && left < 0);
  timer.classList.toggle("paused", Boolean(state && state.status === "paused"));
}

// Photos: made smaller here (long side 1600 px, JPEG) before upload, queued like notes.
async function shrink(file) {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, 1600 / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  return canvas.toDataURL("image/jpeg", 0.82);
}

async function addPhoto(file) {
  if (!cell) return;
  const data = await shrink(file);
  if (data.length > 15 * 1024 * 1024 * 1.37) {
    window.alert(t.photoTooBig);
    return;
  }
  photos.push({ uid: randomId(), round_id: cell.round_id, table_id: cell.table_id, data });
  if (!writeJSON(photoKey, photos)) photos = photos.slice(); // kept in memory if storage is full
  saveOutbox();
  flush();
}

async function uploadPhotos() {
  if (sending || !photos.length) return;
  sending = true;
  const photo = photos[0];
  try {
    const body = new FormData();
    body.append("uid", photo.uid);
    body.append("round_id", photo.round_id);
    body.append("table_id", photo.table_id);
    body.append("photo", await (await fetch(photo.data)).blob(), "photo.jpg");
    const response = await fetch(root.dataset.photoUrl, { method: "POST", body, headers: { "X-CSRFToken": csrfToken() } });
    const reply = await response.json();
    photos = photos.filter((other) => other.uid !== photo.uid);
    if (!reply.ok) refused.push({ op: { text: t.photoWaiting }, error: reply.error });
    writeJSON(photoKey, photos);
  } catch (error) {
    setTimeout(flush, 3000); // offline: try again later
  } finally {
    sending = false;
    saveOutbox();
  }
}

let live = null;
live = follow({
  workshopId,
  onWelcome: (welcome) => {
    state = welcome.state;
    refreshCell();
    saveOutbox();
    flush();
  },
  onChange,
  onConnection: (isConnected) => {
    connected = isConnected;
    const label = $("connection");
    label.textContent = isConnected ? t.online : t.offline;
    label.className = "connection " + (isConnected ? "is-online" : "is-offline");
    if (isConnected) flush();
  },
});

for (const span of document.querySelectorAll("[data-kind]")) span.textContent = t.kinds[span.dataset.kind];

$("note-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("note-text").value;
  if (!text.trim() || !cell) return;
  queue({
    type: "add",
    uid: randomId(),
    round_id: cell.round_id,
    table_id: cell.table_id,
    kind: document.querySelector('input[name="kind"]:checked').value,
    starred: $("note-star").checked,
    text,
  });
  $("note-text").value = "";
  $("note-star").checked = false;
  $("note-text").focus();
});

$("photo-input").addEventListener("change", (event) => {
  const [file] = event.target.files;
  if (file) addPhoto(file);
  event.target.value = "";
});

window.addEventListener("online", flush);
setInterval(tick, 250);
showSaveState();
