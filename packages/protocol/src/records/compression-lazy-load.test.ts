import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// A broker worker imports @kstream/protocol at every (re)start; the native
// codecs cost ~130 ms of it and most brokers never meet a compressed batch
// they must open. A fresh process shows what importing the package loads.
const packageDir = fileURLToPath(new URL('../..', import.meta.url));

function nativeModulesLoadedAfter(script: string): string[] {
  const program = `
    import { createRequire } from 'node:module';
    const loaded = () => Object.keys(createRequire(process.cwd() + '/').cache).filter((k) => /snappy|lz4|zstd|node-rs/.test(k));
    const protocol = await import('@kstream/protocol');
    ${script}
    console.log(JSON.stringify(loaded()));`;
  const out = execFileSync(process.execPath, ['--conditions=@kstream/source', '--import', 'tsx', '--input-type=module', '-e', program], {
    cwd: packageDir,
    encoding: 'utf8',
  });
  return JSON.parse(out) as string[];
}

describe('compression codecs', () => {
  it('importDoesNotLoadNativeCodecs', () => {
    expect(nativeModulesLoadedAfter('')).toEqual([]);
  });

  it('firstUseLoadsOnlyThatCodec', () => {
    const loaded = nativeModulesLoadedAfter(`await protocol.compressionCodec(protocol.CompressionType.Snappy).compress(Buffer.from('kstream'));`);
    expect(loaded.some((path) => path.includes('snappy'))).toBe(true);
    expect(loaded.filter((path) => /lz4|zstd/.test(path))).toEqual([]);
  });
});
