// @ts-check
// CommonJS, plain JavaScript: the `kstream` launcher (apps/kstream/bin) runs
// this module with plain node, before any TypeScript loader exists.
//
// Running a TypeScript entry from the workspace's sources (`npm start`, a test
// that embeds a cluster) used to transpile every module again in every thread
// through tsx: about 1.5 s per broker worker, most of a cluster's start. A
// bundle is one CommonJS module with the workspace sources the entry imports
// inlined; third-party packages stay `require`s, resolved from the entry's
// package as before. CommonJS because only a script has a code cache on Node
// 20 (loadBundle keeps one), so bundled sources use no top-level await and
// third-party packages they import must be requirable. It is built with
// esbuild (tsx's own transpiler) once per change of its inputs and kept in
// the entry package's node_modules/.cache, beside a manifest of the inputs'
// sizes and modification times.
'use strict';
const { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { dirname, extname, join, relative, sep } = require('node:path');
const { fileURLToPath, pathToFileURL } = require('node:url');

/** Bumped when a bundle's shape changes, so bundles built by an older version of this file are rebuilt. */
const BUNDLE_FORMAT = 3;
const SOURCE_CONDITION = '@kstream/source';
/** In a compiled bundle, the function at the top that gives an inlined module's URL from its package and path (there, not in each module: a module's own `require` may be shadowed). */
const MODULE_URL_HELPER = '__kstreamModuleUrl';
const CACHE_DIR = join('node_modules', '.cache', 'kstream-bundles');
/** A JavaScript or TypeScript module, whose import.meta.url a bundle keeps. */
const WORKSPACE_SOURCE = /\.[cm]?[jt]s$/;

/**
 * The bundle of a TypeScript entry, built now unless a bundle of the same
 * inputs is cached. Resolves with the bundle's file URL, for loadBundle.
 *
 * In the bundle, each inlined module's `import.meta.url` is still its own
 * source file's URL, so paths computed from it (a worker's entry, a native
 * addon, a package.json) point where they did.
 *
 * @param {URL} entry a .ts module of the workspace
 * @returns {Promise<URL>}
 */
async function sourceBundle(entry) {
  const files = bundleFiles(entry);
  if (isFresh(files)) return pathToFileURL(files.bundlePath);
  await build(files);
  return pathToFileURL(files.bundlePath);
}

/**
 * The cached bundle of a TypeScript entry, if one of its current inputs is
 * there: a synchronous check of a few hundred file stats, no build.
 *
 * @param {URL} entry a .ts module of the workspace
 * @returns {URL | undefined}
 */
function cachedSourceBundle(entry) {
  const files = bundleFiles(entry);
  return isFresh(files) ? pathToFileURL(files.bundlePath) : undefined;
}

/**
 * @typedef {{ entryPath: string, packageDir: string, bundlePath: string, manifestPath: string }} BundleFiles
 * @param {URL} entry
 * @returns {BundleFiles}
 */
function bundleFiles(entry) {
  const entryPath = fileURLToPath(entry);
  const dir = packageDir(entryPath);
  // The entry's path in its package, flattened, and what the bundle is made
  // with: a bundle of another esbuild or format is another file.
  const inPackage = relative(dir, entryPath).slice(0, -extname(entryPath).length).replaceAll(sep, '~');
  const name = `${inPackage}-esbuild${esbuildVersion()}-f${BUNDLE_FORMAT}`;
  return {
    entryPath,
    packageDir: dir,
    bundlePath: join(dir, CACHE_DIR, `${name}.cjs`),
    manifestPath: join(dir, CACHE_DIR, `${name}.json`),
  };
}

/** @param {BundleFiles} files */
async function build({ entryPath, packageDir, bundlePath, manifestPath }) {
  const inputs = await writeBundle({
    entryPath,
    outfile: bundlePath,
    workingDir: packageDir,
    conditions: [SOURCE_CONDITION],
    moduleUrl: (path) => JSON.stringify(pathToFileURL(path).href),
  });
  writeWhole(manifestPath, JSON.stringify({ entry: entryPath, inputs }));
}

/**
 * The bundle of a compiled entry (a package's dist/ module), for the build to
 * ship beside it. Packages resolve to their dist/. Each inlined module's
 * `import.meta.url` is found when the bundle runs: beside the bundle for a
 * module of its own package, from where `require.resolve` finds its package
 * for another's, so the paths computed from it hold in the workspace
 * (packages/<name>, apps/<name>) and once installed (node_modules/...) alike.
 *
 * @param {string} entryPath a .js module of a package's dist/
 * @param {string} outfile where the bundle goes
 * @returns {Promise<void>}
 */
async function bundleCompiled(entryPath, outfile) {
  const ownDir = packageDir(entryPath);
  await writeBundle({
    entryPath,
    outfile,
    workingDir: ownDir,
    conditions: [],
    moduleUrl: (path) => {
      const dir = packageDir(path);
      if (dir === ownDir) return `${MODULE_URL_HELPER}(null, ${JSON.stringify(relative(dirname(outfile), path))})`;
      const { name } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      const main = require.resolve(name, { paths: [ownDir] });
      return `${MODULE_URL_HELPER}(${JSON.stringify(name)}, ${JSON.stringify(relative(dirname(main), path))})`;
    },
    banner: `var ${MODULE_URL_HELPER} = (pkg, path) => require("node:url").pathToFileURL(require("node:path").join(pkg === null ? __dirname : require("node:path").dirname(require.resolve(pkg)), path)).href;`,
  });
}

/**
 * Bundles `entryPath` into `outfile` (and its source map), each file written
 * whole; resolves with each source read, its size and modification time as
 * read, so that an edit during the build leaves the bundle stale.
 *
 * @param {{ entryPath: string, outfile: string, workingDir: string, conditions: string[], moduleUrl: (path: string) => string, banner?: string }} options
 * @returns {Promise<[string, number, number][]>}
 */
async function writeBundle({ entryPath, outfile, workingDir, conditions, moduleUrl, banner }) {
  const esbuild = await import('esbuild');
  /** @type {Map<string, [string, number, number]>} */
  const read = new Map();
  const result = await esbuild.build({
    absWorkingDir: workingDir,
    entryPoints: [entryPath],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    // The oldest Node kstream runs on (package.json engines), whichever Node builds it: Node 20 and 24 share these files.
    target: 'node20',
    conditions,
    write: false,
    metafile: true,
    sourcemap: 'linked',
    outfile,
    logLevel: 'silent',
    ...(banner === undefined ? {} : { banner: { js: banner } }),
    plugins: [keepPackagesExternal, keepImportMetaUrl(read, moduleUrl)],
  });
  // Written under a name of this process's, then renamed over the old files:
  // processes that build the same bundle at once each see a whole one.
  mkdirSync(dirname(outfile), { recursive: true });
  for (const file of result.outputFiles) writeWhole(file.path, file.contents);
  return Object.keys(result.metafile.inputs).map((input) => {
    const path = join(workingDir, input);
    return read.get(path) ?? inputEntry(path);
  });
}

/** @type {import('esbuild').Plugin} */
const keepPackagesExternal = {
  name: 'kstream-packages-external',
  setup(build) {
    // Bare specifiers other than the workspace's own packages: node builtins and
    // third-party packages, which load as they would without a bundle.
    build.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@kstream/') ? undefined : { path: args.path, external: true }));
  },
};

/**
 * @param {Map<string, [string, number, number]>} read where each source loaded is noted
 * @param {(path: string) => string} moduleUrl the expression that stands for `import.meta.url` in the module at `path`
 * @returns {import('esbuild').Plugin}
 */
function keepImportMetaUrl(read, moduleUrl) {
  return {
    name: 'kstream-import-meta-url',
    setup(build) {
      // Every module esbuild loads is the entry package's or a @kstream
      // package's (keepPackagesExternal leaves the rest out), wherever it sits:
      // installed, kstream's packages are under node_modules too.
      build.onLoad({ filter: WORKSPACE_SOURCE }, (args) => {
        read.set(args.path, inputEntry(args.path));
        const source = readFileSync(args.path, 'utf8');
        const contents = source.replace(/\bimport\.meta\.url\b/g, moduleUrl(args.path));
        return { contents, loader: /\.[cm]?ts$/.test(args.path) ? 'ts' : 'js' };
      });
    },
  };
}

/**
 * @param {string} path
 * @returns {[string, number, number]} the input's path, size and modification time
 */
function inputEntry(path) {
  const stat = statSync(path);
  return [path, stat.size, stat.mtimeMs];
}

/**
 * Whether the bundle is there and every input has the size and modification
 * time it had when the bundle was built.
 *
 * @param {BundleFiles} files
 */
function isFresh({ bundlePath, manifestPath }) {
  /** @type {{ inputs: [string, number, number][] }} */
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch {
    return false;
  }
  if (statSync(bundlePath, { throwIfNoEntry: false }) === undefined) return false;
  return manifest.inputs.every(([path, size, mtimeMs]) => {
    const stat = statSync(path, { throwIfNoEntry: false });
    return stat !== undefined && stat.size === size && stat.mtimeMs === mtimeMs;
  });
}

/**
 * @param {string} path
 * @param {string | Uint8Array} contents
 */
function writeWhole(path, contents) {
  const partial = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  try {
    writeFileSync(partial, contents);
    renameSync(partial, path);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}

/** @param {string} path the directory of the nearest package.json above `path` */
function packageDir(path) {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    if (statSync(join(dir, 'package.json'), { throwIfNoEntry: false })?.isFile()) return dir;
    if (dirname(dir) === dir) return dirname(path);
  }
}

/** The installed esbuild's version, read without loading esbuild: a cached bundle needs none. */
function esbuildVersion() {
  try {
    return JSON.parse(readFileSync(require.resolve('esbuild/package.json'), 'utf8')).version;
  } catch (cause) {
    throw new Error('running a TypeScript entry from source needs the esbuild package installed', { cause });
  }
}

module.exports = { bundleCompiled, cachedSourceBundle, sourceBundle };
