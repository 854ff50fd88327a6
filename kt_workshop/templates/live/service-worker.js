// kt-workshop's service worker: the offline app shell of the tablet and participant pages.
// Served by the app at /service-worker.js (live.service_worker) for the scope /w/.
//
// Network first, the kept copy when the network fails or takes too long: online, every page
// and script is the laptop's latest; offline, a reload still shows the page as last loaded.
// Only the shell pages and their files are kept; everything else passes through untouched.

const VERSION = {{ version|tojson }};
const CACHE = `kt-shell-${VERSION}`;
const SHELL_FILES = {{ files|tojson }};
const SHELL_PAGE = /^\/w\/\d+\/(tablet|me)$/;
const NETWORK_SECONDS = 4;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL_FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name.startsWith("kt-shell-") && name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

// A page asks to be kept (its first load came before this worker controlled it), or to be
// forgotten (signed out, link revoked).
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (typeof data.keep === "string" && SHELL_PAGE.test(data.keep)) {
    event.waitUntil(caches.open(CACHE).then((cache) => cache.add(data.keep)).catch(() => {}));
  } else if (data.forget) {
    event.waitUntil(
      caches.open(CACHE).then(async (cache) => {
        for (const request of await cache.keys()) {
          if (SHELL_PAGE.test(new URL(request.url).pathname)) await cache.delete(request);
        }
      }),
    );
  }
});

function inTime(promise) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("slow network")), NETWORK_SECONDS * 1000);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

async function networkFirst(request, key) {
  const cache = await caches.open(CACHE);
  let response;
  try {
    response = await inTime(fetch(request));
  } catch (error) {
    const kept = await cache.match(key, { ignoreVary: true });
    if (kept) return kept;
    throw error;
  }
  if (response.ok && response.type === "basic" && !response.redirected) {
    await cache.put(key, response.clone());
  } else if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
    await cache.delete(key); // signed out or revoked: no copy of the page stays behind
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && SHELL_PAGE.test(url.pathname)) {
    event.respondWith(networkFirst(request, url.pathname));
  } else if (SHELL_FILES.includes(url.pathname)) {
    event.respondWith(networkFirst(request, url.pathname));
  }
});
