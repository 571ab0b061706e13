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
  count = 0

  constructor() {
    this.bytes[GAP] = 0x5b // [
  }

  push(value: unknown): void {
    // As JSON.stringify of the whole array would write it: a value with no JSON form is null.
    let json: string
    try {
      json = JSON.stringify(value) ?? 'null'
    } catch {
      // No cause: JSON.stringify's own message names the key that closes a cycle, a data key.
      throw new DatagateError('ERR_INVALID_ARGUMENT', 'payload is not JSON-serialisable')
    }
    // Room for a comma and the worst case of 3 UTF-8 bytes per UTF-16 unit.
    this.reserve(1 + json.length * 3)
    if (this.count > 0) this.bytes[this.length++] = 0x2c // ,
    this.length += encoder.encodeInto(json, this.bytes.subarray(this.length)).written
    this.count++
  }

  /**
   * `prefix` + the array + `suffix`, as views of the writer's buffer (valid until the next
   * `push`); the writer is empty afterwards.
   */
  finish(prefix: string, suffix: string): WrittenPayload {
    const head = encoder.encode(prefix)
    const tail = encoder.encode(suffix)
    this.reserve(1 + tail.length)
    const arrayEnd = this.length + 1
    this.bytes[this.length] = 0x5d // ]
    this.bytes.set(tail, arrayEnd)
    const end = arrayEnd + tail.length
    this.length = GAP + 1
    this.count = 0
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
