// Geohash encoding (Niemeyer 2008): bits alternate longitude, latitude, starting with longitude,
// each bit halving the remaining interval; every 5 bits become one base32 character.

const BASE32 = '0123456789bcdefghjkmnpqrstuvwxyz'

/**
 * The geohash of (`lat`, `lng`) with `precision` characters. The caller checks the ranges:
 * latitude in [-90, 90], longitude in [-180, 180], precision a positive integer.
 *
 * @example
 * ```ts
 * import { encodeGeohash } from './geohash.js'
 *
 * console.log(encodeGeohash(57.64911, 10.40744, 11)) // u4pruydqqvj
 * ```
 */
export function encodeGeohash(lat: number, lng: number, precision: number): string {
  let latLow = -90
  let latHigh = 90
  let lngLow = -180
  let lngHigh = 180
  let out = ''
  let evenBit = true
  for (let char = 0; char < precision; char++) {
    let index = 0
    for (let bit = 0; bit < 5; bit++) {
      index <<= 1
      if (evenBit) {
        const mid = (lngLow + lngHigh) / 2
        if (lng >= mid) {
          index |= 1
          lngLow = mid
        } else lngHigh = mid
      } else {
        const mid = (latLow + latHigh) / 2
        if (lat >= mid) {
          index |= 1
          latLow = mid
        } else latHigh = mid
      }
      evenBit = !evenBit
    }
    out += BASE32[index]!
  }
  return out
}
