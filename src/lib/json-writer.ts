// Builds a JSON object holding one array as UTF-8 bytes, one array element at a time, so a
// payload is serialised once, record by record, instead of being held as thousands of objects
// and then as one large string (exports and stream chunks; measured in bench/).

import { DatagateError } from '../errors.js'

const encoder = new TextEncoder()

/** The finished payload: `prefix [elements] suffix`, and the array's own bytes within it. */
export interface WrittenPayload {
  readonly bytes: Uint8Array
  /** The `[...]` part, exactly as `JSON.stringify` of the array writes it. */
  readonly array: Uint8Array
}

/** Writes `[json, json, ...]` into a growing byte buffer. */
export class JsonArrayWriter {
  private bytes = new Uint8Array(64 * 1024)
  private length = 1
  count = 0

  constructor() {
    this.bytes[0] = 0x5b // [
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

  /** `prefix` + the array + `suffix`; the writer is empty afterwards. */
  finish(prefix: string, suffix: string): WrittenPayload {
    const head = encoder.encode(prefix)
    const tail = encoder.encode(suffix)
    const out = new Uint8Array(head.length + this.length + 1 + tail.length)
    out.set(head)
    out.set(this.bytes.subarray(0, this.length), head.length)
    out[head.length + this.length] = 0x5d // ]
    out.set(tail, head.length + this.length + 1)
    const array = out.subarray(head.length, head.length + this.length + 1)
    this.length = 1
    this.count = 0
    return { bytes: out, array }
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
