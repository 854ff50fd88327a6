// The analyst's workspace: the page's forms, sent with fetch so coding does not reload the
// page, and keys for coding without the mouse. Without this script every form still works.

import { fill, plural } from "../live.js";

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
  chosenCount.textContent = n ? plural(JSON.parse(chosenCount.parentElement.dataset.i18nChosen), n) : "";
}

// Swap in the server's re-rendered chips and buttons of each note it names.
function applyFragments(fragments) {
  for (const [noteId, html] of Object.entries(fragments || {})) {
    const box = document.querySelector(`[data-chips-for="${noteId}"]`);
    if (box) box.innerHTML = html;
  }
}

// The sidebar's counts of the analyst's own notes per theme, as the server counts them now.
function applyCounts(counts) {
  if (!counts) return;
  for (const cell of document.querySelectorAll("[data-count-for]")) {
    cell.textContent = String(counts[cell.dataset.countFor] || 0);
  }
}

// The notes an add or take-off goes to: the ticked ones, or else the highlighted note.
function targetNotes() {
  const ticked = chosenBoxes().map((box) => box.value);
  if (ticked.length) return ticked;
  const note = focusedNote() || (list && list.querySelector(".coding-note.is-current"));
  return note ? [note.dataset.noteId] : [];
}

function showTarget() {
  const box = document.getElementById("picker-target");
  if (!box) return;
  const ids = targetNotes();
  const label = chosenBoxes().length ? box.dataset.chosen : box.dataset.current;
  box.textContent = ids.length ? fill(label, { notes: ids.map((id) => `#${id}`).join(", ") }) : box.dataset.none;
}

async function send(form, submitter) {
  const data = new FormData(form, submitter);
  if (form === bulk && !data.getAll("note_ids").length) {
    for (const id of targetNotes()) data.append("note_ids", id);
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
    say(status.dataset.offline, true);
    return null;
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    say(body.error || response.statusText, true);
    return null;
  }
  applyFragments(body.notes);
  applyCounts(body.counts);
  const problems = body.problems || [];
  say([body.message || "", ...problems].join(" ").trim(), Boolean(problems.length));
  return body;
}

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!form.classList || !(form.classList.contains("js-code") || form.classList.contains("js-bulk"))) {
    return;
  }
  event.preventDefault();
  const body = await send(form, event.submitter);
  if (body && form === bulk) {
    // The ticks have done their job: the next add goes to the highlighted note unless new
    // notes are ticked, so a theme never lands on notes ticked for an earlier one.
    for (const box of chosenBoxes()) box.checked = false;
    showChosen();
    showTarget();
  }
});

// The searchable picker: typing narrows the theme list to the themes whose path has every
// word, and highlights the best match (a name that starts with what was typed, then names
// with the words at a word's start, then the rest in reading order). Enter adds the
// highlighted theme; with no match, Enter does nothing.
function rank(option, words, query) {
  const name = (option.dataset.name || option.textContent).toLocaleLowerCase().trim();
  if (name.startsWith(query)) return 0;
  const starts = name.split(/[^\p{L}\p{N}]+/u);
  if (words.every((word) => starts.some((part) => part.startsWith(word)))) return 1;
  if (words.every((word) => name.includes(word))) return 2;
  return 3;
}

function narrow() {
  const query = search.value.toLocaleLowerCase().trim();
  const words = query.split(/\s+/).filter(Boolean);
  let best = null;
  let bestRank = 99;
  let shown = 0;
  for (const option of choice.options) {
    const text = (option.dataset.search || option.textContent).toLocaleLowerCase();
    const match = words.every((word) => text.includes(word));
    option.hidden = !match;
    if (!match) continue;
    shown += 1;
    const score = words.length ? rank(option, words, query) : 3;
    if (score < bestRank) {
      best = option;
      bestRank = score;
    }
  }
  const none = document.getElementById("no-theme-match");
  if (words.length) {
    choice.size = Math.max(2, Math.min(8, shown));
  } else {
    choice.removeAttribute("size");
  }
  if (best) {
    if (words.length) choice.value = best.value;
  } else {
    choice.selectedIndex = -1; // nothing chosen: Enter and the Add button add nothing
  }
  if (none) {
    none.hidden = Boolean(best);
    if (!best) none.textContent = fill(none.dataset.template, { text: search.value.trim() });
  }
}

if (search && choice) {
  search.addEventListener("input", narrow);
  search.addEventListener("focus", showTarget);
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      const option = choice.selectedIndex >= 0 ? choice.options[choice.selectedIndex] : null;
      if (!option || option.hidden) {
        narrow();
        return; // no theme matches what was typed: nothing is added anywhere
      }
      bulk.requestSubmit(bulk.querySelector('button[value="add"]'));
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      // Move the highlight through the visible matches without leaving the search box.
      event.preventDefault();
      const visible = Array.from(choice.options).filter((o) => !o.hidden);
      const at = visible.indexOf(choice.options[choice.selectedIndex]);
      const next = visible[Math.max(0, Math.min(visible.length - 1, at + (event.key === "ArrowDown" ? 1 : -1)))];
      if (next) choice.value = next.value;
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
  if (event.target.matches('input[name="note_ids"][form="bulk"]')) {
    showChosen();
    showTarget();
  }
});

document.addEventListener("focusin", (event) => {
  const note = event.target.closest && event.target.closest(".coding-note");
  if (note) {
    for (const other of notes()) other.classList.toggle("is-current", other === note);
    showTarget();
  }
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
    showTarget();
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

// The picker stays at the top while the notes scroll: keep its height clear when the page
// scrolls to a focused note or button, so the picker never hides it (WCAG 2.4.11).
if (bulk) {
  const keepClear = () => {
    const sticky = getComputedStyle(bulk).position === "sticky";
    document.documentElement.style.scrollPaddingTop = sticky ? `${bulk.offsetHeight + 8}px` : "";
  };
  new ResizeObserver(keepClear).observe(bulk);
  window.addEventListener("resize", keepClear);
}
