// The page's binary data files (site.bin.gz, wijkwaarden.bin.gz: src/wire.rs; geo.bin.gz:
// www/geobin.js). They are gzipped at build time (tools/assemble.mjs) because GitHub Pages
// compresses only text types, and inflated here with DecompressionStream.

/**
 * The inflated bytes of a fetch (a Response or a promise of one) of `name`; an error names
 * the file.
 */
export async function fetchGzipped(response, name) {
  let res;
  try {
    res = await response;
  } catch (e) {
    throw new Error(`${name}: ${e.message}`, { cause: e }); // the network: "Failed to fetch"
  }
  if (!res.ok) throw new Error(`${name}: HTTP ${res.status}`);
  try {
    return new Uint8Array(await new Response(res.body.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
  } catch (e) {
    throw new Error(`${name}: ${e.message}`, { cause: e });
  }
}

/**
 * Start fetching the data file `name` from the folder `base` (a URL) and inflating it.
 * Its failure is left to whoever awaits the promise, and is no unhandled rejection before.
 */
export function fetchDataFile(name, base) {
  const bytes = fetchGzipped(fetch(new URL(name, base)), name);
  bytes.catch(() => {});
  return bytes;
}
