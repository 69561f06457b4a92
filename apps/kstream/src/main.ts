// The `kstream` command's entry: `node apps/kstream/src/main.ts start [flags]`.
import { runCli } from './cli.js';

// No top-level await: from source this module runs as part of a CommonJS bundle (sourceBundle).
void runCli(process.argv.slice(2));
