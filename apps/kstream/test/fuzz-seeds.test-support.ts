// The fixed seeds of CI's fuzz run (fuzz-cluster.test.ts), and how far it goes
// with each: CI must be deterministic; `npm run fuzz` draws new seeds.
export const CI_FUZZ_SEEDS = [20261202, 4242];
export const CI_FUZZ_REQUESTS = 250;
