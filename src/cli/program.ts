// The command line (`npm run cli -- …`). Every command takes --json; errors print
// { "error": { code, message } } and exit non-zero. runCli is also called in-process by the tests.
import fs from 'node:fs';
import { Command, CommanderError } from 'commander';
import { loadSettings } from '../config';
import { z } from 'zod';
import { parseBranchesCsv, parsePanelCsv } from '../domain/roster';
import { ballotTokenSchema, branchCodeSchema, cycleRefSchema, dbInt, emailTypedSchema, idempotencyKeySchema, idText, MAX_DB_INT } from '../domain/schemas';
import { ALL_EXPORT_FORMATS, EXPORT_KINDS, type Actor, type BranchEventRequest } from '../engine/index';
import { AppError, fromZod, invalidInput, type FieldIssue } from '../errors';
import { openServices, type Services } from '../services';
import { progressBar } from './progress';

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
  /** Draw a progress bar (only on a terminal, never with --json). */
  tty: boolean;
}

const ROLES = ['office', 'leader', 'secretary', 'evaluator'] as const;

function parseJsonArg(text: string, field: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw invalidInput([{ field, message: `不是合法的 JSON：${(err as Error).message}` }]);
  }
}

function readFile(path: string, field: string): string {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch {
    throw invalidInput([{ field, message: `无法读取文件 ${path}` }]);
  }
}

/**
 * Ids, codes, tokens and emails given on the command line (by option name) or in an event line go
 * through the same schemas as the API's, so nothing the database cannot hold reaches the engine.
 */
const OPTION_SCHEMAS: Record<string, z.ZodType> = {
  cycle: cycleRefSchema,
  branch: branchCodeSchema,
  as: emailTypedSchema,
  email: emailTypedSchema,
  id: idText(),
  token: ballotTokenSchema,
  count: idText(),
  expectedVersion: z.string().regex(/^(0|[1-9][0-9]{0,9})$/, { message: '须为非负整数', abort: true }).refine((v) => Number(v) <= MAX_DB_INT, '须为非负整数'),
  key: idempotencyKeySchema,
};

function checkOptions(opts: Record<string, unknown>): void {
  const issues: FieldIssue[] = [];
  for (const [name, schema] of Object.entries(OPTION_SCHEMAS)) {
    if (opts[name] === undefined) continue;
    const r = schema.safeParse(opts[name]);
    if (!r.success) issues.push(...(fromZod(r.error, name).details as { issues: FieldIssue[] }).issues);
  }
  if (issues.length) throw invalidInput(issues);
}

/** One line of `event send --file`: the same checks, with numbers as JSON gives them. */
const eventLineSchema = z.object({
  cycle: z.union([z.string(), z.number()]).transform(String).pipe(cycleRefSchema),
  branch: z.union([z.string(), z.number()]).transform(String).pipe(branchCodeSchema).optional(),
  as: emailTypedSchema.optional(),
  key: idempotencyKeySchema.optional(),
  expectedVersion: dbInt().min(0).optional(),
});

function checkEventLine(ev: Record<string, unknown>): void {
  const r = eventLineSchema.safeParse(ev);
  if (!r.success) throw fromZod(r.error);
}

