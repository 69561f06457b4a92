// npm run bench -- <name> [args...]: runs tools/bench/<name>/main.ts.
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(here, d.name, 'main.ts')))
  .map((d) => d.name)
  .sort();

const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name> [args]; benchmarks: ${available.join(', ') || '(none yet)'}`);
  process.exit(2);
}
const bench = (await import(pathToFileURL(join(here, name, 'main.ts')).href)) as {
  main(args: string[]): Promise<void>;
};
await bench.main(args);
