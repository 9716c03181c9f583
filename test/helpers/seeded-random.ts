// The project's seeded PRNG (mulberry32, in the cache's Zipf sampler) is the one tests use too, so
// property tests and accuracy checks are reproducible by seed.
export { seededRandom } from "../../workers/cache/zipf";
