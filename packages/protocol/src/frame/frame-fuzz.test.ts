import { describe, expect, it } from 'vitest';
import { ALL_APIS } from '../apis/registry.js';
import { ProtocolDecodeError } from '../primitives/protocol-error.js';
import { UnsupportedVersionError } from '../schema/unsupported-version-error.js';
import { decodeRequest, decodeResponse } from './frame-codec.js';
import { mutate, randomSource, seedFrames } from './frame-fuzz.test-support.js';

// Decoders face bytes from any peer. For every API key (all versions,
// requests and responses) this feeds FRAMES_PER_API mutated and random
// frames to them: the only allowed outcomes are a decoded message or a typed
// error, never another exception or a hang. The seed changes every run and
// is printed with any failure, so a failure can be replayed with FUZZ_SEED.
const FRAMES_PER_API = 100_000;
const SEEDS_PER_VERSION = 3;
const seed = Number(process.env['FUZZ_SEED'] ?? Math.floor(Math.random() * 2 ** 32));

describe(`decoders under fuzzing (FUZZ_SEED=${seed})`, () => {
  it.each(ALL_APIS.map((api) => [api.name, api] as const))('%s: mutated and random frames end in a result or a typed error', (_name, api) => {
    const seeds = seedFrames(api, SEEDS_PER_VERSION, seed);
    const out = Buffer.alloc(Math.max(...seeds.map((s) => s.frame.length)) + 128);
    const random = randomSource(seed ^ api.apiKey);
    const outcomes = { decoded: 0, rejected: 0 };
    for (let i = 0; i < FRAMES_PER_API; i++) {
      const seedFrame = seeds[random() % seeds.length]!;
      const frame = out.subarray(0, mutate(seedFrame, out, random, api.apiKey));
      try {
        if (seedFrame.kind === 'request') decodeRequest(frame);
        else decodeResponse(api, seedFrame.version, frame);
        outcomes.decoded++;
      } catch (error) {
        if (error instanceof ProtocolDecodeError || error instanceof UnsupportedVersionError) {
          outcomes.rejected++;
          continue;
        }
        expect.fail(`FUZZ_SEED=${seed}: ${api.name} v${seedFrame.version} ${seedFrame.kind} decoder threw ${String(error)} ` + `for frame ${frame.toString('hex')}`);
      }
    }
    // Both outcomes must occur, or the mutations are not reaching the decoders.
    expect(outcomes.decoded).toBeGreaterThan(0);
    expect(outcomes.rejected).toBeGreaterThan(FRAMES_PER_API / 10);
  });
});
