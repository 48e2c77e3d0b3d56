import type { SlackSettings } from './prompts.js';
import type { DeployPlan } from './plan-types.js';
import { DB_ACCOUNTS, DB_NAME, type DbSecrets } from './containers.js';
import { accountsOf, type DeploymentRecord } from './record.js';
import type { Logger } from '../logger.js';
import { releaseJsonOfRecord } from '../registry/release-json.js';
import { jsonOutput } from '../util/json-output.js';

export interface RecordInput {
  plan: DeployPlan;
  engine: string;
  clientAddress: string;
  secrets: DbSecrets;
  slack: SlackSettings;
  checkout: string;
  passwordsFrom?: string;
}

/** The `pending` record of a deploy, written before any resource exists. */
export function pendingRecord({ plan, engine, clientAddress, secrets, slack, checkout, passwordsFrom }: RecordInput): DeploymentRecord {
  const ports = plan.steps.flatMap((s) => (s.kind === 'container' ? s.container.ports : []));
  return {
    format: 1,
    status: 'pending',
    release: plan.release.tag,
    label: plan.release.label,
    version: plan.release.version,
    tag: plan.release.tag,
    commit: plan.commit,
    host: plan.release.host,
    engine,
    clientAddress,
    project: plan.release.project,
    bindAddress: plan.bindAddress,
    ports: ports.map(({ name, hostIp, hostPort, containerPort }) => ({ name, hostIp, hostPort, containerPort })),
    images: plan.images,
    network: plan.network,
    volume: plan.volume,
    containers: { db: plan.containers.db, jobmon: plan.containers.jobmon, monitor: plan.containers.monitor },
    database: { name: DB_NAME, accounts: accountsOf(secrets) },
    ...(passwordsFrom ? { passwordsFrom } : {}),
    slack: { token: slack.token ? 'set' : 'none', wfChannel: slack.wfChannel, nodeChannel: slack.nodeChannel },
    deployUser: plan.deployedBy,
    deployedAt: plan.deployedAt,
    redeploy: plan.redeploy,
    checkout,
  };
}

/** The accounts that log in through the published DB port; the privileged ones may not (src/server/db/privileged-hosts.ts). */
const REMOTE_ACCOUNTS = [DB_ACCOUNTS.serviceUser, DB_ACCOUNTS.readOnly];

/**
 * What the operator reads at the end: where the service and the database
 * answer, per account, and where the passwords are. No password is printed.
 */
export function formatSummary(record: DeploymentRecord, file: string, seconds: number): string {
  const host = record.clientAddress;
  const db = record.ports.find((p) => p.name === 'db');
  const service = record.ports.filter((p) => p.name !== 'db');
  const width = Math.max(...Object.values(DB_ACCOUNTS).map((a) => a.length));
  const lines = [
    `deployed ${record.tag} (${record.label}) on ${record.host} in ${seconds.toFixed(1)} s: compose project ${record.project}, commit ${record.commit.slice(0, 12)}`,
    ...service.map((p) => `  service   http://${host}:${p.hostPort}/ (${p.name})`),
    ...(db ? [`  database  ${host}:${db.hostPort}, database ${record.database.name}`] : []),
    ...(db ? REMOTE_ACCOUNTS.map((a) => `    ${a.padEnd(width)}  mysql://${a}@${host}:${db.hostPort}/${record.database.name}`) : []),
    // root and table_creator log in only from inside the DB container (docs/deploy.md): no URL would work.
    ...(db ? ['    (root and table_creator log in only inside the DB container; jobmon-ops restore and dump --in-container use them there)'] : []),
    `  slack     ${record.slack.token === 'set' ? 'on' : 'off (no token)'}; lost runs to #${record.slack.wfChannel}, failing nodes to #${record.slack.nodeChannel}`,
    `  record    ${file} (mode 0600; it holds the passwords)`,
    // Not `docker compose -p ... logs`: Debian's docker.io ships no compose plugin.
    `  logs      jobmon-ops logs ${record.tag}`,
  ];
  return lines.join('\n');
}

/**
 * `deploy --json`: the summary's public facts for a script (docs/json.md).
 * Account names and URLs without passwords; those stay in the record file.
 */
export function summaryToJson(record: DeploymentRecord, file: string, seconds: number): string {
  const host = record.clientAddress;
  const db = record.ports.find((p) => p.name === 'db');
  return jsonOutput({
    release: releaseJsonOfRecord(record),
    commit: record.commit,
    engine: record.engine,
    clientAddress: host,
    services: record.ports.filter((p) => p.name !== 'db').map((p) => ({ name: p.name, port: p.hostPort, url: `http://${host}:${p.hostPort}/` })),
    database: db
      ? { name: record.database.name, address: `${host}:${db.hostPort}`, port: db.hostPort, accounts: REMOTE_ACCOUNTS.map((user) => ({ user, url: `mysql://${user}@${host}:${db.hostPort}/${record.database.name}` })) }
      : null,
    record: file,
    seconds: Number(seconds.toFixed(3)),
  });
}

/** The end of a real deploy: with --json the summary is the one thing on stdout; else the prose for a person. */
export function printSummary(logger: Logger, json: boolean | undefined, record: DeploymentRecord, file: string, seconds: number): void {
  if (json) logger.data(summaryToJson(record, file, seconds));
  else logger.info(formatSummary(record, file, seconds));
}
