import * as v from 'valibot';

/** Port fields of a release row, in table order. */
export const PORT_FIELDS = ['jqs', 'jsm1', 'jsm2', 'db', 'viz'] as const;
export type PortField = (typeof PORT_FIELDS)[number];

/** The column names the Jobmon docs use for each port field. */
export const PORT_COLUMN: Record<PortField, string> = {
  jqs: 'jqs',
  jsm1: 'jsm-1',
  jsm2: 'jsm-2',
  db: 'db',
  viz: 'viz',
};

/**
 * A port cell: a number, or placeholder text kept exactly as the docs wrote it
 * (`na`, `n/a`). An absent field is an empty cell; the three stay distinct.
 */
const PORT_CELL = 'must be a port number or placeholder text such as "n/a"';
const portCell = v.union(
  [v.pipe(v.number(), v.integer('must be a whole number')), v.pipe(v.string(), v.regex(/^[^\d\s|]{1,12}$/, PORT_CELL))],
  PORT_CELL,
);

/** Messages for an object schema: a missing key, an unknown key, or not an object at all. */
export function objectMessage(what: string) {
  return (issue: v.BaseIssue<unknown>) => {
    if (issue.expected === 'never') return `is not a field of ${what}`;
    if (issue.input === undefined && issue.expected?.startsWith('"')) return 'is required';
    return `must be ${what} (an object)`;
  };
}

const CONTROL = /\p{Cc}/u;

/**
 * Why a label, tag or server name is unusable, if it is: a control character
 * (invisible, and a terminal may act on it when list prints it), a `|` (it
 * splits the cell in the rendered Markdown tables) or a space.
 */
function wordProblem(text: string): string | undefined {
  const control = CONTROL.exec(text);
  if (control) {
    const code = control[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    return `must not contain control characters (U+${code} at character ${control.index + 1})`;
  }
  if (text.includes('|')) return 'must not contain "|" (it separates the columns of the rendered tables)';
  if (!/^\S+$/.test(text)) return 'must be one word without spaces';
  return undefined;
}

const word = v.pipe(
  v.string('must be text'),
  v.check((text: string) => wordProblem(text) === undefined, (issue) => wordProblem(issue.input as string) ?? 'is invalid'),
);
const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Whether a name can be a Docker host's key in the registry. */
export function isHostName(name: string): boolean {
  return HOST_NAME.test(name);
}

export const releaseSchema = v.strictObject(
  {
    label: word,
    tag: v.optional(word),
    jqs: v.optional(portCell),
    jsm1: v.optional(portCell),
    jsm2: v.optional(portCell),
    db: v.optional(portCell),
    viz: v.optional(portCell),
    notes: v.optional(v.pipe(v.string('must be text'), v.regex(/^[^|\p{Cc}]*$/u, 'must be one line without "|" or control characters'))),
    /** A client-only release: the tag of the server release it shares ports with. */
    server: v.optional(word),
    /** Ports this release shares with an earlier release, with the reason. */
    sharedPorts: v.optional(
      v.record(v.pipe(v.string(), v.regex(/^\d+$/, 'must be a port number')), v.pipe(v.string('must be text'), v.minLength(1, 'needs a reason'))),
    ),
  },
  objectMessage('a release'),
);

export const hostSchema = v.strictObject({ releases: v.array(releaseSchema, 'must be a list of releases') }, objectMessage('a host'));

const inRepoPath = v.pipe(v.string('must be text'), v.minLength(1, 'must not be empty'));

export const registrySchema = v.strictObject(
  {
    format: v.literal(1, 'must be 1'),
    /** In-container ports: the database's, and the one port the service listens on. */
    internalPorts: v.strictObject(
      { db: v.pipe(v.number('must be a port number'), v.integer('must be a whole number')), service: v.pipe(v.number('must be a port number'), v.integer('must be a whole number')) },
      objectMessage('internalPorts'),
    ),
    /** Repository files that mention the current release's ports; `bump` rewrites them. */
    references: v.array(inRepoPath, 'must be a list of paths'),
    /** Files or folders (ending in `/`) that record history; `check` skips them. */
    history: v.array(inRepoPath, 'must be a list of paths'),
    hosts: v.record(v.pipe(v.string(), v.regex(HOST_NAME, 'must be a host name')), hostSchema, 'must map host names to hosts'),
  },
  objectMessage('the registry'),
);

export type Release = v.InferOutput<typeof releaseSchema>;
export type Host = v.InferOutput<typeof hostSchema>;
export type Registry = v.InferOutput<typeof registrySchema>;

/** A problem found in a registry, reported as `path: message`. */
export interface Problem {
  path: string;
  message: string;
}

export function formatProblem(problem: Problem): string {
  return problem.path ? `${problem.path}: ${problem.message}` : problem.message;
}
