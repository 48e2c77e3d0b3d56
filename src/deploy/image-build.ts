import type Docker from 'dockerode';
import { pack } from 'tar-fs';
import { ProblemsFoundError } from '../errors.js';
import { assembleBuildContext, prepareServerBundle } from './build-context.js';
import { BASE_LABEL, chooseBaseImage, COMMIT_LABEL, imageTags, notTheCommit, progressLine, summarizeBuild, type BaseImageChoice, type BuildEvent, type ImageRole } from './images.js';
import { LABEL_PREFIX } from './names.js';

/** The image's id and labels, or undefined when the engine has no image of that name. */
export async function inspectImage(docker: Docker, name: string): Promise<{ id: string; labels: Record<string, string> } | undefined> {
  try {
    const info = await docker.getImage(name).inspect();
    return { id: info.Id, labels: info.Config?.Labels ?? {} };
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

/** The image's id, or undefined when the engine has no image of that name. */
export async function imageId(docker: Docker, name: string): Promise<string | undefined> {
  return (await inspectImage(docker, name))?.id;
}

/** `--base-image`, else the newest image `images bootstrap` made on this engine, else the public one. */
export async function resolveBaseImage(docker: Docker, explicit?: string): Promise<BaseImageChoice> {
  if (explicit !== undefined) return chooseBaseImage(explicit, []);
  const images = await docker.listImages({ filters: JSON.stringify({ label: [BASE_LABEL] }) } as Docker.ListImagesOptions);
  return chooseBaseImage(undefined, images);
}

export interface BuildOneOptions {
  docker: Docker;
  role: ImageRole;
  tag: string;
  checkoutDir: string;
  base: BaseImageChoice;
  labels: Record<string, string>;
  log: (line: string) => void;
  timeoutSeconds: number;
  signal?: AbortSignal;
}

/** Builds one image through the Engine API, following its progress; fails with the build's last error line. */
export async function buildImage({ docker, role, tag, checkoutDir, base, labels, log, timeoutSeconds, signal }: BuildOneOptions): Promise<string> {
  const context = await assembleBuildContext(role, checkoutDir);
  const timeout = AbortSignal.timeout(timeoutSeconds * 1000);
  const abortSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
  try {
    // A plain tar: dockerode's own context packing gzips, which costs seconds on the 100 MB node binary.
    const stream = await docker.buildImage(
      pack(context.dir, { entries: context.files }) as unknown as NodeJS.ReadableStream,
      // The context's own labels (the server's Node version) say what it holds.
      { t: tag, buildargs: { BASE_IMAGE: base.image }, labels: { ...labels, ...context.labels }, rm: true, forcerm: true, abortSignal },
    );
    const events = await new Promise<BuildEvent[]>((resolve, reject) => {
      docker.modem.followProgress(
        stream,
        (error, result: BuildEvent[]) => (error ? reject(error) : resolve(result)),
        (event: BuildEvent) => {
          for (const line of (event.stream ?? '').split('\n')) {
            const shown = progressLine(line);
            if (shown) log(`${role} image: ${shown}`);
          }
        },
      );
    });
    const summary = summarizeBuild(events);
    if (summary.error) {
      const hint = base.source === 'public' ? `; with no registry, run jobmon-ops images bootstrap first, or pass --base-image` : '';
      throw new ProblemsFoundError(`building ${tag} FROM ${base.image} failed: ${summary.error}${hint}`, summary.tail);
    }
    const id = await imageId(docker, tag);
    if (!id) throw new ProblemsFoundError(`building ${tag} reported success but the engine has no such image`, summary.tail);
    return id;
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (timeout.aborted) throw new ProblemsFoundError(`building ${tag} took longer than ${timeoutSeconds} s; pass a larger --timeout`);
    throw error;
  } finally {
    await context.cleanup();
  }
}

export interface EnsureImagesOptions {
  docker: Docker;
  /** The release's checkout: its templates/ and server bundle go into the images. */
  checkoutDir: string;
  /** The checkout's commit; the images are tagged with its first 12 characters. */
  commit: string;
  /** `--base-image`; absent: the bootstrapped image on the engine, else the public one. */
  baseImage?: string;
  log: (line: string) => void;
  /** Limit of each build (and of the bundle's npm ci/build), in seconds. */
  timeoutSeconds: number;
  /** Extra labels on the images (tests add `org.jobmon-ops.test=1`). */
  labels?: Record<string, string>;
  signal?: AbortSignal;
}

export interface EnsuredImage {
  tag: string;
  id: string;
  /** False: the engine had it already (DECISIONS 25). */
  built: boolean;
  seconds: number;
}

export interface EnsureImagesResult {
  baseImage: BaseImageChoice;
  images: Record<ImageRole, EnsuredImage>;
}

/**
 * The server and DB images of a commit on the engine: each is reused when its
 * tag is present and its commit label is that commit, else built from the
 * checkout (an image under the tag that is not the commit's loses the tag).
 * The server bundle is made only when the server image is built.
 */
export async function ensureImages(options: EnsureImagesOptions): Promise<EnsureImagesResult> {
  const { docker, commit, log } = options;
  const tags = imageTags(commit);
  const base = await resolveBaseImage(docker, options.baseImage);
  const images = {} as Record<ImageRole, EnsuredImage>;
  for (const role of ['server', 'db'] as const) {
    const started = Date.now();
    const existing = await inspectImage(docker, tags[role]);
    const notOurs = existing && notTheCommit(existing.labels, commit);
    if (existing && !notOurs) {
      log(`${role} image ${tags[role]}: present, reused`);
      images[role] = { tag: tags[role], id: existing.id, built: false, seconds: 0 };
      continue;
    }
    if (notOurs) log(`${role} image ${tags[role]}: present, but ${notOurs}, not ${commit}; building it again`);
    log(`${role} image ${tags[role]}: building FROM ${base.image} (${base.source}), limit ${options.timeoutSeconds} s`);
    if (role === 'server') await prepareServerBundle({ ...options, ...(options.signal ? { signal: options.signal } : {}) });
    // BASE_LABEL blanked: an image built FROM a bootstrapped base would inherit it and pass for a base.
    const labels = { ...options.labels, [BASE_LABEL]: '', [`${LABEL_PREFIX}role`]: role, [COMMIT_LABEL]: commit, [`${LABEL_PREFIX}base-image`]: base.image };
    const id = await buildImage({ ...options, role, tag: tags[role], base, labels });
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    log(`${role} image ${tags[role]}: built in ${seconds} s`);
    images[role] = { tag: tags[role], id, built: true, seconds };
  }
  return { baseImage: base, images };
}
