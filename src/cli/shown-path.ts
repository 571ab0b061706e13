// How every command names a file in what it prints: relative to the working directory when the
// file is inside it, else whole. Apart from the config loader, since commands that never read a
// config (keys, the log readers) name files too.
import { isAbsolute, relative } from 'node:path'

/** A path as reports show it: relative to the working directory when inside it. */
export function shownPath(cwd: string, file: string): string {
  const rel = relative(cwd, file)
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file
}
