// A participant's (or moderator's) "Your day" on a phone: follows the day live.
//
// The round on now and the next one are marked, the timer counts down in step with the
// projector, announcements show at the top, and when the organiser re-plans the page fetches
// the day again and says plainly which of the rounds to come moved to another table.

import { fill, follow, formatClock, readJSON, secondsLeft, storageKey, writeJSON } from "../live.js";

const root = document.getElementById("your-day");
const workshopId = Number(root.dataset.workshop);
const t = JSON.parse(root.dataset.i18n);
const $ = (id) => document.getElementById(id);

let state = null;
let live = null;
// The table of each round as this phone last showed it, kept over reloads, so a re-plan made
// while the phone was in a pocket is still announced when it is taken out.
const seenKey = storageKey("day-seen", workshopId, root.dataset.dayUrl);

function rowOf(roundId) {
  return root.querySelector(`.day-round[data-round="${roundId}"]`);
}

// Mark the round on now and the next one; the rounds before are done.
function markNow() {
  const rows = [...root.querySelectorAll(".day-round")];
  const ids = rows.map((row) => Number(row.dataset.round));
  const status = state ? state.status : "waiting";
  const current = state && state.round_id && status !== "waiting" ? ids.indexOf(state.round_id) : -1;
  let next = current + 1;
  if (status === "waiting" && !(state && state.round_id)) next = 0;
  if (status === "finished") next = -1;
  rows.forEach((row, i) => {
    const isNow = i === current && status !== "finished";
    const isNext = i === next && next < rows.length;
    row.classList.toggle("is-now", isNow);
    row.classList.toggle("is-next", isNext);
    row.classList.toggle("is-past", status === "finished" || (current >= 0 && i < current));
    const badge = row.querySelector(".day-badge");
    badge.textContent = isNow ? t.now : isNext ? t.next : "";
    badge.hidden = !isNow && !isNext;
  });
  const where = $("day-where");
  if (status === "finished") where.textContent = t.finished;
  else if (current >= 0) where.textContent = fill(t.goTo, { table: rows[current].querySelector(".day-table").textContent });
  else where.textContent = t.notStarted;
}

// The rows in the page come from the server; a re-plan rewrites their texts here.
function showDay(fresh) {
  const seen = readJSON(seenKey, null);
  const open = new Set(fresh.open_round_ids);
  const changed = [];
  const now = {};
  for (const round of fresh.rounds) {
    now[round.round_id] = round.table;
    if (seen && round.round_id in seen && seen[round.round_id] !== round.table && open.has(round.round_id)) {
      changed.push(fill(t.movedTo, { round: round.label, table: round.table || t.free }));
    }
    const row = rowOf(round.round_id);
    if (!row) continue;
    row.querySelector(".day-table").textContent = round.table || t.free;
    row.querySelector(".day-question").textContent = round.question || "";
    row.querySelector(".day-leader").textContent = round.table
      ? round.moderator
        ? fill(t.ledBy, { name: round.moderator })
        : t.selfLed
      : "";
  }
  writeJSON(seenKey, now);
  if (changed.length) {
    const banner = $("day-changed");
    banner.textContent = `${t.changed} ${changed.join(" ")}`;
    banner.hidden = false;
  }
  markNow();
}

async function refreshDay() {
  try {
    const response = await fetch(root.dataset.dayUrl, { headers: { Accept: "application/json" } });
    if (response.ok) showDay(await response.json());
  } catch (error) {
    setTimeout(refreshDay, 5000); // offline for a moment: the socket catches up, then we ask again
  }
}

function onChange(change) {
  if (change.kind === "round_state") {
    state = change.payload;
    markNow();
  } else if (change.kind === "plan") {
    refreshDay();
  } else if (change.kind === "announcement") {
    const banner = $("day-announcement");
    banner.textContent = change.payload.text;
    banner.hidden = false;
  }
}

function tick() {
  const left = secondsLeft(state, live ? live.offset() : 0);
  const timer = $("day-timer");
  const on = state && (state.status === "running" || state.status === "paused");
  timer.textContent = on ? formatClock(left) : "--:--";
  timer.classList.toggle("overrun", Boolean(on && left < 0));
}

live = follow({
  workshopId,
  onWelcome: (welcome) => {
    state = welcome.state;
    markNow();
    refreshDay(); // a re-plan made while this phone was away shows at once
  },
  onChange,
  onConnection: (on) => {
    $("day-connection").textContent = on ? "" : t.offline;
  },
});
$("day-changed").addEventListener("click", () => {
  $("day-changed").hidden = true;
});
setInterval(tick, 1000);
tick();
