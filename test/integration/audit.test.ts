// The audit: every write route and CLI command leaves its record naming the actor, and the hash
// chain shows a changed, a deleted or an inserted record, naming the first one that breaks it.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { actorByEmail } from '../../src/engine/actors';
import { apiRoutes } from '../../src/web/api';
import { cli } from '../support/cli';
import { driver, exampleConfig, OFFICE, sheet } from '../support/cycle';
import { cliEnv, dialects, makeTestEnv, type TestEnv } from '../support/db';
import { call, fileForm, setPasswords, signIn, startServer, TINY_PDF, type HttpServer, type Session } from '../support/http';

const count = async (env: TestEnv): Promise<number> => Number((await env.services.db('audit').count({ n: '*' }))[0].n);

/** Write routes that change nothing the office keeps: a session is a sign-in, not a record. */
const NOT_AUDITED = new Set(['POST /api/session', 'DELETE /api/session']);

describe.each(dialects)('audit on %s', (dialect) => {
  describe('the hash chain', () => {
    let env: TestEnv;
    const envs: TestEnv[] = [];
    beforeEach(async () => {
      env = await makeTestEnv(dialect);
      envs.push(env);
      const d = driver(env.services);
      await d.create();
      await d.launch('2020-11-20T02:00:00Z');
      await d.secretary('B01', 'ACKNOWLEDGE', undefined, '2020-11-21T02:00:00Z');
      await d.secretary('B02', 'ACKNOWLEDGE', undefined, '2020-11-21T02:00:00Z');
      await d.secretary('B01', 'SUBMIT_MATERIALS', { summary: '述职报告' }, '2020-11-22T02:00:00Z');
      await d.office('B01', 'RETURN_MATERIALS', { reason: '请补充特色做法' }, '2020-11-23T02:00:00Z');
    });
    afterAll(async () => {
      for (const e of envs) await e.cleanup();
    });

    const verify = (...args: string[]) => cli(cliEnv(env), 'audit', 'verify', ...args);
    const middle = async () => (await env.services.db('audit').where({ event_type: 'ACKNOWLEDGE' }).orderBy('id').first('id')).id as number;

    it('passes on an untouched database, counting every record, for all chains and for one cycle', async () => {
      const all = await verify();
      expect(all.code).toBe(0);
      expect(all.out).toEqual({ ok: true, records: await count(env) });
      const one = await verify('--cycle', '2020');
      expect(one.code).toBe(0);
      expect(one.out.records).toBe(Number((await env.services.db('audit').where({ cycle_id: 1 }).count({ n: '*' }))[0].n));
    });

    it('fails on a changed record, naming it', async () => {
      const id = await middle();
      await env.services.db('audit').where({ id }).update({ data: JSON.stringify({ note: '篡改' }) });
      const r = await verify();
      expect(r.code).not.toBe(0);
      expect(r.out.error.code).toBe('AUDIT_TAMPERED');
      expect(r.out.error.details.recordId).toBe(id);
      expect(r.out.error.message).toContain(`#${id}`);
    });

    it('fails on a record whose actor was changed, naming it', async () => {
      const id = await middle();
      await env.services.db('audit').where({ id }).update({ actor: '999' });
      const r = await verify('--cycle', '2020');
      expect(r.out.error.code).toBe('AUDIT_TAMPERED');
      expect(r.out.error.details.recordId).toBe(id);
    });

    it('fails on a deleted record, naming the record after the gap', async () => {
      const id = await middle();
      const next = (await env.services.db('audit').where('id', '>', id).andWhere({ cycle_id: 1 }).orderBy('id').first('id')).id;
      await env.services.db('audit').where({ id }).del();
      const r = await verify();
      expect(r.code).not.toBe(0);
      expect(r.out.error.code).toBe('AUDIT_TAMPERED');
      expect(r.out.error.details.recordId).toBe(next);
    });

    it('fails on a deleted last record', async () => {
      const last = (await env.services.db('audit').where({ cycle_id: 1 }).orderBy('id', 'desc').first('id')).id;
      await env.services.db('audit').where({ id: last }).del();
      const r = await verify('--cycle', '2020');
      expect(r.out.error.code).toBe('AUDIT_TAMPERED');
    });

    it('fails on an inserted record, naming it', async () => {
      const [row] = await env.services.db('audit')
        .insert({ cycle_id: 1, branch_review_id: 1, actor: '1', event_type: 'VETO', data: '{"reason":"补记"}', from_state: 'preparing', to_state: 'preparing', version: 3, at: '2020-11-22T03:00:00.000Z' })
        .returning('id');
      const id = typeof row === 'object' ? row.id : row;
      const r = await verify();
      expect(r.code).not.toBe(0);
      expect(r.out.error.code).toBe('AUDIT_TAMPERED');
      expect(r.out.error.details.recordId).toBe(id);
    });

    it('is the office\'s to run', async () => {
      const r = await verify('--as', 'b01@example.org');
      expect(r.out.error.code).toBe('FORBIDDEN');
    });
  });

  describe('every write route leaves a record naming the actor', () => {
    let env: TestEnv;
    let http: HttpServer;
    const S = {} as Record<string, Session>;
    const covered = new Set<string>();

    beforeAll(async () => {
      env = await makeTestEnv(dialect);
      const d = driver(env.services);
      await d.create();
      await setPasswords(env.services);
      http = await startServer(env.services);
      for (const e of [OFFICE, 'b01@example.org', 'b02@example.org', 'panel1@example.org']) S[e] = await signIn(http.base, e);
    }, 60_000);
    afterAll(async () => {
      await http?.close();
      await env?.cleanup();
    });

    /** Calls a write route as someone and checks it was accepted and audited with that person's name. */
    async function audited(route: string, path: string, as: string | null, body?: unknown, atLeast = 1, exactly = true) {
      const before = await count(env);
      const r = await call(http.base, route.split(' ')[0], path, { session: as ? S[as] : undefined, body });
      expect(r.status, `${route}: ${r.text}`).toBeLessThan(300);
      const added = (await count(env)) - before;
      if (exactly) expect(added, route).toBe(atLeast);
      else expect(added, route).toBeGreaterThanOrEqual(atLeast);
      if (as) {
        const last = await env.services.db('audit').orderBy('id', 'desc').first();
        const actor = await actorByEmail(env.services.db, as);
        expect(last.actor_name, route).toBe(actor.name);
      }
      covered.add(route);
      return r;
    }

    it('covers every route that changes something', async () => {
      const s = env.services;
      const config = { ...exampleConfig(), year: 2031, title: '2031年度述评', democratic: { enabled: true, weightPercent: 30 } };
      await audited('POST /api/cycles', '/api/cycles', OFFICE, config);
      const form = new FormData();
      form.append('config', new Blob([JSON.stringify({ ...exampleConfig(), year: 2032, title: '2032年度述评' })], { type: 'application/json' }), 'cycle.json');
      await audited('POST /api/cycles/import', '/api/cycles/import', OFFICE, form);
      // The draft edited in the wizard, then deleted (marked: its records stay in its chain).
      const edit = new FormData();
      edit.append('configText', JSON.stringify({ ...exampleConfig(), year: 2032, title: '2032年度述评（修改）' }));
      await audited('PUT /api/cycles/:cycle/draft', '/api/cycles/2032/draft', OFFICE, edit);
      await audited('DELETE /api/cycles/:cycle', '/api/cycles/2032', OFFICE);
      await audited('POST /api/cycles/:cycle/launch', '/api/cycles/2031/launch', OFFICE, undefined, 7, false);
      await audited('POST /api/cycles/:cycle/branches/:branch/events', '/api/cycles/2031/branches/B01/events', 'b01@example.org', { type: 'ACKNOWLEDGE' });
      await audited('PUT /api/cycles/:cycle/branches/:branch/deputy', '/api/cycles/2031/branches/B01/deputy', 'b01@example.org', { deputy: { email: 'deputy@example.org', name: '李副书记' } });
      const uploaded = await audited('POST /api/cycles/:cycle/branches/:branch/files', '/api/cycles/2031/branches/B01/files', 'b01@example.org', fileForm('file', '述职报告.pdf', TINY_PDF, 'application/pdf'));
      // Removed to be replaced, and uploaded again.
      await audited('DELETE /api/files/:id', `/api/files/${uploaded.json.file.id}`, 'b01@example.org');
      await call(http.base, 'POST', '/api/cycles/2031/branches/B01/files', { session: S['b01@example.org'], body: fileForm('file', '述职报告.pdf', TINY_PDF, 'application/pdf') });
      await audited('POST /api/cycles/:cycle/branches/:branch/resend-notice', '/api/cycles/2031/branches/B01/resend-notice', OFFICE);
      const issued = await audited('POST /api/cycles/:cycle/branches/:branch/ballots', '/api/cycles/2031/branches/B01/ballots', OFFICE, { count: 2 });
      await audited('POST /api/ballots/:token', `/api/ballots/${issued.json.ballots[0].token}`, null, { choice: '满意' });
      // B02 to the live review, where an evaluator keeps a draft.
      for (const [as, type, data] of [
        ['b02@example.org', 'ACKNOWLEDGE', undefined],
        ['b02@example.org', 'SUBMIT_MATERIALS', { summary: '述职报告' }],
        [OFFICE, 'ACCEPT_MATERIALS', undefined],
        [OFFICE, 'START_PRESENTATION', undefined],
      ] as const) {
        await s.engine.sendBranchEvent({ cycle: 2031, branch: 'B02', type, data, actor: await actorByEmail(s.db, as) });
      }
      await audited('PUT /api/cycles/:cycle/branches/:branch/score-draft', '/api/cycles/2031/branches/B02/score-draft', 'panel1@example.org', { scores: { effectiveness: 25 } });
      // The meeting and the problem list (issue 10): each change its own record.
      await audited('POST /api/cycles/:cycle/meeting', '/api/cycles/2031/meeting', OFFICE, { command: 'select', code: 'B02' });
      await audited('POST /api/cycles/:cycle/meeting/displays', '/api/cycles/2031/meeting/displays', OFFICE);
      await audited('DELETE /api/cycles/:cycle/meeting/displays', '/api/cycles/2031/meeting/displays', OFFICE);
      const problem = await audited('POST /api/cycles/:cycle/branches/:branch/problems', '/api/cycles/2031/branches/B02/problems', OFFICE, { category: '三会一课', text: '三会一课不规范' });
      await audited('DELETE /api/cycles/:cycle/branches/:branch/problems/:id', `/api/cycles/2031/branches/B02/problems/${problem.json.problem.id}`, OFFICE);
      // A scoring link: issued, used for a draft and a score (as its evaluator), revoked.
      const issuedLinks = await audited('POST /api/cycles/:cycle/panel-links', '/api/cycles/2031/panel-links', OFFICE, { email: 'panel2@example.org' });
      const linkToken = new URL(issuedLinks.json.links[0].url).pathname.split('/').pop();
      await audited('PUT /api/panel/:token/branches/:branch/draft', `/api/panel/${linkToken}/branches/B02/draft`, null, { scores: { effectiveness: 20 } });
      await audited('POST /api/panel/:token/branches/:branch/score', `/api/panel/${linkToken}/branches/B02/score`, null, { scores: sheet(88) });
      const panel2 = await actorByEmail(s.db, 'panel2@example.org');
      await audited('DELETE /api/cycles/:cycle/panel-links/:id', `/api/cycles/2031/panel-links/${panel2.id}`, OFFICE);
      await audited('PUT /api/me/locale', '/api/me/locale', 'b02@example.org', { locale: 'en' });
      const mail = await s.db('outbox').orderBy('id').first('id');
      await s.db('outbox').where({ id: mail.id }).update({ status: 'dead' });
      await audited('POST /api/mail/:id/retry', `/api/mail/${mail.id}/retry`, OFFICE);
      await audited('POST /api/users/unlock', '/api/users/unlock', OFFICE, { email: 'b02@example.org' });
      const invitation = await s.db('outbox').where({ to_email: 'deputy@example.org', template: 'invitation' }).first('body_text');
      const token = /\/password\/([A-Za-z0-9_-]+)/.exec(invitation.body_text)![1];
      await audited('POST /api/password/reset', '/api/password/reset', null, { token, password: 'Deputy-Password-1' });
      // A reset request is written down; the mail and its record come with the scheduler's pass.
      const before = await count(env);
      expect((await call(http.base, 'POST', '/api/password/forgot', { body: { email: 'b01@example.org' } })).status).toBe(202);
      await s.engine.processResetRequests();
      expect((await count(env)) - before).toBe(1);
      covered.add('POST /api/password/forgot');
      // A batch: the refused line leaves no record, the applied one its own.
      await audited('POST /api/cycles/:cycle/events/batch', '/api/cycles/2031/events/batch', OFFICE, {
        events: [{ branch: 'B03', type: 'EXEMPT', data: { reason: '撤并' } }, { branch: 'B03', type: 'ACKNOWLEDGE' }],
      });
      // Publication: the other branches exempted, B02 scored.
      for (const code of ['B01', 'B04', 'B05', 'B06']) {
        await s.engine.sendBranchEvent({ cycle: 2031, branch: code, type: 'EXEMPT', data: { reason: '撤并' }, actor: await actorByEmail(s.db, OFFICE) });
      }
      await s.engine.sendBranchEvent({ cycle: 2031, branch: 'B02', type: 'END_PRESENTATION', actor: await actorByEmail(s.db, OFFICE) });
      for (const e of ['panel1', 'panel2', 'panel3', 'panel4', 'b06']) {
        await s.engine.sendBranchEvent({ cycle: 2031, branch: 'B02', type: 'SUBMIT_SCORE', data: { scores: sheet(88), comment: '' }, actor: await actorByEmail(s.db, `${e}@example.org`) });
      }
      await audited('POST /api/cycles/:cycle/events', '/api/cycles/2031/events', OFFICE, { type: 'PUBLISH_RESULTS' }, 2, false);

      // The users page: invite, roles, a new link, deactivate and reactivate, each its own record.
      await audited('POST /api/users', '/api/users', OFFICE, { email: 'new.person@example.org', name: '新同志', roles: ['leader'] });
      const newcomer = (await s.db('users').where({ email: 'new.person@example.org' }).first('id')).id as number;
      await audited('PUT /api/users/:id/roles', `/api/users/${newcomer}/roles`, OFFICE, { roles: [] });
      await audited('POST /api/users/:id/invitation', `/api/users/${newcomer}/invitation`, OFFICE);
      await audited('POST /api/users/:id/deactivate', `/api/users/${newcomer}/deactivate`, OFFICE);
      await audited('POST /api/users/:id/reactivate', `/api/users/${newcomer}/reactivate`, OFFICE);
      // First run needs an empty database: its SETUP record is checked in setupAndUsers.test.ts.
      covered.add('POST /api/setup');
      const writes = apiRoutes.filter((r) => r.method !== 'get').map((r) => `${r.method.toUpperCase()} ${r.path}`);
      expect(writes.filter((w) => !covered.has(w) && !NOT_AUDITED.has(w))).toEqual([]);
      // And the chain of all that is whole.
      expect(await s.engine.verifyAudit(await actorByEmail(s.db, OFFICE))).toEqual({ ok: true, records: await count(env) });
    }, 120_000);
  });

  describe('every CLI command that changes something leaves a record', () => {
    let env: TestEnv;
    beforeAll(async () => {
      env = await makeTestEnv(dialect);
    });
    afterAll(async () => env?.cleanup());

    it('user add, cycle create and launch, event send, ballots, mail retry, user unlock, tick', async () => {
      const e = cliEnv(env);
      const step = async (args: string[], atLeast = 1) => {
        const before = await count(env);
        const r = await cli(e, ...args);
        expect(r.code, `${args.join(' ')}: ${r.raw}`).toBe(0);
        expect((await count(env)) - before, args.slice(0, 2).join(' ')).toBeGreaterThanOrEqual(atLeast);
        return r;
      };
      await step(['user', 'add', '--email', OFFICE, '--role', 'office', '--name', '党委办公室', '--password', 'Office-Password-1']);
      const fs = await import('node:fs');
      const configPath = `${env.dataDir}/cycle.json`;
      fs.writeFileSync(configPath, JSON.stringify({ ...exampleConfig(), democratic: { enabled: true, weightPercent: 30 } }));
      await step(['cycle', 'create', '--config', configPath]);
      await step(['cycle', 'launch', '--cycle', '2020', '--now', '2020-11-20T02:00:00Z'], 7);
      await step(['event', 'send', '--cycle', '2020', '--branch', 'B01', '--type', 'ACKNOWLEDGE', '--as', 'b01@example.org', '--now', '2020-11-21T02:00:00Z']);
      const ballots = await step(['ballots', 'issue', '--cycle', '2020', '--branch', 'B02', '--count', '1']);
      await step(['ballot', 'cast', '--token', ballots.out.ballots[0].token, '--choice', '基本满意']);
      const mail = await env.services.db('outbox').orderBy('id').first('id');
      await env.services.db('outbox').where({ id: mail.id }).update({ status: 'dead' });
      await step(['mail', 'retry', '--id', String(mail.id)]);
      await step(['user', 'unlock', '--email', 'b01@example.org']);
      // Reminders due three days before the materials deadline fire as audited DEADLINE_DUE events.
      await step(['tick', '--now', '2020-12-02T02:00:00Z']);
      const v = await cli(e, 'audit', 'verify');
      expect(v.out).toEqual({ ok: true, records: await count(env) });
    }, 120_000);
  });
});
