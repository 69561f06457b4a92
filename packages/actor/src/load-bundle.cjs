// @ts-check
// CommonJS, plain JavaScript: a worker thread loads this with `require`
// before anything else, with no module loader to start and no TypeScript.
'use strict';
const { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname } = require('node:path');
const { fileURLToPath } = require('node:url');
const { Script, constants } = require('node:vm');

/**
 * Runs a CommonJS bundle of sourceBundle's as Node runs a module, from V8's
 * code cache kept beside it: compiling a bundle of the workspace's packages
 * anew took ~30 ms of every thread's start. V8 checks that the cache is of
 * this source and ignores (here: rewrites) one that is not. The
 * cache is made once the bundle's top level has run, so it also holds the
 * functions the start ran.
 *
 * @param {URL | string} bundle the bundle's file URL or path
 * @returns {unknown} the bundle's module.exports
 */
function loadBundle(bundle) {
  const path = typeof bundle === 'string' ? bundle : fileURLToPath(bundle);
  const source = readFileSync(path, 'utf8');
  // One cache per V8: Node 20 and Node 24 runs of the same bundle keep their own.
  const cachePath = `${path}.v8-${process.versions.v8}.cache`;
  const cachedData = readOptional(cachePath);
  // Node's own module wrapper, on the source's first line so line numbers hold.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: path,
    ...(cachedData === undefined ? {} : { cachedData }),
    importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(path), module, path, dirname(path));
  if (cachedData === undefined || script.cachedDataRejected === true) writeCache(cachePath, script.createCachedData());
  return module.exports;
}

/** @param {string} path */
function readOptional(path) {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Written whole (a name of this thread's, then a rename) or not at all: a
 * cache is an optimisation, so a read-only directory only costs the next start.
 *
 * @param {string} path
 * @param {Buffer} data
 */
function writeCache(path, data) {
  const partial = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(partial, data);
    renameSync(partial, path);
  } catch {
    rmSync(partial, { force: true });
  }
}

module.exports = { loadBundle };
