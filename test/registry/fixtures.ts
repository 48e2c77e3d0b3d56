import { readFileSync } from 'node:fs';
import { parseRegistry } from '../../src/registry/parse.js';
import type { Registry } from '../../src/registry/schema.js';
import { SHIPPED_REGISTRY } from '../helpers/cli.js';

/** The committed ports.json, parsed (a fresh copy each call). */
export function shippedRegistry(): Registry {
  const parsed = parseRegistry(readFileSync(SHIPPED_REGISTRY, 'utf8'));
  if (!parsed.ok) throw new Error('the shipped ports.json does not parse');
  return parsed.registry;
}

/** A small registry for rule and bump tests. */
export function smallRegistry(): Registry {
  return {
    format: 1,
    internalPorts: { db: 3306, service: 80 },
    references: [],
    history: [],
    hosts: {
      a: {
        releases: [
          { label: 'http.10', tag: 'release-0.8.6', jsm1: 8656, db: 3860 },
          { label: 'http.11', tag: 'release-0.8.7', jsm1: 8756, db: 3870 },
        ],
      },
    },
  };
}
