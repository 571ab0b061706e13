/**
 * Email addresses: a pragmatic subset of RFC 5322 `addr-spec`.
 *
 * Local part: a dot-atom of `A-Z a-z 0-9 . _ % + -`, 1-64 characters, no leading, trailing or
 * doubled dot. Domain: at least two dot-separated labels of letters, digits and hyphens
 * (1-63 characters, no leading or trailing hyphen, 253 in all), ending in a top-level domain of
 * at least two letters or an `xn--` label. Quoted local parts, comments, IP-literal domains and
 * internationalised (non-ASCII) addresses are not detected. A trailing dot (end of a sentence)
 * is not part of the address.
 *
 * Asset file names share the shape: `logo@3x.webp`, `icon@2x.png`, `banner@1.5x.jpg`. They are
 * told apart by their last label: a file extension that is no delegated top-level domain (png,
 * jpg, webp, svg, gif, json, js, css, pdf, ...). Extensions that are also TLDs (.zip, .mov, .app)
 * are not on that list, and the scale label itself (`3x`) is not used as evidence, since `3x.com`
 * is a domain someone may hold.
 *
 * @packageDocumentation
 */
import { DETECTOR_PATTERNS } from './patterns.js'
import { collect, type Detector, globalCopy, isAlnumCode } from './shared.js'

function isLocalCode(code: number): boolean {
  // . _ % + -
  return (
    isAlnumCode(code) || code === 46 || code === 95 || code === 37 || code === 43 || code === 45
  )
}

function isDomainCode(code: number): boolean {
  return isAlnumCode(code) || code === 46 || code === 45
}

function validLocal(local: string): boolean {
  return local.length > 0 && local[0] !== '.' && !local.endsWith('.') && !local.includes('..')
}

// File extensions that are not delegated top-level domains (checked against the IANA root zone).
const FILE_EXTENSIONS = new Set(
  (
    'png jpg jpeg gif webp svg bmp ico tif tiff heic heif avif psd raw js mjs cjs ts tsx jsx css ' +
    'scss less json xml html htm txt log pdf doc docx xls xlsx ppt pptx csv apk ipa exe dll jar ' +
    'class jxl wav avi mkv flv webm ttf otf woff eot gz tgz rar yaml yml ini cfg conf bak tmp lock'
  ).split(' '),
)

function validDomain(domain: string): boolean {
  if (domain.length > 253) return false
  const labels = domain.split('.')
  if (labels.length < 2) return false
  for (const label of labels) {
    if (label.length === 0 || label.length > 63) return false
    if (label[0] === '-' || label.endsWith('-')) return false
  }
  const tld = labels[labels.length - 1]!
  if (tld.startsWith('xn--')) return tld.length > 4
  if (FILE_EXTENSIONS.has(tld.toLowerCase())) return false
  if (tld.length < 2) return false
  for (let i = 0; i < tld.length; i++) {
    const code = tld.charCodeAt(i) | 0x20 // lowercase ASCII letters
    if (code < 97 || code > 122) return false
  }
  return true
}

const GLOBAL = globalCopy(DETECTOR_PATTERNS.email)

function allCodes(text: string, test: (code: number) => boolean): boolean {
  for (let i = 0; i < text.length; i++) if (!test(text.charCodeAt(i))) return false
  return true
}

/**
 * Whether `candidate` is, in full, an email address of the supported subset.
 *
 * @example
 * ```ts
 * import { validateEmail } from 'datagate/classify'
 *
 * console.log(validateEmail('li.lei@example.com.cn')) // true
 * console.log(validateEmail('li..lei@example.com')) // false: doubled dot
 * console.log(validateEmail('logo@3x.webp')) // false: an image name
 * ```
 */
export function validateEmail(candidate: string): boolean {
  if (typeof candidate !== 'string') return false
  const at = candidate.indexOf('@')
  if (at < 1 || at > 64) return false
  const local = candidate.slice(0, at)
  const domain = candidate.slice(at + 1)
  return (
    allCodes(local, isLocalCode) &&
    allCodes(domain, isDomainCode) &&
    validLocal(local) &&
    validDomain(domain)
  )
}

/** The email address detector. */
export const emailDetector: Detector = {
  name: 'email',
  kind: 'email',
  label: 'email address',
  pattern: DETECTOR_PATTERNS.email,
  find(text: string) {
    return collect(GLOBAL, text, (candidate, matchStart) => {
      const at = matchStart + 1
      const reject = at + 1 // the next candidate has its `@` further on
      let start = matchStart
      while (at - start < 64 && isLocalCode(text.charCodeAt(start - 1))) start--
      const before = text.charCodeAt(start - 1)
      if (isLocalCode(before) || before === 64) return reject // local part over 64, or a@b@c
      while (text[start] === '.') start++ // dots before the address are punctuation
      let end = matchStart + candidate.length
      if (isDomainCode(text.charCodeAt(end))) return reject // domain over 253 characters
      while (text[end - 1] === '.') end-- // so is a full stop after it
      if (!validLocal(text.slice(start, at)) || !validDomain(text.slice(at + 1, end))) {
        return reject
      }
      return { start, end }
    })
  },
}
