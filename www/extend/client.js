// The page's side of www/extend/worker.js: one module Worker for both panels of issue 10,
// started by startWorker() when a panel opens (so its downloads happen before an upload),
// and call(method, ...args) → Promise of the result (rejects with the core's message, in
// both languages like the page's own wasm errors: show it with errorText(e), www/i18n.js).

let worker = null;
let ready = null;
let next = 1;
const pending = new Map(); // id → {resolve, reject}

/** Start the worker (once); resolves when its wasm and wijk values are loaded. */
export function startWorker() {
  if (ready) return ready;
  ready = new Promise((resolve, reject) => {
    try {
      worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    } catch (e) {
      reject(e);
      return;
    }
    worker.onmessage = ({ data }) => {
      if ('ready' in data) {
        if (data.ready) resolve();
        else reject(new Error(data.error));
        return;
      }
      const p = pending.get(data.id);
      if (!p) return;
      pending.delete(data.id);
      if ('error' in data) p.reject(Object.assign(new Error(data.error), data.error_en ? { message_en: data.error_en } : {}));
      else p.resolve({ result: data.result, ms: data.ms });
    };
    worker.onerror = (e) => {
      const err = new Error(e.message || 'de rekenhulp (Web Worker) kon niet starten');
      reject(err);
      for (const p of pending.values()) p.reject(err);
      pending.clear();
    };
  });
  return ready;
}

/**
 * Call a worker function: resolves to {result, ms} (ms: the wasm call's own time inside
 * the worker), rejects with an Error carrying the core's message.
 */
export async function call(method, ...args) {
  await startWorker();
  const id = next++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, method, args });
  });
}
