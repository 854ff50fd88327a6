// The offline app shell: the tablet and participant pages register the app's service worker,
// which keeps a copy of the page and its scripts and styles, so a reload with no network still
// shows the page. Browsers allow service workers only in a secure context (HTTPS, or the
// laptop itself at 127.0.0.1), so over plain HTTP on the venue network this does nothing.

export function keepPageForOffline() {
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return false;
  const page = window.location.pathname;
  navigator.serviceWorker
    .register("/service-worker.js", { scope: "/w/" })
    .then(() => navigator.serviceWorker.ready)
    .then((registration) => registration.active && registration.active.postMessage({ keep: page }))
    .catch(() => {}); // no offline copy: the page works as before while online
  // Signing out leaves no copy of the page behind on a shared tablet.
  const signout = document.querySelector("form.signout");
  if (signout) signout.addEventListener("submit", () => forgetPages());
  return true;
}

// Drop the kept copies of this person's pages (signed out, or the link was revoked).
export function forgetPages() {
  if (!("serviceWorker" in navigator) || !navigator.serviceWorker.controller) return;
  navigator.serviceWorker.controller.postMessage({ forget: true });
}

