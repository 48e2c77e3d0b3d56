import { loadConfig } from '../config.js';
import type { Context, GlobalOptions } from '../context.js';
import { connectEngine, ensureEngineReachable } from '../deploy/engine.js';
import { COMMIT_LABEL, NODE_LABEL, type ImageSummary } from '../deploy/images.js';
import { formatBytes } from '../dump/format.js';
import { jsonOutput } from '../util/json-output.js';

export interface ImagesListOptions extends GlobalOptions {
  /** Docker host whose configured engine is listed (default: the configured default host, else the local engine). */
  host?: string;
}

/** The repositories deploy tags release images in (imageTags). */
const REPOS = ['jobmon-server', 'jobmon-mariadb'];

export interface ImageRow {
  image: string;
  id: string;
  commit: string | null;
  /** The Node a server image carries; null for the DB image and for server images older than the label. */
  node: string | null;
  created: string;
  size: number;
}

/** One row per release tag, newest first; tags of other repositories on the same image are left out. */
export function imageRows(images: readonly (ImageSummary & { Id: string; Size: number })[]): ImageRow[] {
  const rows = images.flatMap((i) =>
    (i.RepoTags ?? [])
      .filter((tag) => REPOS.includes(tag.slice(0, tag.lastIndexOf(':'))))
      .map((tag) => ({
        image: tag,
        id: i.Id.replace(/^sha256:/, '').slice(0, 12),
        commit: i.Labels?.[COMMIT_LABEL] || null,
        node: (tag.startsWith('jobmon-server:') && i.Labels?.[NODE_LABEL]) || null,
        created: new Date(i.Created * 1000).toISOString(),
        size: i.Size,
      })),
  );
  return rows.sort((a, b) => b.created.localeCompare(a.created) || a.image.localeCompare(b.image));
}

/** The rows as a table with a header, columns padded to their widest cell. */
export function imageTable(rows: readonly ImageRow[]): string {
  const cells = [
    ['IMAGE', 'COMMIT', 'NODE', 'CREATED', 'SIZE'],
    ...rows.map((r) => [r.image, r.commit?.slice(0, 12) ?? '-', r.node ?? '-', r.created.replace('T', ' ').slice(0, 19), formatBytes(r.size)]),
  ];
  const widths = cells[0]!.map((_, c) => Math.max(...cells.map((row) => row[c]!.length)));
  return cells.map((row) => row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ')).join('\n');
}

/** Lists the release images on the engine: tag, commit, the server's Node, created, size. */
export async function imagesList(options: ImagesListOptions, ctx: Context): Promise<number> {
  const config = await loadConfig(ctx.env);
  const host = options.host ?? config.defaultHost;
  const { docker, endpoint } = connectEngine({ env: ctx.env, config, ...(host === undefined ? {} : { host }) });
  await ensureEngineReachable(docker, endpoint);
  const images = await docker.listImages({ filters: JSON.stringify({ reference: REPOS }) } as import('dockerode').ListImagesOptions);
  const rows = imageRows(images);
  if (options.json) {
    // An object, not the bare array: every --json output carries schemaVersion (docs/json.md).
    ctx.logger.data(jsonOutput({ images: rows }));
  } else if (rows.length === 0) {
    ctx.logger.info(`no jobmon-server or jobmon-mariadb images on ${endpoint.url}; deploy builds them`);
  } else {
    ctx.logger.data(imageTable(rows));
  }
  return 0;
}
