// Builds a JSON object holding one array as UTF-8 bytes, one array element at a time, so a
// payload is serialised once, record by record, instead of being held as thousands of objects
// and then as one large string (exports and stream chunks; measured in bench/).
//
// The array is written behind a gap at the head of the buffer, and `finish` writes the prefix
// into that gap, so the finished payload is a view of the buffer rather than a copy of it: a
// stream chunk or an export is held once, not twice (stream peak RSS, docs/benchmarks.md).

import { DatagateError } from '../errors.js'

const encoder = new TextEncoder()
/** Room for the prefix (the claims in front of `"records":`); a longer one is copied. */
const GAP = 4096
/** Elements serialised together. */
const BATCH = 64

/** The finished payload: `prefix [elements] suffix`, and the array's own bytes within it. */
export interface WrittenPayload {
  readonly bytes: Uint8Array
  /** The `[...]` part, exactly as `JSON.stringify` of the array writes it. */
  readonly array: Uint8Array
}

/**
 * Writes `[json, json, ...]` into a growing byte buffer. `finish` returns views of that buffer:
 * they stay valid until the next `push`, which starts the next payload in the same buffer.
 */
export class JsonArrayWriter {
  private bytes = new Uint8Array(GAP + 64 * 1024)
  private length = GAP + 1
  /** Elements written into the buffer (the pending ones not counted). */
  private written = 0
  /**
   * Elements not written yet. Measured (docs/benchmarks.md): one `JSON.stringify` and one
   * `encodeInto` per 64 records cost about a sixth less CPU than one per record, on the bench's
   * released records; the elements' texts joined by `,` are exactly what `JSON.stringify` of the
   * whole array writes between its brackets.
   */
  private pending: unknown[] = []

  constructor() {
    this.bytes[GAP] = 0x5b // [
  }

  /** Elements pushed since the last `finish`. */
  get count(): number {
    return this.written + this.pending.length
  }

  /**
   * Adds an element. It is serialised later, by the next `push` that fills a batch or by
   * `finish`, which is where an element that is not JSON-serialisable throws; it must not change
   * in between (released records are fresh objects that nothing else holds).
   */
  push(value: unknown): void {
    this.pending.push(value)
    if (this.pending.length === BATCH) this.flush()
  }

  private flush(): void {
    const batch = this.pending
    if (batch.length === 0) return
    this.pending = []
    // As JSON.stringify of the whole array would write it: a value with no JSON form is null.
    let json: string
    try {
      json = JSON.stringify(batch)
    } catch {
      // No cause: JSON.stringify's own message names the key that closes a cycle, a data key.
      throw new DatagateError('ERR_INVALID_ARGUMENT', 'payload is not JSON-serialisable')
    }
    // Room for a comma and the worst case of 3 UTF-8 bytes per UTF-16 unit.
    this.reserve(1 + json.length * 3)
    if (this.written > 0) this.bytes[this.length++] = 0x2c // ,
    // Between the brackets of the batch's own array text.
    this.length += encoder.encodeInto(json.slice(1, -1), this.bytes.subarray(this.length)).written
    this.written += batch.length
  }

  /**
   * `prefix` + the array + `suffix`, as views of the writer's buffer (valid until the next
   * `push`); the writer is empty afterwards.
   */
  finish(prefix: string, suffix: string): WrittenPayload {
    this.flush()
    const head = encoder.encode(prefix)
    const tail = encoder.encode(suffix)
    this.reserve(1 + tail.length)
    const arrayEnd = this.length + 1
    this.bytes[this.length] = 0x5d // ]
    this.bytes.set(tail, arrayEnd)
    const end = arrayEnd + tail.length
    this.length = GAP + 1
    this.written = 0
    if (head.length <= GAP) {
      const start = GAP - head.length
      this.bytes.set(head, start)
      return { bytes: this.bytes.subarray(start, end), array: this.bytes.subarray(GAP, arrayEnd) }
    }
    const out = new Uint8Array(head.length + end - GAP)
    out.set(head)
    out.set(this.bytes.subarray(GAP, end), head.length)
    return { bytes: out, array: out.subarray(head.length, head.length + arrayEnd - GAP) }
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.bytes.length) return
    let size = this.bytes.length * 2
    while (size < this.length + extra) size *= 2
    const grown = new Uint8Array(size)
    grown.set(this.bytes.subarray(0, this.length))
    this.bytes = grown
  }
}
