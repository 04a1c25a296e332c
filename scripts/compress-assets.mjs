// Writes a brotli (.br) and a gzip (.gz) copy beside each file of the browser bundle, once at build
// time, so the server sends them as they are instead of compressing on every request. Node's own zlib
// does both: nothing to install. Usage: node scripts/compress-assets.mjs DIR [--fast]
// The highest levels by default (brotli 11, gzip 9: about 30 s of CPU for a 17 MB debug bundle, 3 s
// for the release one); --fast (brotli 4, gzip 6) for debug builds, which only tests read.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const [dir, speed] = process.argv.slice(2);
if (!dir || (speed !== undefined && speed !== '--fast')) {
  console.error('usage: compress-assets.mjs DIR [--fast]');
  process.exit(2);
}
const fast = speed === '--fast';
for (const name of readdirSync(dir)) {
  const path = join(dir, name);
  if (!statSync(path).isFile() || /\.(br|gz)$/.test(name)) continue;
  const raw = readFileSync(path);
  const br = brotliCompressSync(raw, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: fast ? 4 : constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
    },
  });
  const gz = gzipSync(raw, { level: fast ? 6 : 9 });
  writeFileSync(`${path}.br`, br);
  writeFileSync(`${path}.gz`, gz);
  console.log(`${name}: ${raw.length} bytes, brotli ${br.length}, gzip ${gz.length}`);
}
