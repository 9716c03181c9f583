export { seededRandom } from "../helpers/seeded-random";

/** Standard normal from two uniforms (Box–Muller). */
export function normal(random: () => number): number {
  const u = Math.max(random(), Number.EPSILON);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}
