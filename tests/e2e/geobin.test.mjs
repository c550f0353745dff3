// geo.bin (www/geobin.js, tools/geobin.mjs): the page's compact geometry decodes to exactly
// geo.json's object; shared borders become references; a damaged file is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { encodeGeometry, decodeGeometry } from '../../tools/geobin.mjs';
import { assetFile, readGeometry } from './helpers.mjs';

// Two squares sharing an edge (walked the other way round by the second), a ring of one
// point, negative steps, and a gemeente on the same points.
const tiny = {
  schema_version: 1, projection: 'p', unit_m: 10, origin_rd: [0, 1000], width: 20, height: 10, source: 's',
  wijken: [
    { code: 'WK000101', name: 'A', d: 'M0 0l10 0 0 10-10 0z', bbox: [0, 0, 10, 10], label: [5, 5] },
    { code: 'WK000102', name: 'B "b"', d: 'M10 10l0-10 10 0 0 10zM3 3z', bbox: [3, 0, 20, 10], label: [15, 5] },
  ],
  gemeenten: [{ code: 'GM0001', name: 'G', d: 'M0 0l20 0 0 10-20 0z', bbox: [0, 0, 20, 10], label: [10, 5] }],
  regios: [{ code: 'JZ01', name: 'R', d: 'M0 0l20 0 0 10-20 0z', bbox: [0, 0, 20, 10], label: [10, 5] }],
};

test('geo.bin: a small geometry decodes to the same object, shared points as one-byte references', () => {
  const bin = encodeGeometry(tiny);
  assert.deepEqual(decodeGeometry(bin), tiny);
  assert.equal(JSON.stringify(decodeGeometry(bin)), JSON.stringify(tiny), 'same key order too');
  // the regio repeats the gemeente point for point: 4 references, one byte each, plus its
  // label (2 bytes) and counts (2 bytes): 8 bytes, beside its code and name in the header
  const again = encodeGeometry({ ...tiny, regios: [] });
  assert.equal(bin.length - again.length - ('JZ01' + 'R').length, 8);
});

test('geo.bin: names the wasm has are left out, and come back from the names given', () => {
  const known = new Map([['WK000101', 'A'], ['WK000102', 'B (CSV)'], ['GM0001', 'G']]);
  const bin = encodeGeometry(tiny, known);
  assert.deepEqual(decodeGeometry(bin, known), tiny);
  const text = new TextDecoder().decode(bin);
  assert.ok(!text.includes('"names":"A') && text.includes('"names":""'), 'A and G are not in the file');
  assert.ok(text.includes('B \\"b\\"'), 'a name that differs from the wasm\'s is sent');
  assert.throws(() => decodeGeometry(bin), /names .* are needed/);
});

test('geo.bin: a damaged file is refused with a message, never half a map', () => {
  const bin = encodeGeometry(tiny);
  assert.throws(() => decodeGeometry(bin.subarray(0, bin.length - 3)), /cut short/);
  assert.throws(() => decodeGeometry(Uint8Array.from([...bin, 0])), /bytes left/);
  const bad = Uint8Array.from(bin);
  bad[0] = 0x7b; // "{": a geo.json
  assert.throws(() => decodeGeometry(bad), /not a JWG1 file/);
  assert.throws(() => encodeGeometry({ ...tiny, regios: [{ ...tiny.regios[0], extra: 1 }] }), /fields/);
});

test('geo.bin.gz in dist/ is the site\'s geo.json, and less than half its gzip size', async () => {
  const geo = await readGeometry();
  // the build's geo.json (./build.sh build writes it to generated/site/)
  const json = await readFile(new URL('../../generated/site/geo.json', import.meta.url), 'utf8');
  assert.equal(JSON.stringify(geo), JSON.stringify(JSON.parse(json)));
  assert.equal(geo.wijken.length, 3070);
  const sent = (await readFile(assetFile('geo.bin.gz'))).length;
  const asJson = gzipSync(JSON.stringify(geo)).length;
  assert.ok(sent < 0.5 * asJson, `geo.bin.gz ${sent} bytes against geo.json ${asJson} gzip`);
});
