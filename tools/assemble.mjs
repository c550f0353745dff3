// Assemble dist/ so that one deploy never mixes with another:
//
//   dist/index.html        the page; every local href/src points into v/<version>/
//   dist/sw.js             the service worker: this build's version and file list, then www/sw.js
//   dist/v/<version>/…     the JS, CSS, wasm and data files of this build
//
// <version> is a hash of every file under v/, so a changed file means a new folder and a
// cached index.html can only ever load the files it was built with. Module imports and
// data fetches inside v/<version>/ are relative (import.meta.url), so they need no rewriting.
//
//   node tools/assemble.mjs --www www --pkg generated/pkg [--pkg-worker generated/pkg-worker] --site generated/site \
//     --model generated/model.json --out dist
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { decodeGeometry, encodeGeometry, siteNames } from './geobin.mjs';

const { values: a } = parseArgs({
  options: {
    www: { type: 'string' }, pkg: { type: 'string' }, 'pkg-worker': { type: 'string' }, site: { type: 'string' },
    model: { type: 'string' }, out: { type: 'string' },
  },
});
for (const k of ['www', 'pkg', 'site', 'model', 'out']) {
  if (!a[k]) { console.error(`assemble: --${k} is required`); process.exit(2); }
}

/** Files under dir, as paths relative to it with forward slashes, sorted. */
function listFiles(dir, prefix = '') {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listFiles(full, `${prefix}${name}/`));
    else out.push(prefix + name);
  }
  return out;
}

// Page files that stay at the root: the entry point and the service worker (whose scope
// must cover the page).
const ROOT_FILES = new Set(['index.html', 'sw.js']);

// asset path (relative to v/<version>/) -> source file
const assets = new Map();
for (const f of listFiles(a.www)) if (!ROOT_FILES.has(f)) assets.set(f, path.join(a.www, f));
// The page's wasm in pkg/; the Web Worker's (with the local extension, issue 10) in
// pkg-worker/ when given.
for (const [dir, as] of [[a.pkg, 'pkg'], [a['pkg-worker'], 'pkg-worker']]) {
  if (!dir) continue;
  assets.set(`${as}/jeugdhulp_wijk.js`, path.join(dir, 'jeugdhulp_wijk.js'));
  assets.set(`${as}/jeugdhulp_wijk_bg.wasm`, path.join(dir, 'jeugdhulp_wijk_bg.wasm'));
  if (existsSync(path.join(dir, 'snippets'))) {
    // wasm-bindgen's inline JS, imported by the glue
    for (const f of listFiles(path.join(dir, 'snippets'))) assets.set(`${as}/snippets/${f}`, path.join(dir, 'snippets', f));
  }
}
assets.set('voorbeeld-kerncijfers-2017.csv', path.join(a.site, 'voorbeeld-kerncijfers-2017.csv'));

// The wijken and their values in binary (src/wire.rs), gzipped here like geo.bin below
// (GitHub Pages does not compress .bin); www/binfile.js inflates them.
for (const f of ['site.bin', 'wijkwaarden.bin']) {
  // mtime 0 and no file name: the same data give the same bytes, so the same version
  const gz = gzipSync(readFileSync(path.join(a.site, f)), { level: 9 });
  gz.writeUInt32LE(0, 4);
  const out = path.join(a.site, `${f}.gz`);
  writeFileSync(out, gz);
  assets.set(`${f}.gz`, out);
}

// The geometry goes out as geo.bin.gz (tools/geobin.mjs, www/geobin.js: varint deltas, shared border points
// sent once), gzipped here because GitHub Pages does not compress .bin; the page inflates it
// with DecompressionStream. geo.json itself stays in the site folder for the CLI's users.
{
  const geo = JSON.parse(readFileSync(path.join(a.site, 'geo.json'), 'utf8'));
  // names the wasm already has (jw.wijken(), jw.gemeenten()) are not sent twice
  const known = siteNames(JSON.parse(readFileSync(path.join(a.site, 'site.json'), 'utf8')));
  const bin = encodeGeometry(geo, known);
  const back = decodeGeometry(bin, known);
  if (JSON.stringify(back) !== JSON.stringify(geo)) {
    console.error('assemble: geo.bin does not decode to geo.json');
    process.exit(1);
  }
  // mtime 0 and no file name: the same geometry gives the same bytes, so the same version
  const gz = gzipSync(bin, { level: 9 });
  gz.writeUInt32LE(0, 4);
  const out = path.join(a.site, 'geo.bin.gz');
  writeFileSync(out, gz);
  assets.set('geo.bin.gz', out);
}
assets.set('model.json', a.model);

const names = [...assets.keys()].sort();
const hash = createHash('sha256');
for (const name of names) hash.update(name).update('\0').update(readFileSync(assets.get(name))).update('\0');
const version = hash.digest('hex').slice(0, 12);
const base = `v/${version}/`;

rmSync(a.out, { recursive: true, force: true });
for (const name of names) {
  const dest = path.join(a.out, base, name);
  mkdirSync(path.dirname(dest), { recursive: true });
  cpSync(assets.get(name), dest);
}

// index.html: every local reference must be one of this build's files. The page's
// wasm-bindgen snippets (inline JS the glue imports, in a folder whose name wasm-bindgen
// makes up) get a modulepreload beside the glue's: else they are only asked for once the
// glue has arrived, one round trip later on a slow phone.
const snippets = names.filter((n) => n.startsWith('pkg/snippets/') && n.endsWith('.js'));
const GLUE = '<link rel="modulepreload" href="pkg/jeugdhulp_wijk.js">';
const html = readFileSync(path.join(a.www, 'index.html'), 'utf8')
  .replace(GLUE, [GLUE, ...snippets.map((n) => `<link rel="modulepreload" href="${n}">`)].join('\n'));
const missing = [];
const rewritten = html.replace(/\b(href|src)="([^"]*)"/g, (whole, attr, url) => {
  if (/^(?:[a-z][a-z0-9+.-]*:|#|\?|\/\/)/i.test(url)) return whole; // data:, https:, #anchor, ?query (this page)
  if (url.startsWith('/')) { missing.push(`${url} (absolute: breaks under a project sub-path)`); return whole; }
  if (!assets.has(url)) { missing.push(url); return whole; }
  return `${attr}="${base}${url}"`;
});
if (missing.length) {
  console.error(`assemble: index.html refers to files that are not in the build: ${missing.join(', ')}`);
  process.exit(1);
}
writeFileSync(path.join(a.out, 'index.html'), rewritten);

// The service worker: this build's manifest, then the worker's code.
const build = { version, files: ['./', ...names.map((n) => base + n)] };
writeFileSync(path.join(a.out, 'sw.js'),
  `// Generated by tools/assemble.mjs: this build's version and files.\nself.JW_BUILD = ${JSON.stringify(build)};\n\n`
  + readFileSync(path.join(a.www, 'sw.js'), 'utf8'));
writeFileSync(path.join(a.out, '.nojekyll'), '');

const bytes = names.reduce((s, n) => s + statSync(assets.get(n)).size, 0);
console.log(`   dist/ ready: version ${version}, ${names.length} files (${(bytes / 1024).toFixed(0)} KB) under ${base}`);
