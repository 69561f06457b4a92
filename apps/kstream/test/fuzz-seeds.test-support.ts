// The fixed seeds of CI's fuzz run (fuzz-cluster.test.ts), and how far it goes
// with each: CI must be deterministic; `npm run fuzz` draws new seeds. Each
// must reach the absurd admin counts within the run (fuzz-requests.test.ts):
// the draw spreads over every advertised API, so advertising more moves them
// (4242 reached them at request 349 once the group APIs were served; 42 at 142).
export const CI_FUZZ_SEEDS = [20261202, 42];
export const CI_FUZZ_REQUESTS = 400;
