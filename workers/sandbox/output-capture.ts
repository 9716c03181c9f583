// Captures a program's stdout and stderr with per-stream byte caps (UTF-8), and keeps the order in
// which the two streams were written so the combined `output` can be rebuilt.

export type StreamName = "stdout" | "stderr";

interface StreamState {
  text: string;
  bytes: number;
  truncated: boolean;
}

/** Number of UTF-8 bytes `text` encodes to (lone surrogates count as U+FFFD, 3 bytes). */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** Longest prefix of `text` that fits in `maxBytes` UTF-8 bytes without splitting a character. */
export function utf8Prefix(text: string, maxBytes: number): string {
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    let width = 1;
    let units = 1;
    if (code < 0x80) width = 1;
    else if (code < 0x800) width = 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        width = 4;
        units = 2;
      } else width = 3;
    } else width = 3;
    if (bytes + width > maxBytes) break;
    bytes += width;
    i += units;
  }
  return text.slice(0, i);
}

export class OutputCapture {
  private readonly streams: Record<StreamName, StreamState> = {
    stdout: { text: "", bytes: 0, truncated: false },
    stderr: { text: "", bytes: 0, truncated: false },
  };
  private readonly chunks: string[] = [];
  private closed = false;

  constructor(private readonly caps: Record<StreamName, number>) {}

  /**
   * Appends to a stream. Returns false when the stream went past its cap: the text is cut at the
   * cap and the program has to be stopped. After `close()` writes are ignored (the program was
   * stopped, or exited, and anything it still prints must not appear).
   */
  write(stream: StreamName, text: string): boolean {
    if (this.closed || text.length === 0) return true;
    const state = this.streams[stream];
    const cap = this.caps[stream];
    const bytes = utf8ByteLength(text);
    if (state.bytes + bytes <= cap) {
      state.text += text;
      state.bytes += bytes;
      this.chunks.push(text);
      return true;
    }
    const kept = utf8Prefix(text, cap - state.bytes);
    state.text += kept;
    state.bytes += utf8ByteLength(kept);
    state.truncated = true;
    if (kept) this.chunks.push(kept);
    return false;
  }

  /** Stops accepting output. */
  close(): void {
    this.closed = true;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  text(stream: StreamName): string {
    return this.streams[stream].text;
  }

  truncated(stream: StreamName): boolean {
    return this.streams[stream].truncated;
  }

  /** Both streams interleaved in write order. */
  combined(): string {
    return this.chunks.join("");
  }
}
