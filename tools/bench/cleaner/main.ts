// npm run bench -- cleaner [--quick]
// The log cleaner's MB/s beside a plain sequential read of the same
// segments (see measure.ts).
import { measureCleaner } from './measure.js';

export async function main(args: string[]): Promise<void> {
  const { lines } = await measureCleaner({ quick: args.includes('--quick') });
  for (const line of lines) console.log(line);
}
