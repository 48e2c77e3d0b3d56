import { SEEDS_V1, type Statement } from './seed-v1.js';

/**
 * Migration 1: the Jobmon 0.8 schema (spec §4), table for table and column for
 * column, so a 0.8 database and ours are interchangeable. As in the original,
 * defaults live in the application, not in the DDL. Every statement is
 * idempotent (IF NOT EXISTS, INSERT IGNORE) because MySQL DDL commits on its
 * own: a run that died halfway is finished by the next one.
 */

const TABLE_OPTIONS = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';

const STATUS_TABLES = ['job_status', 'job_instance_status', 'workflow_status', 'workflow_run_status'];
const ATTRIBUTE_TYPE_TABLES = ['workflow_attribute_type', 'workflow_run_attribute_type', 'job_attribute_type'];

const TABLES: string[] = [
  ...STATUS_TABLES.map((name) => `CREATE TABLE IF NOT EXISTS ${name} (
  id VARCHAR(1) NOT NULL,
  label VARCHAR(150) NOT NULL,
  PRIMARY KEY (id)
)`),
  ...ATTRIBUTE_TYPE_TABLES.map((name) => `CREATE TABLE IF NOT EXISTS ${name} (
  id INT NOT NULL AUTO_INCREMENT,
  name VARCHAR(255),
  type VARCHAR(255),
  PRIMARY KEY (id)
)`),
  `CREATE TABLE IF NOT EXISTS task_dag (
  dag_id INT NOT NULL AUTO_INCREMENT,
  dag_hash VARCHAR(150),
  name VARCHAR(150),
  \`user\` VARCHAR(150),
  heartbeat_date DATETIME,
  created_date DATETIME,
  PRIMARY KEY (dag_id)
)`,
  `CREATE TABLE IF NOT EXISTS workflow (
  id INT NOT NULL AUTO_INCREMENT,
  dag_id INT,
  workflow_args TEXT,
  workflow_hash TEXT,
  description TEXT,
  name VARCHAR(150),
  \`user\` VARCHAR(150),
  created_date DATETIME,
  status_date DATETIME,
  status VARCHAR(1) NOT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (dag_id) REFERENCES task_dag (dag_id),
  FOREIGN KEY (status) REFERENCES workflow_status (id)
)`,
  `CREATE TABLE IF NOT EXISTS workflow_run (
  id INT NOT NULL AUTO_INCREMENT,
  workflow_id INT,
  \`user\` VARCHAR(150),
  hostname VARCHAR(150),
  pid INT,
  stderr VARCHAR(1000),
  stdout VARCHAR(1000),
  project VARCHAR(150),
  working_dir VARCHAR(1000),
  slack_channel VARCHAR(150),
  executor_class VARCHAR(150),
  created_date DATETIME,
  status_date DATETIME,
  status VARCHAR(1) NOT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (workflow_id) REFERENCES workflow (id),
  FOREIGN KEY (status) REFERENCES workflow_run_status (id)
)`,
  `CREATE TABLE IF NOT EXISTS job (
  job_id INT NOT NULL AUTO_INCREMENT,
  dag_id INT,
  job_hash VARCHAR(255) NOT NULL,
  name VARCHAR(255),
  tag VARCHAR(255),
  command TEXT,
  context_args VARCHAR(1000),
  queue VARCHAR(255),
  slots INT,
  mem_free VARCHAR(255),
  num_cores INT,
  j_resource BOOL,
  max_runtime_seconds INT,
  num_attempts INT,
  max_attempts INT,
  status VARCHAR(1) NOT NULL,
  submitted_date DATETIME,
  status_date DATETIME,
  PRIMARY KEY (job_id),
  INDEX ix_job_status_date (status_date),
  INDEX ix_dag_id_status_date (dag_id, status_date),
  FOREIGN KEY (dag_id) REFERENCES task_dag (dag_id),
  FOREIGN KEY (status) REFERENCES job_status (id)
)`,
  // workflow_run_id has no FK in the original either; executor_id is not
  // unique because SGE reuses ids.
  `CREATE TABLE IF NOT EXISTS job_instance (
  job_instance_id INT NOT NULL AUTO_INCREMENT,
  workflow_run_id INT,
  executor_type VARCHAR(50),
  executor_id INT,
  job_id INT NOT NULL,
  dag_id INT NOT NULL,
  usage_str VARCHAR(250),
  nodename VARCHAR(50),
  process_group_id INT,
  wallclock VARCHAR(50),
  maxrss VARCHAR(50),
  cpu VARCHAR(50),
  io VARCHAR(50),
  status VARCHAR(1) NOT NULL,
  submitted_date DATETIME,
  status_date DATETIME,
  PRIMARY KEY (job_instance_id),
  INDEX ix_job_instance_executor_id (executor_id),
  INDEX ix_job_instance_dag_id (dag_id),
  FOREIGN KEY (job_id) REFERENCES job (job_id),
  FOREIGN KEY (dag_id) REFERENCES task_dag (dag_id),
  FOREIGN KEY (status) REFERENCES job_instance_status (id)
)`,
  `CREATE TABLE IF NOT EXISTS job_instance_error_log (
  id INT NOT NULL AUTO_INCREMENT,
  job_instance_id INT NOT NULL,
  error_time DATETIME,
  description TEXT,
  PRIMARY KEY (id),
  FOREIGN KEY (job_instance_id) REFERENCES job_instance (job_instance_id)
)`,
  ...(
    [
      ['job_attribute', 'job_id', 'job (job_id)', 'job_attribute_type'],
      ['workflow_attribute', 'workflow_id', 'workflow (id)', 'workflow_attribute_type'],
      ['workflow_run_attribute', 'workflow_run_id', 'workflow_run (id)', 'workflow_run_attribute_type'],
    ] as const
  ).map(([name, owner, ownerRef, typeTable]) => `CREATE TABLE IF NOT EXISTS ${name} (
  id INT NOT NULL AUTO_INCREMENT,
  ${owner} INT,
  attribute_type INT,
  value VARCHAR(255),
  PRIMARY KEY (id),
  FOREIGN KEY (${owner}) REFERENCES ${ownerRef},
  FOREIGN KEY (attribute_type) REFERENCES ${typeTable} (id)
)`),
].map((ddl) => `${ddl} ${TABLE_OPTIONS}`);

/** The 16 Jobmon tables, in creation order (parents first). */
export const JOBMON_TABLES: readonly string[] = TABLES.map((ddl) => /IF NOT EXISTS (\w+)/.exec(ddl)?.[1] ?? '');

/** Every statement of migration 1, in order. */
export const SCHEMA_V1: readonly Statement[] = [...TABLES.map((ddl): Statement => [ddl]), ...SEEDS_V1];
