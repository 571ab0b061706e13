// What verifyAuditLog holds while it streams a log: a bounded window of recent positions and
// the unanchored tail's times, so a log of any length is verified in bounded memory. A signed
// position (a checkpoint's head, a resume's `from`) is looked up in the window: the gate signs
// the head it has just written, so with concurrent writers it lies a few events back, never
// thousands. Positions named by receipts and copies are known before the log is read and are
// kept whatever their age.

/** Events whose hash stays looked up, besides the positions anchors name. */
export const POSITION_WINDOW = 16_384

/** The hash at a seq, for the last {@link POSITION_WINDOW} events and the pinned seqs. */
export class PositionWindow {
  private readonly recent = new Map<number, string>()
  private readonly pinned = new Map<number, string>()

  constructor(
    private readonly pins: ReadonlySet<number>,
    private readonly size = POSITION_WINDOW,
  ) {}

  add(seq: number, hash: string): void {
    this.recent.delete(seq)
    this.recent.set(seq, hash)
    if (this.recent.size > this.size) {
      const oldest = this.recent.keys().next()
      if (oldest.done !== true) this.recent.delete(oldest.value)
    }
    if (this.pins.has(seq)) this.pinned.set(seq, hash)
  }

  get(seq: number): string | undefined {
    return this.recent.get(seq) ?? this.pinned.get(seq)
  }
}

/** The first seq and the oldest and newest times of the events no anchor signs. */
export interface TailSummary {
  readonly first: number
  readonly oldest: number
  readonly newest: number
}

/**
 * Times of the events after the highest anchor seen so far. Past the window, the oldest are
 * folded into one summary, dropped once an anchor passes them; an anchor inside the folded
 * range (only a pinned, far older position can be) leaves it whole, so the tail is then
 * judged older than it is: never younger.
 */
export class UnanchoredTail {
  private readonly times = new Map<number, number>()
  private folded: (TailSummary & { last: number }) | undefined

  constructor(private readonly size = POSITION_WINDOW) {}

  add(seq: number, time: number): void {
    this.times.delete(seq)
    this.times.set(seq, time)
    if (this.times.size <= this.size) return
    const oldest = this.times.entries().next()
    if (oldest.done === true) return
    const [first, at] = oldest.value
    this.times.delete(first)
    const f = this.folded
    this.folded =
      f === undefined
        ? { first, last: first, oldest: at, newest: at }
        : {
            first: Math.min(f.first, first),
            last: Math.max(f.last, first),
            oldest: Math.min(f.oldest, at),
            newest: Math.max(f.newest, at),
          }
  }

  /** Everything up to `through` is signed. */
  anchor(through: number): void {
    for (const seq of this.times.keys()) {
      if (seq > through) break
      this.times.delete(seq)
    }
    if (this.folded !== undefined && this.folded.last <= through) this.folded = undefined
  }

  /** The events after `through`, or `undefined` when there are none. */
  summary(through: number): TailSummary | undefined {
    let first = Number.POSITIVE_INFINITY
    let oldest = Number.POSITIVE_INFINITY
    let newest = Number.NEGATIVE_INFINITY
    const f = this.folded
    if (f !== undefined && f.last > through) {
      first = Math.max(f.first, through + 1)
      oldest = f.oldest
      newest = f.newest
    }
    for (const [seq, time] of this.times) {
      if (seq <= through) continue
      first = Math.min(first, seq)
      oldest = Math.min(oldest, time)
      newest = Math.max(newest, time)
    }
    return first === Number.POSITIVE_INFINITY ? undefined : { first, oldest, newest }
  }
}
