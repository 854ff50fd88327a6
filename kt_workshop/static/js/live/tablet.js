// The moderator's tablet: follows the day and captures notes without losing any.
//
// Every change is an operation with an id made here. It goes into an outbox kept in
// localStorage before anything is sent, and leaves it only when the server acknowledges it.
// Operations are sent one at a time, in the order made, so the server stores them in order.
// Photos wait in IndexedDB (photo_outbox.js) until the server confirms each one. The last
// cell and round state are kept too, so a reload with no network (served by the service
// worker, shell.js) shows the page where it was and typing goes on.

import { clockTime, csrfToken, fill, follow, formatClock, plural, randomId, readJSON, secondsLeft, storageKey, writeJSON } from "../live.js";
import { photoOutbox } from "./photo_outbox.js";
import { forgetPages, keepPageForOffline } from "./shell.js";

const root = document.getElementById("tablet");
const workshopId = Number(root.dataset.workshop);
const t = JSON.parse(root.dataset.i18n);
const outboxKey = storageKey("outbox", workshopId, root.dataset.grant);
const lastKey = storageKey("last", workshopId, root.dataset.grant); // the last cell and state
const dismissedKey = storageKey("dismissed", workshopId, root.dataset.grant);
const legacyPhotoKey = storageKey("photos", workshopId, root.dataset.grant); // before IndexedDB

let outbox = readJSON(outboxKey, []); // operations not yet acknowledged, oldest first
let photos = []; // photos not yet uploaded, oldest first (mirrors the IndexedDB outbox)
let photoStore = null;
let refused = []; // operations the server refused, kept on screen so their text is not lost
let sending = false;
let uploading = false;
let connected = false;
let revoked = false;
let state = null;
let offset = 0; // the server's clock minus this tablet's, in seconds
let cell = null;
let notes = new Map(); // uid -> note, for the current cell
let brief = [];
let ideas = [];

const $ = (id) => document.getElementById(id);
const serverNow = () => Date.now() / 1000 + offset;

let reported = null;
let reportTimer = null;

function waitingCount() {
  return outbox.length + photos.length;
}

