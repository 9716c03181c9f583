// A fast synchronous 32-bit string hash for hash rings. crypto.subtle is async and far stronger than
// placing keys on a circle needs; what a ring needs is speed and an even spread even for near-identical
// inputs ("b1#0", "b1#1", ...). FNV-1a alone mixes its last characters poorly into the high bits, so
// its result goes through murmur3's fmix32 finaliser, which makes every input bit affect every
// output bit. Not for anything adversarial: keys chosen by an attacker can be made to collide.

const FNV_OFFSET_BASIS_32 = 0x811c9dc5;
const FNV_PRIME_32 = 0x01000193;

/**
 * FNV-1a over the string's UTF-16 code units (one step per code unit, so for ASCII this equals
 * FNV-1a over the UTF-8 bytes). Unsigned 32-bit result.
 */
export function fnv1a32(text: string): number {
  let hash = FNV_OFFSET_BASIS_32;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, FNV_PRIME_32);
  }
  return hash >>> 0;
}

/** murmur3's 32-bit finaliser: a bijection on uint32 with full avalanche. */
export function fmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The hash rings use: FNV-1a then fmix32. Unsigned 32-bit, stable across isolates and releases. */
export function hash32(text: string): number {
  return fmix32(fnv1a32(text));
}