function isoArg(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw invalidInput([{ field, message: `不是合法的时间：${value}` }]);
  return new Date(t).toISOString();
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let services: Services | undefined;
  const open = async () => (services ??= await openServices(loadSettings(io.env)));
  let json = false;
  const out = (value: unknown, human: string) => io.stdout(json ? `${JSON.stringify(value)}\n` : `${human}\n`);
  // The office by default (the first user holding the office role). On a new installation the
  // server's console may create the first office user and cycle: the CLI runs on the server, trusted.
  const actorFor = (s: Services, email?: string, bootstrap = false): Promise<Actor> => s.engine.consoleActor(email, bootstrap);

  const program = new Command('shuping')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .option('--json', 'machine-readable output');
  program.hook('preAction', (cmd) => {
    json = Boolean(cmd.optsWithGlobals().json);
  });
  program.hook('preAction', (_cmd, action) => checkOptions(action.opts()));

  program.command('migrate').description('create or update the database schema').option('--json').action(async () => {
    const s = await open();
    const applied = await s.engine.migrate();
    out({ applied }, applied.length ? `已执行迁移：${applied.join(', ')}` : '数据库已是最新');
  });

  const user = program.command('user').description('people');
  user
    .command('add')
    .requiredOption('--email <email>')
    .requiredOption('--role <role>', ROLES.join('|'))
    .requiredOption('--name <name>')
    .option('--password <password>')
    .option('--locale <locale>', 'zh-CN | en')
    .option('--as <email>')
    .option('--json')
    .action(async (o) => {
      if (!ROLES.includes(o.role)) throw invalidInput([{ field: 'role', message: `须为 ${ROLES.join(', ')} 之一` }]);
      const s = await open();
      const { user: u, created } = await s.engine.addUser(
        { email: o.email, name: o.name, roles: [o.role], locale: o.locale, password: o.password },
        await actorFor(s, o.as, true),
      );
      out({ user: { id: u.id, email: u.email, name: u.name, role: o.role, created } }, `${created ? '已创建' : '已更新'}用户 ${u.email}（${o.role}）`);
    });
  user
    .command('unlock')
    .description('forget failed sign-ins for an email, so its owner can sign in at once')
    .requiredOption('--email <email>')
    .option('--as <email>')
    .option('--json')
    .action(async (o) => {
      const s = await open();
      const r = await s.engine.unlockAccount(o.email, await actorFor(s, o.as));
      out(r, `已解锁 ${r.email}`);
    });

  program
    .command('audit')
    .description('the audit trail')
    .command('verify')
    .option('--cycle <cycle>', 'id or year')
    .option('--as <email>')
    .option('--json')
    .action(async (o) => {
      const s = await open();
      const r = await s.engine.verifyAudit(await actorFor(s, o.as, true), o.cycle);
      out(r, `审计记录完整：${r.records} 条`);
    });

  const cycle = program.command('cycle').description('review cycles');
  cycle
    .command('create')
    .requiredOption('--config <file>', 'cycle JSON (as examples/cycle-2020.json)')
    .option('--branches <csv>', 'branches from CSV instead of the JSON')
    .option('--panel <csv>', 'panel from CSV instead of the JSON')
    .option('--as <email>')
    .option('--now <iso>')
    .option('--json')
    .action(async (o) => {
      const config = parseJsonArg(readFile(o.config, 'config'), 'config') as Record<string, unknown>;
      if (o.branches) config.branches = parseBranchesCsv(readFile(o.branches, 'branches'));
      if (o.panel) config.panel = parsePanelCsv(readFile(o.panel, 'panel'));
      const s = await open();
      const { cycle: c, newUsers } = await s.engine.createCycle(config, await actorFor(s, o.as, true), isoArg(o.now, 'now'));
      out({ cycle: { id: c.id, year: c.year, state: c.state }, newUsers }, `已创建述评周期 ${c.year}（id ${c.id}，${c.state}），新用户 ${newUsers} 人`);
    });
  cycle
    .command('launch')
    .requiredOption('--cycle <cycle>', 'id or year')
    .option('--as <email>')
    .option('--now <iso>')
    .option('--json')
    .action(async (o) => {
      const s = await open();
      const bar = io.tty && !json ? progressBar(io.stderr, '创建支部述评') : undefined;
      const { cycle: c, created } = await s.engine.launchCycle(o.cycle, await actorFor(s, o.as), {
        now: isoArg(o.now, 'now'),
        onProgress: bar,
      });
      out({ cycle: { id: c.id, year: c.year, state: c.state }, created }, `已启动述评周期 ${c.year}：新建 ${created} 个支部述评`);
    });
  const printCycles = async () => {
    const s = await open();
    const rows = await s.engine.visibleCycles(await actorFor(s, undefined, true));
    out(
      { cycles: rows.map((c) => ({ id: c.id, year: c.year, title: c.title, state: c.state })) },
      rows.map((c) => `${c.id}\t${c.year}\t${c.state}\t${c.title}`).join('\n') || '还没有述评周期',
    );
  };
  cycle.command('list').option('--json').action(printCycles);

  program
    .command('event')
    .description('branch events')
    .command('send')
    .requiredOption('--cycle <cycle>', 'id or year')
    .option('--branch <code>')
    .option('--type <type>')
    .option('--data <json>')
    .option('--as <email>', 'acting user (the office by default)')
    .option('--expected-version <n>')
    .option('--key <key>', 'Idempotency-Key')
    .option('--file <jsonl>', 'many events, one JSON object a line')
    .option('--now <iso>')
    .option('--json')
    .action(async (o) => {
      const s = await open();
      const now = isoArg(o.now, 'now');
      if (o.file) {
        // Branch events go in batches (one transaction, a savepoint per line); a cycle-wide line or
        // a line that cannot be read is answered on its own, in the file's order.
        const lines = readFile(o.file, 'file').split('\n');
        let ok = 0;
        let failed = 0;
        const report = (n: number, ev: Record<string, unknown> | undefined, res: { state: string; version: number } | AppError) => {
          if (res instanceof AppError) {
            failed++;
            out({ line: n, ...res.toJSON() }, `第 ${n} 行：错误 ${res.code}：${res.message}`);
          } else {
            ok++;
            out({ line: n, ...res }, `第 ${n} 行：${String(ev?.branch ?? '全周期')} ${String(ev?.type)} → ${res.state}（v${res.version}）`);
          }
        };
        const asError = (err: unknown) => (err instanceof AppError ? err : new AppError('BAD_REQUEST', String((err as Error).message)));
        let batch: { n: number; ev: Record<string, unknown>; req: BranchEventRequest }[] = [];
        const flush = async () => {
          if (!batch.length) return;
          const results = await s.engine.sendBranchEvents(batch.map((b) => b.req), now);
          for (const [i, r] of results.entries()) report(batch[i].n, batch[i].ev, r.ok ? r.answer : r.error);
          batch = [];
        };
        for (const [i, line] of lines.entries()) {
          if (!line.trim()) continue;
          const n = i + 1;
          let ev: Record<string, unknown> | undefined;
          try {
            ev = parseJsonArg(line, `line ${n}`) as Record<string, unknown>;
            if (ev.branch !== undefined) {
              batch.push({ n, ev, req: await branchRequest(s, { cycle: o.cycle, ...ev, as: ev.as ?? o.as, now }) });
              if (batch.length >= 500) await flush();
              continue;
            }
            await flush();
            report(n, ev, await sendOne(s, { cycle: o.cycle, ...ev, as: ev.as ?? o.as, now }));
          } catch (err) {
            await flush();
            report(n, ev, asError(err));
          }
        }
        await flush();
        if (!json) io.stdout(`完成：成功 ${ok}，失败 ${failed}\n`);
        return;
      }
      if (!o.type) throw invalidInput([{ field: 'type', message: '缺少 --type' }]);
      const res = await sendOne(s, {
        cycle: o.cycle,
        branch: o.branch,
        type: o.type,
        data: o.data === undefined ? undefined : parseJsonArg(o.data, 'data'),
        as: o.as,
        expectedVersion: o.expectedVersion === undefined ? undefined : Number(o.expectedVersion),
        key: o.key,
        now,
      });
      out(res, `${o.branch ?? '全周期'} ${o.type} → ${res.state}（v${res.version}）；可用事件：${res.allowedEvents.join(', ') || '无'}`);
    });

  const actors = new Map<string, Actor>();
  async function actorOf(s: Services, email: string | undefined): Promise<Actor> {
    const key = email ?? '';
    if (!actors.has(key)) actors.set(key, await actorFor(s, email));
    return actors.get(key)!;
  }

  async function branchRequest(s: Services, ev: Record<string, unknown>): Promise<BranchEventRequest> {
    checkEventLine(ev);
    if (ev.expectedVersion !== undefined && !Number.isInteger(ev.expectedVersion)) {
      throw invalidInput([{ field: 'expectedVersion', message: '须为整数' }]);
    }
    return {
      cycle: ev.cycle as string,
      branch: String(ev.branch),
      type: String(ev.type),
      data: ev.data,
      actor: await actorOf(s, ev.as as string | undefined),
      expectedVersion: ev.expectedVersion as number | undefined,
      idempotencyKey: (ev.key as string | undefined) ?? undefined,
      now: ev.now as string | undefined,
    };
  }

  async function sendOne(s: Services, ev: Record<string, unknown>) {
    checkEventLine(ev);
    if (!ev.branch) {
      if (ev.type !== 'PUBLISH_RESULTS') throw invalidInput([{ field: 'branch', message: `${String(ev.type)} 需要指定支部 (--branch)` }]);
      const { cycle: c } = await s.engine.publishResults(ev.cycle as string, await actorOf(s, ev.as as string | undefined), ev.now as string | undefined);
      return { phase: c.state, state: c.state, version: c.version, allowedEvents: [] as string[] };
    }
    return s.engine.sendBranchEvent(await branchRequest(s, ev));
  }

  program
    .command('tick')
    .description('one pass of the deadline scheduler and the mail dispatcher')
    .option('--now <iso>')
    .option('--json')
    .action(async (o) => {
      const s = await open();
      const r = await s.tick(isoArg(o.now, 'now'));
      out(r, `到期提醒 ${r.timersFired}，新邮件 ${r.mailsQueued}，已发送 ${r.mailsSent}，失败 ${r.mailsFailed}`);
    });

  program
    .command('backup')
    .description('an online, consistent copy of the SQLite database and the uploads, as a directory (README: Deployment)')
    .requiredOption('--out <dir>', 'a new directory: shuping.sqlite, uploads/, manifest.json')
    .option('--json')
    .action(async (o) => {
      const s = await open();
      const r = await s.engine.backup(o.out);
      out(r, `已备份到 ${r.path}：审计 ${r.counts.audit ?? 0} 条，上传文件 ${r.uploads} 个`);
    });
  program
    .command('restore')
    .description('replace the SQLite database and the uploads with a backup (stop the app first)')
    .requiredOption('--from <dir>', 'a directory made by backup')
    .option('--force', 'overwrite a database that is not empty')
    .option('--json')
    .action(async (o) => {
      const s = await open();
      const r = await s.engine.restore(o.from, { force: Boolean(o.force) });
      out(r, `已从 ${r.from} 恢复（备份于 ${r.takenAt}）；请运行 audit verify 核对`);
    });

  program
    .command('status')
    .option('--cycle <cycle>')
    .option('--branch <code>')
    .option('--now <iso>')
    .option('--as <email>')
    .option('--json')
    .action(async (o) => {
      const s = await open();
      const now = isoArg(o.now, 'now') ?? new Date().toISOString();
      if (!o.cycle) return printCycles();
      const actor = await actorFor(s, o.as);
      if (o.branch) {
        const st = await s.engine.branchStatus(o.cycle, o.branch, actor, now);
        const b = st.branch;
        out(st, [`${b.code} ${b.name}：${b.state}（v${b.version}）`, `可用事件：${b.allowedEvents.join(', ') || '无'}`, `逾期：${b.overdue.join(', ') || '无'}`].join('\n'));
        return;
      }
      const st = await s.engine.cycleStatus(o.cycle, actor, now);
      out(
        st,
        [
          `${st.cycle.year} ${st.cycle.title}：${st.cycle.state}`,
          ...Object.entries(st.counts).map(([p, n]) => `  ${p}: ${n}`),
          ...st.branches.map((b) => `${b.code}\t${b.phase}\t${b.overdue.length ? '逾期:' + b.overdue.join(',') : ''}\t${'grade' in b ? `${b.score} ${b.grade} #${b.rank}` : ''}`),
        ].join('\n'),
      );
    });

  // 评分链接: one link per panel member (or one member's), printed with its expiry; older links revoked.
  const panel = program.command('panel').description("the panel's scoring links (评分链接)");
  panel
    .command('links')
    .requiredOption('--cycle <cycle>')
    .option('--email <email>', "one panel member's link only")
    .option('--as <email>')
    .option('--json')
    .action(async (o) => {
      const s = await open();
      const { links } = await s.engine.issuePanelLinks(o.cycle, await actorFor(s, o.as), { email: o.email });
      const printed = links.map(({ email, url, expiresAt }) => ({ email, url, expiresAt }));
      out({ links: printed }, printed.map((l) => `${l.email}\t${l.url}\t${l.expiresAt}`).join('\n'));
    });

  const ballots = program.command('ballots').description('民主测评 ballots');
  ballots
    .command('issue')
    .requiredOption('--cycle <cycle>')
    .requiredOption('--branch <code>')
    .requiredOption('--count <n>')
    .option('--as <email>')
    .option('--json')
    .action(async (o) => {
      const s = await open();
      const res = await s.engine.issueBallots({ cycle: o.cycle, branch: o.branch, count: Number(o.count), actor: await actorFor(s, o.as) });
      out(res, res.ballots.map((b) => b.url).join('\n'));
    });
  program
    .command('ballot')
    .command('cast')
    .requiredOption('--token <token>')
    .requiredOption('--choice <choice>')
    .option('--json')
    .action(async (o) => {
      const s = await open();
      const res = await s.engine.castBallot(o.token, o.choice);
      out(res, '已投票');
    });

  program
    .command('export')
    .description('results / ledger (.xlsx), bulletin / letters (HTML or Word .docx; letters also as a zip of one .docx per branch)')
    .requiredOption('--cycle <cycle>')
    .requiredOption('--kind <kind>', EXPORT_KINDS.join('|'))
    .option('--format <format>', `${ALL_EXPORT_FORMATS.join('|')} (bulletin: html|docx, letters: html|docx|zip; default html)`)
    .requiredOption('--out <path>')
    .option('--as <email>')
    .option('--json')
    .action(async (o) => {
      const s = await open();
      const file = await s.engine.exportDocument(o.cycle, o.kind, await actorFor(s, o.as), o.format);
      const stream = fs.createWriteStream(o.out);
      const closed = new Promise<void>((resolve, reject) => stream.on('close', resolve).on('error', reject));
      await file.write(stream);
      await closed;
      const bytes = fs.statSync(o.out).size;
      out({ file: { path: o.out, bytes, contentType: file.contentType } }, `已导出 ${o.out}（${bytes} 字节）`);
    });

  const mail = program.command('mail').description('the outbox');
  mail
    .command('list')
    .option('--status <status>', 'queued | sent | dead')
    .option('--as <email>')
    .option('--json')
    .action(async (o) => {
      if (o.status !== undefined && !['queued', 'sent', 'dead'].includes(o.status)) throw invalidInput([{ field: 'status', message: '须为 queued、sent 或 dead' }]);
      const s = await open();
      const { mails: rows } = await s.engine.listMail(await actorFor(s, o.as), { status: o.status });
      out(
        { mails: rows.map((m) => ({ id: m.id, to: m.to_email, template: m.template, subject: m.subject, status: m.status, attempts: m.attempts, lastError: m.last_error, messageId: m.message_id })) },
        rows.map((m) => `${m.id}\t${m.status}\t${m.attempts}\t${m.to_email}\t${m.subject}${m.last_error ? `\t${m.last_error}` : ''}`).join('\n'),
      );
    });
  mail
    .command('retry')
    .requiredOption('--id <id>')
    .option('--now <iso>')
    .option('--as <email>')
    .option('--json')
    .action(async (o) => {
      if (!/^[1-9][0-9]{0,8}$/.test(o.id)) throw invalidInput([{ field: 'id', message: '须为正整数' }]);
      const s = await open();
      const r = await s.engine.retryMail(Number(o.id), await actorFor(s, o.as), isoArg(o.now, 'now'));
      out(r, `已重新排队 ${o.id}`);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return 0;
      io.stdout(`${JSON.stringify(new AppError('BAD_REQUEST', err.message).toJSON())}\n`);
      return 2;
    }
    const e = err instanceof AppError ? err : new AppError('INTERNAL', (err as Error).message ?? String(err));
    io.stdout(`${JSON.stringify(e.toJSON())}\n`);
    return 1;
  } finally {
    await services?.close();
  }
}
