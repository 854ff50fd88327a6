// The analyst's workspace: the page's forms, sent with fetch so coding does not reload the
// page, and keys for coding without the mouse. Without this script every form still works.

import { fill } from "../live.js";

const list = document.querySelector(".coding-list");
const bulk = document.querySelector(".js-bulk");
const status = document.querySelector(".js-status");
const search = document.getElementById("theme-search");
const choice = document.getElementById("theme-choice");
const chosenCount = document.getElementById("chosen-count");

function say(message, isError = false) {
  status.textContent = message;
  status.classList.toggle("flash-error", isError);
}

function notes() {
  return Array.from(list ? list.querySelectorAll(".coding-note") : []);
}

function focusedNote() {
  return document.activeElement ? document.activeElement.closest(".coding-note") : null;
}

function chosenBoxes() {
  return Array.from(document.querySelectorAll('input[name="note_ids"][form="bulk"]:checked'));
}

function showChosen() {
  if (!chosenCount) return;
  const n = chosenBoxes().length;
  chosenCount.textContent = n ? fill(chosenCount.parentElement.dataset.i18nChosen, { n }) : "";
}

// Swap in the server's re-rendered chips and buttons of each note it names.
function applyFragments(fragments) {
  for (const [noteId, html] of Object.entries(fragments || {})) {
    const box = document.querySelector(`[data-chips-for="${noteId}"]`);
    if (box) box.innerHTML = html;
  }
}

async function send(form, submitter) {
  const data = new FormData(form, submitter);
  if (form === bulk && !data.getAll("note_ids").length) {
    const note = focusedNote() || (list && list.querySelector(".coding-note.is-current"));
    if (note) data.append("note_ids", note.dataset.noteId);
  }
  let response;
  try {
    response = await fetch(form.getAttribute("action"), {
      method: "POST",
      body: data,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
  } catch (error) {
    say(status.dataset.offline || "Not saved: the connection to the server is lost.", true);
    return null;
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    say(body.error || response.statusText, true);
    return null;
  }
  applyFragments(body.notes);
  say((body.problems || []).join(" "), Boolean((body.problems || []).length));
  return body;
}

// Toggle buttons (gone through, key quote) flip their hidden value after a success.
function flip(form) {
  const input = form.querySelector('input[name="seen"], input[name="on"]');
  const button = form.querySelector("button");
  if (!input || !button) return;
  input.value = input.value === "1" ? "0" : "1";
  const labels = button.dataset.labels ? JSON.parse(button.dataset.labels) : null;
  if (labels) button.textContent = labels[input.value];
}

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!form.classList || !(form.classList.contains("js-code") || form.classList.contains("js-bulk"))) {
    return;
  }
  event.preventDefault();
  const body = await send(form, event.submitter);
  if (body && form.classList.contains("js-code")) flip(form);
});

function remember(button) {
  // The first label is what the button says now; the other is its pair (from the server).
  const input = button.form.querySelector('input[name="seen"], input[name="on"]');
  button.dataset.labels = JSON.stringify({ [input.value]: button.textContent, [input.value === "1" ? "0" : "1"]: button.dataset.other });
}
for (const button of document.querySelectorAll(".js-seen, .js-quote")) {
  if (button.dataset.other) remember(button);
}

// The searchable picker: typing narrows the theme list; Enter adds the first match.
if (search && choice) {
  search.addEventListener("input", () => {
    const words = search.value.toLocaleLowerCase().split(/\s+/).filter(Boolean);
    let first = null;
    for (const option of choice.options) {
      const text = (option.dataset.search || option.textContent).toLocaleLowerCase();
      const match = words.every((word) => text.includes(word));
      option.hidden = !match;
      if (match && !first) first = option;
    }
    if (first) choice.value = first.value;
  });
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      bulk.requestSubmit(bulk.querySelector('button[value="add"]'));
    } else if (event.key === "Escape") {
      search.blur();
      const current = list && list.querySelector(".coding-note.is-current");
      if (current) current.focus();
    }
  });
}

function moveTo(note) {
  if (!note) return;
  for (const other of notes()) other.classList.toggle("is-current", other === note);
  note.focus();
  note.scrollIntoView({ block: "nearest" });
}

document.addEventListener("change", (event) => {
  if (event.target.matches('input[name="note_ids"][form="bulk"]')) showChosen();
});

document.addEventListener("focusin", (event) => {
  const note = event.target.closest && event.target.closest(".coding-note");
  if (note) for (const other of notes()) other.classList.toggle("is-current", other === note);
});

document.addEventListener("keydown", (event) => {
  const typing = event.target.matches && event.target.matches("input, textarea, select");
  if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
  const all = notes();
  const current = focusedNote() || (list && list.querySelector(".coding-note.is-current"));
  const index = current ? all.indexOf(current) : -1;
  if (event.key === "j") moveTo(all[Math.min(index + 1, all.length - 1)]);
  else if (event.key === "k") moveTo(all[Math.max(index - 1, 0)]);
  else if (event.key === "x" && current) {
    const box = current.querySelector('input[name="note_ids"]');
    box.checked = !box.checked;
    showChosen();
  } else if (event.key === "t" && search) {
    search.focus();
    search.select();
  } else if (event.key === "d" && current) {
    current.querySelector(".js-seen").form.requestSubmit();
  } else if (event.key === "q" && current) {
    current.querySelector(".js-quote").form.requestSubmit();
  } else {
    return;
  }
  event.preventDefault();
});
