import type { Parameters as FcParameters } from 'fast-check';

/**
 * One seed for every property of a run: `COSTSCOPE_FUZZ_SEED` replays a failure, otherwise each
 * run explores new inputs. fast-check names the seed and the shrunk counterexample's path in its
 * failure message; the seed is also printed up front, so a crash that kills the process still
 * leaves it in the log.
 */
export const FUZZ_SEED = Number(process.env.COSTSCOPE_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
console.log(`fuzz seed ${FUZZ_SEED} (replay with COSTSCOPE_FUZZ_SEED=${FUZZ_SEED})`);

/** Moderate run counts keep the suite fast: ~200 inputs per property. */
export function fuzzParameters<T>(numRuns = 200): FcParameters<T> {
  return { seed: FUZZ_SEED, numRuns, endOnFailure: true };
}