// Tell the control room how many notes and photos wait here: only when the number changed,
// at most every two seconds, so a tablet emptying a long outbox does not spend its rate limit.
function reportOutbox() {
  if (reportTimer) return;
  reportTimer = setTimeout(() => {
    reportTimer = null;
    const waiting = waitingCount();
    if (live && connected && !revoked && waiting !== reported) {
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

function button(label, className, onClick) {
  const node = document.createElement("button");
  node.type = "button";
  node.className = className;
  node.textContent = label;
  node.addEventListener("click", onClick);
  return node;
}

function showSaveState() {
  const failed = photos.filter((photo) => photo.failed).length + refused.length;
  const waiting = waitingCount();
  const label = $("save-state");
  if (failed) label.textContent = plural(t.notSent, failed);
  else label.textContent = waiting ? plural(t.waiting, waiting) : t.allSaved;
  label.className = "save-state " + (failed ? "is-failed" : waiting ? "is-waiting" : "is-saved");
  const list = $("waiting-list");
  list.replaceChildren();
  for (const op of outbox) {
    const item = document.createElement("li");
    item.textContent = op.text || (op.type === "delete" ? `${t.delete}: ${op.uid}` : op.uid);
    list.append(item);
  }
  for (const photo of photos) list.append(photoItem(photo));
  refused.forEach((problem, index) => {
    const item = document.createElement("li");
    item.className = "refused";
    item.textContent = `${t.refused}: ${problem.error} — ${problem.op.text || ""} `;
    item.append(
      button(t.dismiss, "secondary small", () => {
        refused.splice(index, 1);
        showSaveState();
      }),
    );
    list.append(item);
  });
  list.hidden = list.children.length === 0;
  if (revoked) showRevoked();
}

function photoItem(photo) {
  const item = document.createElement("li");
  item.className = photo.failed ? "refused photo-waiting" : "photo-waiting";
  const what = document.createElement("span");
  what.textContent = photo.failed ? fill(t.photoFailed, { why: photo.error }) : photo.error ? fill(t.photoWaitingWhy, { why: photo.error }) : t.photoWaiting;
  item.append(what, " ");
  if (!revoked) {
    item.append(
      button(t.retry, "small", () => {
        photo.failed = false;
        photo.error = null;
        photoStore.put(photo);
        showSaveState();
        flush();
      }),
      " ",
      button(t.discard, "danger small", () => {
        if (!window.confirm(t.confirmDiscard)) return;
        photos = photos.filter((other) => other.uid !== photo.uid);
        photoStore.remove(photo.uid);
        saveOutbox();
      }),
    );
  }
  return item;
}

function queue(op) {
  if (revoked) return;
  op.op_id = randomId();
  outbox.push(op);
  applyLocally(op);
  saveOutbox();
  flush();
}

// Send the oldest waiting operation; on its acknowledgement, the next one. Photos go when no
// note is waiting, so a slow upload never holds notes back.
function flush() {
  if (revoked || !connected) return;
  if (sending) return;
  if (outbox.length === 0) {
    uploadNextPhoto();
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
    if (reply.revoked) return linkRevoked();
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
  if (withActions && note.own && !revoked) {
    item.append(
      button(t.edit, "secondary small", () => startEdit(note, item)),
      button(t.delete, "danger small", () => {
        if (window.confirm(t.confirmDelete)) queue({ type: "delete", uid: note.uid });
      }),
    );
  }
  return item;
}

// Editing changes the text, the kind and the star together.
function startEdit(note, item) {
  const box = document.createElement("textarea");
  box.value = note.text;
  box.rows = 4;
  box.maxLength = 10000;
  box.setAttribute("aria-label", t.editText);
  const kind = document.createElement("select");
  kind.setAttribute("aria-label", t.kindLabel);
  for (const [value, label] of Object.entries(t.kinds)) {
    const option = document.createElement("option");
    option.value = value;
    option.textContent = label;
    option.selected = value === note.kind;
    kind.append(option);
  }
  const starLabel = document.createElement("label");
  starLabel.className = "check";
  const star = document.createElement("input");
  star.type = "checkbox";
  star.checked = Boolean(note.starred);
  starLabel.append(star, ` ${t.star}`);
  const save = button(t.save, "small", () => {
    if (box.value.trim()) queue({ type: "edit", uid: note.uid, text: box.value, kind: kind.value, starred: star.checked });
  });
  const cancel = button(t.cancel, "secondary small", () => renderNotes());
  const actions = document.createElement("div");
  actions.className = "edit-actions";
  actions.append(kind, starLabel, save, cancel);
  item.replaceChildren(box, actions);
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
      item.append(text, button(t.accept, "", () => decideIdea(idea, true)), button(t.dismiss, "secondary", () => decideIdea(idea, false)));
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

// The last cell and state, kept so an offline reload starts where the tablet was.
function remember() {
  writeJSON(lastKey, { state, offset, cell, notes: [...notes.values()].filter((note) => !note.pending), brief, ideas });
}

function showCell(reply) {
  state = reply.state;
  cell = reply.cell;
  const where = $("cell-where");
  if (state && state.status === "finished") {
    where.textContent = t.finished;
  } else if (!cell) {
    where.textContent = state && state.round_id ? t.noCell : t.noRound;
  } else if (cell.closed) {
    where.textContent = `${cell.table} · ${cell.block} · ${t.round} ${cell.round} · ${t.closed}`;
  } else {
    const leader = cell.moderator ? `${t.led} ${cell.moderator}` : t.selfLed;
    where.textContent = `${cell.table} · ${cell.block} · ${t.round} ${cell.round} · ${leader}`;
  }
  $("cell-question").textContent = cell ? cell.question : "";
  $("cell-prompt").textContent = cell ? cell.prompt : "";
  $("cell-people").textContent = cell && cell.people.length ? `${t.who}: ${cell.people.join(", ")}` : "";
  $("note-add").disabled = !cell || Boolean(cell.closed) || revoked;
  notes = new Map(reply.notes.map((note) => [note.uid, note]));
  for (const op of outbox) applyLocally(op); // notes still waiting stay on screen
  brief = reply.brief;
  ideas = reply.ideas;
  renderNotes();
  remember();
}

function refreshCell() {
  live.socket.timeout(10000).emit("cell_get", {}, (error, reply) => {
    if (!error && reply && reply.ok) showCell(reply);
    else if (!error && reply && reply.revoked) linkRevoked();
  });
}

// Announcements: the latest one shows until dismissed; dismissed stays dismissed on reload.
function showAnnouncement(change) {
  if (change.seq <= readJSON(dismissedKey, 0)) return;
  const banner = $("announcement");
  banner.dataset.seq = change.seq;
  const at = new Date(change.at);
  $("announcement-time").textContent = Number.isNaN(at.getTime()) ? "" : clockTime(at);
  $("announcement-text").textContent = change.payload.text;
  banner.hidden = false;
}

function onChange(change) {
  if (change.kind === "round_state") {
    state = change.payload;
    offset = live.offset();
    refreshCell();
  } else if (change.kind === "announcement") {
    showAnnouncement(change);
  } else if (change.kind === "note" && cell) {
    const note = change.payload;
    if (note.round_id === cell.round_id && note.table_id === cell.table_id) {
      const mine = notes.get(note.uid);
      const waiting = outbox.some((op) => op.uid === note.uid);
      if (note.deleted) notes.delete(note.uid);
      else if (!waiting) notes.set(note.uid, { ...note, own: mine ? mine.own : note.own });
      renderNotes();
      remember();
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
  const left = secondsLeft(state, offset);
  const timer = $("timer");
  timer.textContent = state && state.status !== "waiting" && state.status !== "finished" ? formatClock(left) : "--:--";
  timer.classList.toggle("overrun", left !== null && left < 0);
  timer.classList.toggle("paused", Boolean(state && state.status === "paused"));
}

// Photos ------------------------------------------------------------------------------------

// Made smaller here (long side 1600 px, JPEG) and kept as a Blob straight from the canvas: no
// data: URL, which the page's Content-Security-Policy rightly refuses to fetch.
async function shrink(file) {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, 1600 / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return new Promise((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("no blob"))), "image/jpeg", 0.82));
}

function showPhotoProblem(message) {
  const box = $("photo-problem");
  box.textContent = message;
  box.hidden = !message;
}

async function addPhoto(file) {
  if (!cell || revoked) return;
  showPhotoProblem("");
  let blob;
  try {
    blob = await shrink(file);
  } catch (error) {
    showPhotoProblem(t.notAPhoto);
    return;
  }
  if (blob.size > 15 * 1024 * 1024) {
    showPhotoProblem(t.photoTooBig);
    return;
  }
  const photo = { uid: randomId(), round_id: cell.round_id, table_id: cell.table_id, blob, taken_at: serverNow(), error: null, failed: false };
  photos.push(photo);
  try {
    await photoStore.put(photo);
  } catch (error) {
    photo.error = t.photoNotKept; // storage full: kept in memory until it uploads
  }
  saveOutbox();
  flush();
}

let photoRetry = null;
function retryPhotosLater(seconds) {
  clearTimeout(photoRetry);
  photoRetry = setTimeout(flush, seconds * 1000);
}

// Upload the oldest photo not marked failed. A network failure or a busy server keeps it
// waiting (tried again by itself); a refusal marks it failed, with the reason, until the
// moderator retries or discards it.
async function uploadNextPhoto() {
  const photo = photos.find((waiting) => !waiting.failed);
  if (uploading || !photo || revoked) return;
  uploading = true;
  let response = null;
  let reply = null;
  try {
    const body = new FormData();
    body.append("uid", photo.uid);
    body.append("round_id", photo.round_id);
    body.append("table_id", photo.table_id);
    if (photo.taken_at) body.append("taken_at", photo.taken_at);
    body.append("photo", photo.blob, "photo.jpg");
    response = await fetch(root.dataset.photoUrl, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    });
    reply = await response.json().catch(() => null);
  } catch (error) {
    response = null;
  }
  uploading = false;
  if (response && response.ok && reply && reply.ok) {
    photos = photos.filter((other) => other.uid !== photo.uid);
    await photoStore.remove(photo.uid).catch(() => {});
    saveOutbox();
    flush();
    return;
  }
  if (response && response.status === 401) {
    linkRevoked();
    return;
  }
  const why = reply && reply.error ? reply.error : response ? `${response.status} ${response.statusText}` : t.noConnection;
  photo.error = why;
  if (response && response.status < 500 && response.status !== 429) photo.failed = true;
  await photoStore.put(photo).catch(() => {});
  saveOutbox();
  if (!photo.failed) retryPhotosLater(5);
  else flush(); // the next photo may still go
}

// A revoked link ------------------------------------------------------------------------------

// The organiser revoked this link: nothing more can be sent from here. Whatever still waits is
// shown as text to copy or download (and each photo to save), so nothing is lost.
function linkRevoked() {
  if (revoked) return;
  revoked = true;
  root.classList.add("is-revoked");
  live.socket.disconnect();
  forgetPages();
  $("note-add").disabled = true;
  $("photo-input").disabled = true;
  const label = $("connection");
  label.textContent = t.revokedShort;
  label.className = "connection is-offline";
  renderNotes();
  showSaveState();
}

function waitingText() {
  const lines = [];
  const where = cell ? `${cell.table} · ${cell.block} · ${t.round} ${cell.round}` : "";
  for (const op of outbox) {
    if (op.type === "delete") continue;
    const when = op.typed_at ? clockTime(new Date(op.typed_at * 1000)) : "";
    lines.push(`[${when}] ${t.kinds[op.kind] || op.kind}${op.starred ? " ★" : ""}${where ? ` · ${where}` : ""}\n${op.text}\n`);
  }
  return lines.join("\n");
}

function showRevoked() {
  const panel = $("revoked");
  panel.hidden = false;
  const text = waitingText();
  $("revoked-notes").value = text;
  $("revoked-count").textContent = fill(t.revokedWaiting, { n: outbox.filter((op) => op.type !== "delete").length, p: photos.length });
  $("revoked-copy").hidden = !text;
  $("revoked-download").hidden = !text;
  $("revoked-notes").hidden = !text;
  const list = $("revoked-photos");
  list.replaceChildren(
    ...photos.map((photo, index) => {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = URL.createObjectURL(photo.blob);
      link.download = `photo-${index + 1}.jpg`;
      link.textContent = fill(t.savePhoto, { n: index + 1 });
      item.append(link);
      return item;
    }),
  );
}

async function copyWaiting() {
  const box = $("revoked-notes");
  try {
    await navigator.clipboard.writeText(box.value);
  } catch (error) {
    box.select();
    document.execCommand("copy"); // older tablets, or plain HTTP where the clipboard API is off
  }
  $("revoked-copied").hidden = false;
}

function downloadWaiting() {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([$("revoked-notes").value], { type: "text/plain;charset=utf-8" }));
  link.download = "notes-not-sent.txt";
  document.body.append(link);
  link.click();
  link.remove();
}

// Start ---------------------------------------------------------------------------------------

const last = readJSON(lastKey, null);
if (last) {
  offset = last.offset || 0;
  showCell({ state: last.state, cell: last.cell, notes: last.notes || [], brief: last.brief || [], ideas: last.ideas || [] });
}

let live = null;
live = follow({
  workshopId,
  onWelcome: (welcome) => {
    state = welcome.state;
    offset = live.offset();
    reported = null; // the server may have restarted: tell it again what waits here
    refreshCell();
    saveOutbox();
    flush();
  },
  onChange,
  onConnection: (isConnected, reason) => {
    connected = isConnected;
    if (revoked) return;
    const label = $("connection");
    label.textContent = isConnected ? t.online : t.offline;
    label.className = "connection " + (isConnected ? "is-online" : "is-offline");
    if (isConnected) flush();
    else if (reason && reason.revoked) linkRevoked();
  },
});
live.socket.on("link_revoked", linkRevoked);

for (const span of document.querySelectorAll("[data-kind]")) span.textContent = t.kinds[span.dataset.kind];

$("note-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("note-text").value;
  if (!text.trim() || !cell || revoked) return;
  queue({
    type: "add",
    uid: randomId(),
    round_id: cell.round_id,
    table_id: cell.table_id,
    kind: document.querySelector('input[name="kind"]:checked').value,
    starred: $("note-star").checked,
    typed_at: serverNow(), // the time typed, on the server's clock: kept even if sent later
    text,
  });
  $("note-text").value = "";
  $("note-star").checked = false;
  document.querySelector('input[name="kind"]').checked = true; // each note starts as the first kind
  $("note-text").focus();
});

$("photo-input").addEventListener("change", (event) => {
  const [file] = event.target.files;
  if (file) addPhoto(file);
  event.target.value = "";
});

$("announcement-close").addEventListener("click", () => {
  const banner = $("announcement");
  writeJSON(dismissedKey, Number(banner.dataset.seq || 0));
  banner.hidden = true;
});
$("revoked-copy").addEventListener("click", copyWaiting);
$("revoked-download").addEventListener("click", downloadWaiting);

window.addEventListener("online", flush);
setInterval(tick, 250);
showSaveState();
keepPageForOffline();

photoOutbox(root.dataset.grant).then(async (store) => {
  photoStore = store;
  photos = await store.all();
  // Photos an older version kept in localStorage as data: URLs are moved over, as Blobs.
  for (const old of readJSON(legacyPhotoKey, [])) {
    try {
      const [head, data] = old.data.split(",");
      const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      const photo = { uid: old.uid, round_id: old.round_id, table_id: old.table_id, blob: new Blob([bytes], { type: head.slice(5).split(";")[0] }), taken_at: 0, error: null, failed: false };
      await store.put(photo);
      photos.push(photo);
    } catch (error) {
      // an unreadable entry: nothing to recover
    }
  }
  window.localStorage.removeItem(legacyPhotoKey);
  saveOutbox();
  flush();
});
