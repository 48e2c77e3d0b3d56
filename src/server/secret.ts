import { inspect } from 'node:util';

const REDACTED = '[REDACTED]';

/**
 * A password or token. Every way a value is usually printed (template
 * strings, JSON.stringify, console.log / util.inspect) shows `[REDACTED]`;
 * only an explicit `reveal()` hands out the value, so a leak takes intent.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The secret value itself: pass it to a driver, never to a log. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/** A Secret from an optional string (an unset or empty env var gives undefined). */
export function optionalSecret(value: string | undefined): Secret | undefined {
  return value === undefined || value === '' ? undefined : new Secret(value);
}
