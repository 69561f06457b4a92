// The types of source-bundle.cjs, a plain JavaScript module (see there).

/** The bundle of a TypeScript entry, built now unless a bundle of the same inputs is cached; resolves with the bundle's file URL. */
export function sourceBundle(entry: URL): Promise<URL>;

/** The cached bundle of a TypeScript entry, if one of its current inputs is there; never builds. */
export function cachedSourceBundle(entry: URL): URL | undefined;

/** Bundles a compiled worker entry (a package's dist/ module) into `outfile`, for the build to ship beside it. */
export function bundleCompiled(entryPath: string, outfile: string): Promise<void>;
