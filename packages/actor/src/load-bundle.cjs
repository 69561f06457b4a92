// @ts-check
// CommonJS, plain JavaScript: a worker thread loads this with `require`
// before anything else, with no module loader to start and no TypeScript.
'use strict';
const { closeSync, fstatSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname } = require('node:path');
const { fileURLToPath } = require('node:url');
const { Script, constants } = require('node:vm');

/** A cache file starts with the bundle's size and modification time (two doubles). */
const STAMP_BYTES = 16;

/**
 * Runs a CommonJS bundle of sourceBundle's as Node runs a module, from V8's
 * code cache kept beside it (unless source maps are on, see below): compiling a bundle of the workspace's packages
 * anew took ~30 ms of every thread's start. A cache made from another
 * build of the bundle, or refused by V8, is ignored and rewritten. The
 * cache is made once the bundle's top level has run, so it also holds the
 * functions the start ran.
 *
 * @param {URL | string} bundle the bundle's file URL or path
 * @returns {unknown} the bundle's module.exports
 */
function loadBundle(bundle) {
  const path = typeof bundle === 'string' ? bundle : fileURLToPath(bundle);
  // Node maps the stack lines of what it loads itself to the sources (the
  // bundle's linked map), not those of a vm.Script: with source maps on
  // (--enable-source-maps), TypeScript lines matter more than the cache.
  if (process.sourceMapsEnabled) return require(path);
  const fd = openSync(path, 'r');
  let source;
  let stamp;
  try {
    stamp = stampOf(fstatSync(fd));
    source = readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
  const cachePath = `${path}.v8-${process.versions.v8}.cache`;
  const cachedData = cacheFor(readOptional(cachePath), stamp);
  // Node's own module wrapper, on the source's first line so line numbers hold.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: path,
    ...(cachedData === undefined ? {} : { cachedData }),
    importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(path), module, path, dirname(path));
  if (cachedData === undefined || script.cachedDataRejected === true) writeCache(cachePath, Buffer.concat([stamp, script.createCachedData()]));
  return module.exports;
}

/**
 * The bundle's size and modification time, which a cache starts with. V8
 * checks only that a cache was made from a source of the same length, so a
 * rebuilt bundle of the same size would otherwise run the old code.
 *
 * @param {import('node:fs').Stats} stat
 */
function stampOf(stat) {
  const stamp = Buffer.alloc(STAMP_BYTES);
  stamp.writeDoubleLE(stat.size, 0);
  stamp.writeDoubleLE(stat.mtimeMs, 8);
  return stamp;
}

/**
 * The code cache in `file` if it was made from the bundle `stamp` describes.
 *
 * @param {Buffer | undefined} file
 * @param {Buffer} stamp
 */
function cacheFor(file, stamp) {
  if (file === undefined || file.length <= STAMP_BYTES || !file.subarray(0, STAMP_BYTES).equals(stamp)) return undefined;
  return file.subarray(STAMP_BYTES);
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
