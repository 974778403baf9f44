import { execFile } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { summarise } from '../lib/stats';
import type { BenchContext } from '../lib/context';

export const CEILING = 'machine ceiling';
const CLIENTS = 10;
const ROWS = 100_000;
const exec = promisify(execFile);

async function hasPgbench(): Promise<boolean> {
  return exec('pgbench', ['--version']).then(
    () => true,
    () => false,
  );
}

/** pgbench: one single-row UPDATE per transaction, 10 clients, the server's durable settings. */
async function viaPgbench(url: string, seconds: number): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), 'steady-pgbench-'));
  const script = path.join(dir, 'update.sql');
  writeFileSync(script, `\\set id random(1, ${ROWS})\nupdate ceiling set n = n + 1 where id = :id;\n`);
  try {
    const { stdout } = await exec('pgbench', [
      '-n',
      '-c',
      String(CLIENTS),
      '-j',
      '2',
      '-T',
      String(seconds),
      '-f',
      script,
      url,
    ]);
    const tps = /tps = ([\d.]+)/.exec(stdout);
    if (!tps) throw new Error(`unexpected pgbench output: ${stdout}`);
    return Number(tps[1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The same with 10 connections from Node, for machines without pgbench. */
async function viaLoop(url: string, seconds: number): Promise<number> {
  const sql = postgres(url, { max: CLIENTS, onnotice: () => {} });
  const end = Date.now() + seconds * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (Date.now() < end) {
        await sql`update ceiling set n = n + 1 where id = ${1 + Math.floor(Math.random() * ROWS)}`;
        n++;
      }
    }),
  );
  await sql.end();
  return n / seconds;
}

export async function runCeiling(ctx: BenchContext): Promise<void> {
  const { config, results, log, server } = ctx;
  const url = await server.freshDatabase('bench_ceiling');
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  await sql.unsafe(`create table ceiling (id int primary key, n int not null default 0)`);
  await sql.unsafe(`insert into ceiling (id) select generate_series(1, ${ROWS})`);
  await sql.unsafe('vacuum analyze ceiling');
  await sql.end();
  const tool = (await hasPgbench()) ? 'pgbench' : 'Node loop';
  const samples: number[] = [];
  for (let round = 0; round < config.rounds; round++) {
    samples.push(
      tool === 'pgbench' ? await viaPgbench(url, config.ceilingSeconds) : await viaLoop(url, config.ceilingSeconds),
    );
  }
  results.add({
    scenario: CEILING,
    label: `single-row UPDATE commits/s`,
    unit: 'tx/s',
    better: 'higher',
    summary: summarise(samples),
    note: `${CLIENTS} clients, ${tool}, ${config.ceilingSeconds} s`,
  });
  log(`machine ceiling (${tool}): ${samples.map((s) => Math.round(s)).join(' / ')} commits/s`);
  await server.dropDatabase('bench_ceiling');
}
