import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import {
  containerDumpCommand, containerStopCommand, CONTAINER_DUMP_SCRIPT, defaultDumpName, dumpArgs, loadArgs, optionFileText, optionValue,
} from '../../src/dump/argv.js';
import { Secret } from '../../src/server/secret.js';
import { makeTempDir } from '../helpers/cli.js';

const login = (password: string) => ({ user: 'read_only', password: new Secret(password), host: '10.1.2.3', port: 3870 });
const FLAGS = ['--single-transaction', '--quick', '--routines', '--triggers', '--no-tablespaces', '--hex-blob', '--default-character-set=utf8mb4'];

describe('argv builders', () => {
  it('a dump: the option file first, then the fixed flags, no --events, no secret', () => {
    expect(dumpArgs('/tmp/x/client.cnf', 'docker')).toEqual(['--defaults-file=/tmp/x/client.cnf', ...FLAGS, '--databases', 'docker']);
  });

  it('a load: the option file first, utf8mb4', () => {
    expect(loadArgs('/tmp/x/client.cnf')).toEqual(['--defaults-file=/tmp/x/client.cnf', '--default-character-set=utf8mb4']);
  });

  it('names dumps as the old hand-made ones', () => {
    expect(defaultDumpName(3305, false)).toBe('dbs_3305_dump.sql');
    expect(defaultDumpName(3870, true)).toBe('dbs_3870_dump.sql.gz');
  });

  it('the in-container dump: the login goes on stdin, its size and the flags on the command line', () => {
    expect(containerDumpCommand('/tmp/jobmon-ops-dump-ab', 97, 'docker')).toEqual([
      'sh', '-c', CONTAINER_DUMP_SCRIPT, 'jobmon-ops-dump', '/tmp/jobmon-ops-dump-ab', '97', ...FLAGS, '--databases', 'docker',
    ]);
    expect(containerStopCommand('/tmp/jobmon-ops-dump-ab')).toEqual(['sh', '-c', expect.stringContaining('kill -TERM'), 'jobmon-ops-dump-stop', '/tmp/jobmon-ops-dump-ab']);
  });
});

describe('option files', () => {
  it('quotes every value and escapes what the parser unescapes', () => {
    expect(optionValue('plain')).toBe('"plain"');
    expect(optionValue('a"b\\c#d;e')).toBe('"a\\"b\\\\c#d;e"');
    expect(optionValue('l1\nl2\tt\r')).toBe('"l1\\nl2\\tt\\r"');
  });

  it('is a [client] group with TCP to the address and port', () => {
    expect(optionFileText(login('pw'))).toBe('[client]\nuser="read_only"\npassword="pw"\nhost="10.1.2.3"\nport=3870\nprotocol=TCP\n');
  });

  it.each([`it's "quoted" \\ back # not; a comment $HOME`, 'ünïcödé 😀 pässwörd', '-starts-with-dash', ' spaces around ', `'single'`])(
    'the MariaDB option parser reads %j back exactly',
    async (password) => {
      const temp = await makeTempDir();
      try {
        const file = path.join(temp.dir, 'client.cnf');
        await writeFile(file, optionFileText(login(password)), { mode: 0o600 });
        const { stdout } = await execa('my_print_defaults', [`--defaults-file=${file}`, 'client']);
        expect(stdout.split('\n')).toEqual(['--user=read_only', `--password=${password}`, '--host=10.1.2.3', '--port=3870', '--protocol=TCP']);
      } finally {
        await temp.cleanup();
      }
    },
  );
});
