import { loadConfig } from '../config.js';
import type { Context, GlobalOptions } from '../context.js';
import { UsageError } from '../errors.js';
import { withInterrupt } from '../util/interrupt.js';
import { bootstrapBaseImage, findExecutable } from '../deploy/bootstrap.js';
import { connectEngine, ensureEngineReachable } from '../deploy/engine.js';
import { BASE_LABEL, bootstrapTag, isSuiteName } from '../deploy/images.js';
import { jsonOutput } from '../util/json-output.js';

export interface ImagesBootstrapOptions extends GlobalOptions {
  suite: string;
  /** Image name; default jobmon-ops/<suite>:base. */
  tag?: string;
  /** Make it again even when the engine has it. */
  force?: boolean;
  /** Docker host whose configured engine gets the image (default: the configured default host, else the local engine). */
  host?: string;
}

/** The image's id and base label, or undefined when the engine has no such image. */
async function inspectImage(docker: import('dockerode'), name: string): Promise<{ id: string; suite?: string } | undefined> {
  try {
    const info = await docker.getImage(name).inspect();
    const suite = info.Config?.Labels?.[BASE_LABEL];
    return { id: info.Id, ...(suite ? { suite } : {}) };
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

/** Checks that debootstrap can run here: root, debootstrap and tar. Each miss is one line with the fix (exit 2). */
async function ensureBootstrapTools(env: NodeJS.ProcessEnv): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new UsageError('images bootstrap needs root (debootstrap does); run it as root, e.g. sudo jobmon-ops images bootstrap');
  }
  if (!(await findExecutable('debootstrap', env))) {
    throw new UsageError('debootstrap is not installed (or not on PATH); run apt-get install debootstrap, then this again');
  }
  if (!(await findExecutable('tar', env))) throw new UsageError('tar is not installed (or not on PATH); run apt-get install tar, then this again');
}

/**
 * Makes an offline base image (debootstrap + import) on the engine, labelled
 * so that deploy builds FROM it when no `--base-image` is given. Idempotent:
 * a labelled image of that name is left alone unless `--force`.
 */
export async function imagesBootstrap(options: ImagesBootstrapOptions, ctx: Context): Promise<number> {
  const { logger } = ctx;
  if (!isSuiteName(options.suite)) throw new UsageError(`--suite ${options.suite} is not a Debian suite name; pass one such as bookworm`);
  const image = options.tag ?? bootstrapTag(options.suite);
  const config = await loadConfig(ctx.env);
  const host = options.host ?? config.defaultHost;
  const { docker, endpoint } = connectEngine({ env: ctx.env, config, ...(host === undefined ? {} : { host }) });
  await ensureEngineReachable(docker, endpoint);
  const report = (id: string, created: boolean, seconds: number) => {
    if (options.json) {
      logger.data(jsonOutput({ image, id, suite: options.suite, created, engine: endpoint.url, seconds }));
    } else if (created) {
      logger.info(`${image} is ready on ${endpoint.url} (${seconds} s); deploy builds FROM it unless --base-image says otherwise`);
    } else {
      logger.info(`${image} (${options.suite}, ${id.slice(7, 19)}) is already on ${endpoint.url}; nothing to do (--force makes it again)`);
    }
    return 0;
  };

  const existing = await inspectImage(docker, image);
  if (existing && !options.force) {
    if (existing.suite === options.suite) return report(existing.id, false, 0);
    throw new UsageError(
      `${image} exists on ${endpoint.url} but is not a ${options.suite} base made by images bootstrap; pass --force to replace it, or choose another --tag`,
    );
  }
  await ensureBootstrapTools(ctx.env);

  const started = Date.now();
  const id = await withInterrupt('interrupted; the temporary rootfs was removed and no image was made', (signal) =>
    bootstrapBaseImage({ docker, suite: options.suite, image, log: (line) => logger.info(line), debug: (line) => logger.debug(line), signal }),
  );
  return report(id, true, Math.round((Date.now() - started) / 1000));
}
