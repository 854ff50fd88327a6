// Notes typed on this device that never reached the laptop, because the link they were typed
// under was revoked (or its session ended) before they went. The tablet page keeps them in
// this browser's storage; the welcome page, where such a tablet lands, shows them as text to
// copy or download, so nothing typed is lost, and lets the holder clear them.

import { plural } from "../live.js";

const root = document.getElementById("unsent");
const t = JSON.parse(root.dataset.i18n);
const current = root.dataset.grant; // the signed-in link's own waiting notes are its page's

function waitingOutboxes() {
  const found = [];
  for (let index = 0; index < window.localStorage.length; index += 1) {
    const key = window.localStorage.key(index);
    const [prefix, kind, , grant] = key.split(":");
    if (prefix !== "kt" || kind !== "outbox" || grant === current) continue;
    try {
      const notes = JSON.parse(window.localStorage.getItem(key)).filter((op) => op.type !== "delete" && op.text);
      if (notes.length) found.push({ key, notes });
    } catch (error) {
      // not ours to read
    }
  }
  return found;
}

function asText(outboxes) {
  return outboxes
    .flatMap(({ notes }) => notes.map((op) => `${t.kinds[op.kind] || op.kind}${op.starred ? " ★" : ""}\n${op.text}\n`))
    .join("\n");
}

const outboxes = waitingOutboxes();
if (outboxes.length) {
  const box = document.getElementById("unsent-notes");
  box.value = asText(outboxes);
  document.getElementById("unsent-count").textContent = plural(t.count, outboxes.reduce((sum, o) => sum + o.notes.length, 0));
  root.hidden = false;
  document.getElementById("unsent-copy").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(box.value);
    } catch (error) {
      box.select();
      document.execCommand("copy");
    }
    document.getElementById("unsent-copied").hidden = false;
  });
  document.getElementById("unsent-download").addEventListener("click", () => {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([box.value], { type: "text/plain;charset=utf-8" }));
    link.download = "notes-not-sent.txt";
    document.body.append(link);
    link.click();
    link.remove();
  });
  document.getElementById("unsent-forget").addEventListener("click", () => {
    if (!window.confirm(t.confirmForget)) return;
    for (const { key } of outboxes) window.localStorage.removeItem(key);
    root.hidden = true;
  });
}
