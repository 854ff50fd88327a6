// The feedback form on a phone: answers are kept on the phone until the server has them.
//
// Each phone makes its own random response key and keeps it here only: the server stores the
// answers under it, so nothing on the server ties them to the person's link. A send that
// fails (no network, the server busy) stays in this phone's outbox and is sent again.

import { randomId, readJSON, storageKey, writeJSON } from "../live.js";

const form = document.getElementById("feedback-form");
const workshopId = Number(form.dataset.workshop);
const t = JSON.parse(form.dataset.i18n);
const keyKey = storageKey("feedback-key", workshopId);
const outboxKey = storageKey("feedback-outbox", workshopId);
const status = document.getElementById("feedback-status");

let responseKey = readJSON(keyKey, null);
if (!responseKey) {
  responseKey = randomId();
  writeJSON(keyKey, responseKey);
}
form.elements.response.value = responseKey;

let waiting = readJSON(outboxKey, null); // the answers not yet stored, as [name, value] pairs
let delay = 1000;
let timer = null;

function say(text, kind) {
  status.textContent = text;
  status.className = `flash flash-${kind}`;
  status.hidden = !text;
}

async function send() {
  clearTimeout(timer);
  if (!waiting) return;
  const body = new FormData();
  for (const [name, value] of waiting) body.append(name, value);
  body.set("response", responseKey);
  // The page's own token, not the one saved with the answers: that one may have expired.
  body.set("csrf_token", form.elements.csrf_token.value);
  let reply = null;
  let code = 0;
  try {
    const response = await fetch(form.action, { method: "POST", body, headers: { Accept: "application/json" } });
    code = response.status;
    reply = await response.json();
  } catch (error) {
    reply = null;
  }
  if (reply && reply.ok) {
    waiting = null;
    writeJSON(outboxKey, null);
    delay = 1000;
    form.reset();
    form.elements.response.value = responseKey;
    say(t.thanks, "success");
  } else if (reply && !reply.retry && code >= 400 && code < 500) {
    // Refused: the answers stay in the form to correct, and leave the outbox.
    waiting = null;
    writeJSON(outboxKey, null);
    say(Object.values(reply.errors || {}).join(" ") || reply.error || t.refused, "error");
  } else {
    say(t.waiting, "info");
    timer = setTimeout(send, delay);
    delay = Math.min(delay * 2, 30000);
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  waiting = [...new FormData(form).entries()].filter(([, value]) => typeof value === "string");
  writeJSON(outboxKey, waiting);
  say(t.sending, "info");
  send();
});

window.addEventListener("online", send);
if (waiting) {
  say(t.waiting, "info");
  send();
}
