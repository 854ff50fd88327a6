// Shared by every live page: the Socket.IO connection, the change log and the shared clock.
//
// The server gives each change a sequence number. This module remembers the last number
// seen (in localStorage, so a refresh keeps it) and, after every (re)connect, asks the
// server for everything after it: Socket.IO alone delivers at most once.

/* global io */

export function storageKey(...parts) {
  return ["kt", ...parts].join(":");
}

export function readJSON(key, fallback) {
  try {
    const raw = window.localStorage.getItem(key);
    return raw === null ? fallback : JSON.parse(raw);
  } catch (error) {
    return fallback;
  }
}

export function writeJSON(key, value) {
  try {
    window.localStorage.setItem(key, JSON.stringify(value));
    return true;
  } catch (error) {
    return false; // storage full or switched off: the caller keeps the value in memory
  }
}

// A random id from crypto.getRandomValues: randomUUID is missing on plain-HTTP LAN pages.
export function randomId() {
  const bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// Seconds left in the round, corrected for the difference between the two clocks.
export function secondsLeft(state, offset) {
  if (!state) return null;
  const serverNow = Date.now() / 1000 + offset;
  // A break counts down too: to the next block's start time.
  const counting = state.status === "running" || state.status === "break";
  const running = counting && state.started_at ? serverNow - state.started_at : 0;
  return state.duration - state.elapsed - running;
}

// A time of day the way the page's language writes it (13:05; 1:05 PM in American English).
export function clockTime(date) {
  // British English is the source text's ("13:30"); a bare "en" would read as American.
  const page = document.documentElement.lang || "en";
  const language = page === "en" ? "en-GB" : page;
  return date.toLocaleTimeString(language, { hour: "2-digit", minute: "2-digit" });
}

export function formatClock(seconds) {
  if (seconds === null || Number.isNaN(seconds)) return "--:--";
  const sign = seconds < 0 ? "-" : "";
  const whole = Math.abs(Math.round(seconds));
  const minutes = Math.floor(whole / 60);
  return `${sign}${minutes}:${String(whole % 60).padStart(2, "0")}`;
}

// Connect and follow the workshop: onChange(change) for every change, in order, once.
export function follow({ workshopId, auth = {}, onWelcome, onChange, onConnection }) {
  const seqKey = storageKey("seq", workshopId, window.location.pathname);
  let lastSeq = readJSON(seqKey, 0);
  let offset = 0;
  const socket = io({ auth: { workshop_id: workshopId, ...auth }, transports: ["websocket", "polling"] });

  function apply(change) {
    if (change.seq <= lastSeq) return; // already seen (a broadcast overtaken by a catch-up)
    lastSeq = change.seq;
    writeJSON(seqKey, lastSeq);
    onChange(change);
  }

  function catchUp() {
    socket.timeout(10000).emit("catch_up", { since: lastSeq }, (error, reply) => {
      if (error || !reply || !reply.ok) return;
      reply.changes.forEach(apply);
      if (reply.latest > lastSeq) {
        lastSeq = reply.latest; // nothing for this page between: skip the gap
        writeJSON(seqKey, lastSeq);
      }
      if (reply.more) catchUp();
    });
  }

  socket.on("connect", () => onConnection && onConnection(true));
  socket.on("disconnect", (reason) => {
    if (onConnection) onConnection(false);
    // The server closed this connection on purpose (a revoked link, a restart): the client does
    // not reconnect by itself then, so ask again; a refusal says why (connect_error's data).
    if (reason === "io server disconnect") setTimeout(() => socket.connect(), 1000);
  });
  socket.on("connect_error", (error) => onConnection && onConnection(false, (error && error.data) || null));
  socket.on("welcome", (welcome) => {
    offset = welcome.state.server_now - Date.now() / 1000;
    if (welcome.seq < lastSeq) lastSeq = 0; // a different database: start over
    if (onWelcome) onWelcome(welcome);
    catchUp();
  });
  socket.on("change", (change) => {
    // `after`: the change before this one that this page was meant to see (a tablet is sent
    // only its own table's): the numbers in between are not for it, so there is no gap.
    const noGap = typeof change.after === "number" && change.after <= lastSeq;
    if (change.seq > lastSeq + 1 && !noGap) {
      catchUp(); // a gap: fetch what is missing first, in order
      return;
    }
    // Only a change that arrives live tells the server's time now; a replayed one is old.
    if (change.kind === "round_state") offset = change.payload.server_now - Date.now() / 1000;
    apply(change);
  });
  return { socket, offset: () => offset };
}

export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

// Fill {name} placeholders in a translated string.
export function fill(text, values) {
  return text.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? values[key] : whole));
}

// A count in words: `forms` holds the page language's plural forms by CLDR category (the
// template's plural_forms), and the browser's Intl.PluralRules says which one n takes.
export function plural(forms, n) {
  const category = new Intl.PluralRules(document.documentElement.lang || "en").select(n);
  return fill(forms[category] || forms.other || Object.values(forms)[0] || "", { n });
}

// The end-of-round chime: a short two-note tone made here, no sound file needed. Browsers
// only allow sound after a click or key press on the page, hence unlock(). Each chime also
// counts itself in root.dataset.chimes, so tests (and a deaf laptop) can see it rang.
export function chimer(root) {
  let audio = null;
  let lastLeft = null;
  let lastRound = null;

  function ring() {
    root.dataset.chimes = String(Number(root.dataset.chimes || 0) + 1);
    if (!audio) return;
    const start = audio.currentTime;
    for (const [frequency, delay] of [[880, 0], [660, 0.4]]) {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start + delay);
      gain.gain.exponentialRampToValueAtTime(0.5, start + delay + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + delay + 1.2);
      tone.connect(gain).connect(audio.destination);
      tone.start(start + delay);
      tone.stop(start + delay + 1.3);
    }
  }

  return {
    unlock() {
      try {
        audio = audio || new AudioContext();
        if (audio.state === "suspended") audio.resume();
      } catch (error) {
        audio = null; // no Web Audio: the timer still shows the time is up
      }
    },
    playing() {
      return Boolean(audio && audio.state === "running");
    },
    // Call on every clock tick: chimes once when a running round's countdown crosses zero
    // (not when a page opens on a round already overrun).
    watch(state, left) {
      const round = state ? state.round_id : null;
      if (state && state.chime && state.status === "running" && round === lastRound && lastLeft > 0 && left <= 0) {
        ring();
      }
      lastLeft = left;
      lastRound = round;
    },
  };
}
