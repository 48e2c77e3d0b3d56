#!/usr/bin/env node
// Thin launcher: all logic lives in the compiled CLI (npm run build).
import { run } from '../dist/cli.js';

process.exitCode = await run(process.argv.slice(2));
