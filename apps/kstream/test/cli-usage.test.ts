// The `kstream` command's help and its usage errors, with no cluster: every
// command's --help ends with examples; a bad flag or value is one line and
// exit 2; an unreachable bootstrap is one line and exit 1.
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { kstreamProgram } from '../src/cli/program.js';
import { kstream } from './cli-run.test-support.js';

/** Each command of the tree with its full help text, as --help prints it. */
function helpOfEveryCommand(command: Command, path: string[] = []): Array<{ path: string; help: string }> {
  let help = '';
  command.configureOutput({ writeOut: (text) => (help += text), writeErr: (text) => (help += text) });
  command.outputHelp();
  const name = [...path, command.name()].join(' ');
  return [{ path: name, help }, ...command.commands.flatMap((sub) => helpOfEveryCommand(sub, [...path, command.name()]))];
}

describe.concurrent('kstream usage', { timeout: 240_000 }, () => {
  it('everyCommandHelpHasExamples: each command and subcommand ends its help with runnable examples', () => {
    const helps = helpOfEveryCommand(kstreamProgram());
    expect(helps.map((h) => h.path)).toEqual(
      expect.arrayContaining(['kstream topics create', 'kstream produce', 'kstream consume', 'kstream groups reset-offsets', 'kstream bench e2e', 'kstream start']),
    );
    for (const { path, help } of helps) {
      expect(help, path).toMatch(/\nExamples:\n {2}\$ [^\n]*kstream /);
    }
  });

  it('helpExitsZero: --help prints usage on stdout', async () => {
    const result = await kstream(['consume', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: kstream consume \[options\] <topic>/);
    expect(result.stdout).toContain('--from-beginning');
    expect(result.stderr).toBe('');
  });

  it('unknownFlag: one line naming the flag and the closest one, exit 2', async () => {
    const result = await kstream(['consume', 'orders', '--from-begining']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("kstream: unknown option '--from-begining' (Did you mean --from-beginning?)\n");
    expect(result.stdout).toBe('');
  });

  it('badValue and conflicting flags: one line each, exit 2, before any connection', async () => {
    const [partitions, format, offsetWithoutPartition, nothingToAlter] = await Promise.all([
      kstream(['topics', 'create', 'orders', '--partitions', 'three', '-b', '127.0.0.1:1']),
      kstream(['consume', 'orders', '--format', 'xml', '-b', '127.0.0.1:1']),
      kstream(['consume', 'orders', '--offset', '5', '-b', '127.0.0.1:1']),
      kstream(['topics', 'alter', 'orders', '-b', '127.0.0.1:1']),
    ]);
    expect(partitions).toMatchObject({ code: 2, stderr: "kstream: option '-p, --partitions <n>' argument 'three' is invalid. Expected an integer from 1.\n" });
    expect(format).toMatchObject({ code: 2, stderr: "kstream: option '-F, --format <format>' argument 'xml' is invalid. Allowed choices are value, key-value, json.\n" });
    expect(offsetWithoutPartition).toMatchObject({ code: 2, stderr: 'kstream: consume: --offset needs --partition (an offset is a position in one partition)\n' });
    expect(nothingToAlter).toMatchObject({ code: 2, stderr: 'kstream: topics alter: nothing to change; give --config key=value or --delete-config key\n' });
  });

  it('missingArgumentOrCommand: exit 2 (the help of a command group is its message)', async () => {
    const [noTopic, noSubcommand] = await Promise.all([kstream(['produce']), kstream(['groups'])]);
    expect(noTopic).toMatchObject({ code: 2, stderr: "kstream: missing required argument 'topic'\n" });
    expect(noSubcommand.code).toBe(2);
    expect(noSubcommand.stderr).toMatch(/^Usage: kstream groups/);
  });

  it('unreachableBootstrap: one line naming the address, exit 1', async () => {
    const result = await kstream(['topics', 'list', '--bootstrap', '127.0.0.1:1', '--request-timeout', '1500']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^kstream: bootstrap from 127\.0\.0\.1:1 failed .*ECONNREFUSED[^\n]*\n$/);
    expect(result.stdout).toBe('');
  });

  it('badBootstrap: an address that is not host:port is a usage error of the client, one line', async () => {
    const result = await kstream(['topics', 'list', '--bootstrap', 'nowhere']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^kstream: bad option bootstrap: "nowhere"; allowed: host:port pairs[^\n]*\n$/);
  });
});
