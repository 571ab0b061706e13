// The shape of injected randomness, here so that lib helpers (noise sampling in aggregates) and
// the operators above them name one type without lib importing from anonymize/.

/** A cryptographic random source: returns `length` fresh random bytes. */
export type RandomSource = (length: number) => Uint8Array
