// Photos waiting to upload, kept in IndexedDB: a photo is too big for localStorage's 5 MB, and
// must outlive a reload (or the browser dropping a background tab) until the server has it.
//
// Each photo is {uid, owner, round_id, table_id, blob, taken_at, error, failed}. `owner` keeps
// one tablet link's photos apart from another's on a shared device.

const DATABASE = "kt-workshop";
const STORE = "photos";

function request(operation) {
  return new Promise((resolve, reject) => {
    operation.onsuccess = () => resolve(operation.result);
    operation.onerror = () => reject(operation.error);
  });
}

function open() {
  return new Promise((resolve, reject) => {
    const opening = window.indexedDB.open(DATABASE, 1);
    opening.onupgradeneeded = () => opening.result.createObjectStore(STORE, { keyPath: "uid" });
    opening.onsuccess = () => resolve(opening.result);
    opening.onerror = () => reject(opening.error);
  });
}

// The photo outbox of one tablet link. Without IndexedDB (a private window on some browsers)
// photos are kept in memory only, and `lasting` says so.
export async function photoOutbox(owner) {
  let database = null;
  try {
    database = await open();
  } catch (error) {
    database = null;
  }
  const memory = new Map();

  function store(mode) {
    return database.transaction(STORE, mode).objectStore(STORE);
  }

  return {
    lasting: Boolean(database),
    async all() {
      if (!database) return [...memory.values()];
      const found = await request(store("readonly").getAll());
      return found.filter((photo) => photo.owner === owner).sort((a, b) => a.taken_at - b.taken_at);
    },
    async put(photo) {
      const kept = { ...photo, owner };
      memory.set(kept.uid, kept);
      if (database) await request(store("readwrite").put(kept));
    },
    async remove(uid) {
      memory.delete(uid);
      if (database) await request(store("readwrite").delete(uid));
    },
  };
}
