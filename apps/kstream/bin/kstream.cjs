#!/usr/bin/env node
// The `kstream` command as npm installs it. Installed from a tarball it runs
// the build's bundle of dist/main.js. In the workspace (src/ beside this file) it runs
// the TypeScript sources the way `npm start` does: from their bundle, one
// script that @kstream/actor's sourceBundle builds with esbuild once per
// change of the sources, run from V8's code cache (loadBundle): tens of
// milliseconds to load, where transpiling each module through tsx took
// seconds. Either way in this process, so signals and the exit code are the
// command's own. CommonJS, so that a start loads no ES module loader it does
// not need.
'use strict';
// msgpackr's native string extractor costs ~16 ms of every thread's start and
// gains only on large string-heavy messages (see @kstream/actor's spawnWorker).
process.env.MSGPACKR_NATIVE_ACCELERATION_DISABLED ??= 'true';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

const source = join(__dirname, '..', 'src', 'main.ts');
if (existsSync(source)) {
  const { cachedSourceBundle, sourceBundle } = require('@kstream/actor/source-bundle');
  const { loadBundle } = require('@kstream/actor/load-bundle');
  const entry = pathToFileURL(source);
  const bundle = cachedSourceBundle(entry);
  if (bundle !== undefined) loadBundle(bundle);
  else sourceBundle(entry).then(loadBundle);
} else {
  require('@kstream/actor/load-bundle').loadBundle(join(__dirname, '..', 'dist', 'main.bundle.cjs'));
}
