import { ConfigError, readDbEnv, readWebEnv } from './config.js';
import { Secret } from './secret.js';

const USAGE = 'usage: jobmon-server <initdb|web|monitor>';

/** JOBMON_PASS_<ACCOUNT> for each account initdb manages; an unset variable skips that account. */
function accountPasswords(env: NodeJS.ProcessEnv) {
  const read = (name: string) => (env[name] ? new Secret(env[name]!) : undefined);
  return {
    tableCreator: read('JOBMON_PASS_TABLE_CREATOR'),
    serviceUser: read('JOBMON_PASS_SERVICE_USER'),
    readOnly: read('JOBMON_PASS_READ_ONLY'),
  };
}

async function initdb(env: NodeJS.ProcessEnv): Promise<number> {
  const { runInitdb } = await import('./db/initdb.js');
  const db = readDbEnv(env);
  await runInitdb(db, accountPasswords(env), (line) => process.stdout.write(`${line}\n`));
  return 0;
}

async function web(env: NodeJS.ProcessEnv): Promise<number> {
  const settings = readWebEnv(env);
  const { startWeb } = await import('./web.js');
  await startWeb(settings);
  return 0;
}

async function monitor(env: NodeJS.ProcessEnv): Promise<number> {
  const { startMonitor } = await import('./monitor/index.js');
  await startMonitor(env);
  return 0;
}

/** Entry point of the `jobmon-server` bin: one line on bad configuration, exit 2. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [command, ...rest] = argv;
  if (rest.length > 0 || command === undefined) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  try {
    if (command === 'initdb') return await initdb(env);
    if (command === 'web') return await web(env);
    if (command === 'monitor') return await monitor(env);
    if (command === '--help' || command === '-h') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    process.stderr.write(`unknown command "${command}"; ${USAGE}\n`);
    return 2;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`jobmon-server ${command}: ${error.message}\n`);
      return 2;
    }
    // Never echo a connection string or password: the message of a driver error is enough.
    process.stderr.write(`jobmon-server ${command}: ${(error as Error).message}\n`);
    return 1;
  }
}
