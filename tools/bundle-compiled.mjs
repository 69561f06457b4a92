// Part of a package's build, after tsc: bundles compiled entries (a broker
// thread's, the kstream package's and its command's), each into
// <entry>.bundle.cjs beside it, so a thread loads one script (a worker from
// V8's code cache, see @kstream/actor's loadBundle) instead of some 400
// modules: about 250 ms less for every broker thread that starts.
//
//   node ../../tools/bundle-compiled.mjs dist/broker-worker.js [more entries...]
import { resolve } from 'node:path';
import sourceBundle from '@kstream/actor/source-bundle';

const entries = process.argv.slice(2);
if (entries.length === 0) {
  console.error('usage: node tools/bundle-compiled.mjs <dist/entry.js> [...]');
  process.exit(2);
}
for (const entry of entries) {
  const path = resolve(entry);
  await sourceBundle.bundleCompiled(path, path.replace(/\.js$/, '.bundle.cjs'));
}
