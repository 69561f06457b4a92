// The `kstream` command's entry: `node apps/kstream/src/main.ts start [flags]`.
import { runCli } from './cli.js';

await runCli(process.argv.slice(2));
