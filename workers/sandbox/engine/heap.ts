// Reading the allocator's state from outside: where the used heap ends, and clearing the free space
// of its top chunk. Used when the engine snapshot is taken (snapshot.ts) and when a run's memory
// budget is armed (execution.ts, heap-governor.ts).
import type { EngineInstance } from "./quickjs-instance";

/** Size of a dlmalloc chunk header: a pointer from malloc minus this is where its chunk starts. */
export const CHUNK_HEADER_BYTES = 8;
/** Bytes dlmalloc may write just past its top chunk (fencepost; measured 40 at +4). */
const TOP_TRAILER_BYTES = 64;
/** Probe allocation used to find the end of the heap (larger than any free block in a fresh heap). */
const HEAP_PROBE_BYTES = 1024 * 1024;

/** Address just past the allocator's used heap: where a block too big for any hole would go. */
export function probeHeapEnd(instance: EngineInstance): number {
  const pointer = instance.malloc(HEAP_PROBE_BYTES);
  if (pointer === 0) return 0;
  instance.free(pointer);
  return pointer - CHUNK_HEADER_BYTES;
}

/**
 * Zeroes the free space of dlmalloc's top chunk, which starts at `chunk` (the heap end): its header
 * is two 32-bit words (previous footer, size|flags) and it extends to the current program break,
 * followed by a small trailer.
 * Returns false, touching nothing, if the header does not look like one.
 */
export function clearTopChunk(memory: WebAssembly.Memory, chunk: number): boolean {
  if (chunk <= 0 || chunk % 8 !== 0 || chunk + CHUNK_HEADER_BYTES > memory.buffer.byteLength) return false;
  const size = new Uint32Array(memory.buffer, chunk + 4, 1)[0] & ~7;
  const end = chunk + size;
  if (size < CHUNK_HEADER_BYTES || end > memory.buffer.byteLength) return false;
  // dlmalloc keeps a small trailer (segment fencepost, TOP_FOOT_SIZE) just past the top chunk.
  const clearEnd = Math.min(end + TOP_TRAILER_BYTES, memory.buffer.byteLength);
  new Uint8Array(memory.buffer, chunk + CHUNK_HEADER_BYTES, clearEnd - chunk - CHUNK_HEADER_BYTES).fill(0);
  return true;
}
