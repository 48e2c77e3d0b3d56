#!/usr/bin/env node
// Thin launcher for the bundled Jobmon server (npm run build).
import { main } from '../dist/server.js';

const code = await main(process.argv.slice(2));
if (code !== 0) process.exit(code);
