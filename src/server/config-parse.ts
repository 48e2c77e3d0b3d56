/** A missing or bad variable, named in one line. Never carries the variable's value if it is a secret. */
export class ConfigError extends Error {}

export type Env = Record<string, string | undefined>;

const isUnset = (value: string | undefined): value is undefined | '' => value === undefined || value === '';

/** A whole number in [min, max], or the fallback when unset. */
export function readWholeNumber(env: Env, name: string, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (isUnset(raw)) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return Number(raw);
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** A duration such as `500ms`, `30s`, `5m` or `1h30m`, in milliseconds; the fallback is written the same way. */
export function readDuration(env: Env, name: string, fallback: string): number {
  const raw = isUnset(env[name]) ? fallback : env[name]!;
  const parts = [...raw.matchAll(/(\d+)(ms|s|m|h)/g)];
  const ms = parts.reduce((sum, [, amount, unit]) => sum + Number(amount) * UNIT_MS[unit!]!, 0);
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== raw || ms <= 0) {
    throw new ConfigError(`${name} must be a duration such as 500ms, 30s, 5m or 1h, got "${raw}"`);
  }
  return ms;
}

/** true/false, yes/no, on/off or 1/0; unset is the fallback. */
export function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (isUnset(raw)) return fallback;
  const value = raw.toLowerCase();
  if (['true', 'yes', 'on', '1'].includes(value)) return true;
  if (['false', 'no', 'off', '0'].includes(value)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}
