// Runs the release benchmark alone and prints its section as JSON. bench/index.ts runs it with
// bench/tsconfig.node-hash.json, so that `#hash` is the node:crypto backend that Node users get
// (the root tsconfig maps `#hash` to the portable @noble/hashes backend).
import { releaseBench } from './release.js'

console.log(JSON.stringify(await releaseBench()))
