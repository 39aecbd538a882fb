// The one policy: who may do what to which target, and what each viewer may read. Routes, pages,
// CLI commands, read models and exports ask here; nothing else decides access.
import { BRANCH_EVENT_ROLES, eventLabel, isFinalPhase, roleLabel, scoringOpen, type AnyBranchEventType, type BranchEventType, type BranchReviewContext, type Role } from '../../workflows/index';

/** Who may send each branch event, of every kind's machine (the statecharts' EVENT_META). */
const EVENT_ROLES = BRANCH_EVENT_ROLES;
import { AppError } from '../errors';
import { actorKey, type Actor } from './actors';

/** How an actor stands towards one branch review. */
export interface Standing {
  office: boolean;
  leader: boolean;
  /** the branch's own secretary */
  secretary: boolean;
  /** the secretary's named deputy (委托) */
  deputy: boolean;
  /** acts for the branch, as its secretary or deputy */
  actsFor: boolean;
  /** an expected evaluator who does not act for the branch (回避 applied) */
  evaluator: boolean;
  system: boolean;
}

export interface BranchFacts {
  secretary_id: number;
  deputy_id: number | null;
}

export function standingOn(actor: Actor, branch: BranchFacts, ctx: Pick<BranchReviewContext, 'expectedEvaluators'>): Standing {
  const secretary = actor.id !== null && branch.secretary_id === actor.id;
  const deputy = actor.id !== null && branch.deputy_id === actor.id;
  const actsFor = secretary || deputy;
  return {
    office: actor.roles.includes('office'),
    leader: actor.roles.includes('leader'),
    secretary,
    deputy,
    actsFor,
    // 回避: whoever acts for a branch never scores it, however they came to act for it.
    evaluator: !actsFor && actor.id !== null && ctx.expectedEvaluators.includes(actorKey(actor)),
    system: actor.id === null,
  };
}

/** The roles of the statechart's EVENT_ROLES that a standing gives. */
export function rolesOf(st: Standing): Set<Role> {
  const roles = new Set<Role>();
  if (st.office) roles.add('office');
  if (st.leader) roles.add('leader');
  if (st.actsFor) roles.add('secretary');
  if (st.evaluator) roles.add('evaluator');
  if (st.system) roles.add('system');
  return roles;
}

/** The capacity an actor acted in, for the audit and the history. */
export function capacityOf(st: Standing, type: string): string {
  const needed = EVENT_ROLES[type as AnyBranchEventType] ?? [];
  if (st.system) return 'system';
  if (st.office && (needed.includes('office') || !needed.length)) return 'office';
  if (st.actsFor && needed.includes('secretary')) return st.deputy ? 'deputy' : 'secretary';
  if (st.evaluator && needed.includes('evaluator')) return 'evaluator';
  if (st.actsFor) return st.deputy ? 'deputy' : 'secretary';
  return st.office ? 'office' : st.leader ? 'leader' : 'user';
}

const forbidden = (message: string) => new AppError('FORBIDDEN', message);

// ── branch events ────────────────────────────────────────────────────────────

export function authorizeEvent(st: Standing, type: AnyBranchEventType): void {
  const allowed = EVENT_ROLES[type];
  const held = rolesOf(st);
  if (allowed.some((r) => held.has(r))) return;
  if (type === 'SUBMIT_SCORE' && st.actsFor) {
    throw forbidden('您代表该支部履职（书记或受托人），按回避规定不能为其评分 (conflict of interest)');
  }
  if (type === 'SUBMIT_SCORE') {
    throw forbidden('您与该支部存在回避关系或不在考评组，不能为其评分 (conflict of interest: not an expected evaluator)');
  }
  const zh = allowed.map((r) => roleLabel(r, 'zh-CN')).join('或');
  const en = allowed.map((r) => roleLabel(r, 'en')).join(' or ');
  throw forbidden(`无权办理「${eventLabel(type, 'zh-CN')}」：需要${zh}身份 (not allowed: needs ${en})`);
}

/** Branch events the viewer could send now, of those the state allows. */
export const eventsFor = (st: Standing, allowed: string[]): string[] => {
  const held = rolesOf(st);
  return allowed.filter((e) => EVENT_ROLES[e as AnyBranchEventType]?.some((r) => held.has(r)));
};

// ── other actions ────────────────────────────────────────────────────────────

/** Actions on the whole system or a cycle, by global role. */
export const GLOBAL_ACTIONS = {
  CREATE_CYCLE: ['office'],
  LAUNCH: ['office'],
  PUBLISH_RESULTS: ['office'],
  VIEW_CYCLE: ['office', 'leader'],
  EXPORT: ['office', 'leader'],
  MANAGE_USERS: ['office'],
  MAIL_ADMIN: ['office'],
  ISSUE_BALLOTS: ['office'],
  RESEND_NOTICE: ['office'],
  AUDIT_VERIFY: ['office'],
  UNLOCK_ACCOUNT: ['office'],
  // the meeting day and problems followed to closure (issue 10)
  RUN_MEETING: ['office'],
  MANAGE_PROBLEMS: ['office'],
  CHECK_EVIDENCE: ['office'],
  ISSUE_PANEL_LINKS: ['office'],
} as const satisfies Record<string, readonly string[]>;
export type GlobalAction = keyof typeof GLOBAL_ACTIONS;

const GLOBAL_MESSAGES: Record<GlobalAction, string> = {
  CREATE_CYCLE: '只有党委办公室可以创建述评周期 (office only)',
  LAUNCH: '只有党委办公室可以启动述评周期 (office only)',
  PUBLISH_RESULTS: '只有党委办公室可以公布结果 (office only)',
  VIEW_CYCLE: '仅党委办公室和党委领导可查看 (office and leaders only)',
  EXPORT: '仅党委办公室和党委领导可下载 (office and leaders only)',
  MANAGE_USERS: '只有党委办公室可以管理用户 (office only)',
  MAIL_ADMIN: '只有党委办公室可以管理邮件 (office only)',
  ISSUE_BALLOTS: '只有党委办公室可以发放测评票 (office only)',
  RESEND_NOTICE: '只有党委办公室可以重发通知 (office only)',
  AUDIT_VERIFY: '只有党委办公室可以核验审计记录 (office only)',
  UNLOCK_ACCOUNT: '只有党委办公室可以解锁账号 (office only)',
  RUN_MEETING: '只有党委办公室可以主持述职评议会议 (office only)',
  MANAGE_PROBLEMS: '只有党委办公室可以登记问题 (office only)',
  CHECK_EVIDENCE: '只有党委办公室可以查看佐证材料核查 (office only)',
  ISSUE_PANEL_LINKS: '只有党委办公室可以发放评分链接 (office only)',
};

export const may = (actor: Actor, action: GlobalAction): boolean =>
  GLOBAL_ACTIONS[action].some((r) => actor.roles.includes(r));

export function authorize(actor: Actor, action: GlobalAction): void {
  if (!may(actor, action)) throw forbidden(GLOBAL_MESSAGES[action]);
}

/** What a branch and its cycle are doing now, for the actions that are not statechart events. */
export interface BranchMoment {
  /** the branch's state is tagged final (closed or exempted) */
  final: boolean;
  /** the cycle is archived */
  archived: boolean;
  /** the phase is tagged scoringOpen */
  scoringOpen: boolean;
  /** this viewer has already submitted a score for the branch */
  submitted: boolean;
  /** the materials are being prepared (the materials deadline binds): files may still be removed */
  materialsOpen?: boolean;
}

/** Where a branch and its cycle stand now, read from their rows; `extra` adds what only the caller knows. */
export function momentOf(cycle: { state: string }, branch: { phase: string }, extra: Partial<BranchMoment> = {}): BranchMoment {
  return { final: isFinalPhase(branch.phase), archived: cycle.state === 'archived', scoringOpen: scoringOpen(branch.phase), submitted: false, ...extra };
}

export type BranchAction = 'READ' | 'SET_DEPUTY' | 'UPLOAD_FILE' | 'REMOVE_FILE' | 'SAVE_DRAFT' | 'RESEND_NOTICE' | 'ISSUE_BALLOTS';

const finished = () => new AppError('EVENT_NOT_ALLOWED', '该支部的述评已结束，不能再修改 (branch is finished)', { allowedEvents: [] });

export function authorizeOnBranch(st: Standing, action: BranchAction, m: BranchMoment): void {
  const changes = action !== 'READ';
  switch (action) {
    case 'READ':
      if (!canRead(st)) throw forbidden('您无权查看该支部 (not your branch)');
      break;
    case 'SET_DEPUTY':
      // The deputy acts for the secretary; only the secretary (or the office) names one.
      if (!st.office && !st.secretary) throw forbidden('只有党委办公室或本支部书记可以委托 (office or the branch secretary only)');
      break;
    case 'UPLOAD_FILE':
      if (!st.office && !st.actsFor) throw forbidden('只有本支部书记或党委办公室可以上传 (not your branch)');
      break;
    // Who may upload may remove (and so replace) a file, while the materials are not yet accepted.
    case 'REMOVE_FILE':
      if (!st.office && !st.actsFor) throw forbidden('只有本支部书记或党委办公室可以删除文件 (not your branch)');
      if (!m.materialsOpen) throw new AppError('EVENT_NOT_ALLOWED', '材料已提交审核或已通过，不能再删除文件 (materials no longer open)', { allowedEvents: [] });
      break;
    case 'SAVE_DRAFT':
      if (!st.evaluator) {
        if (st.actsFor) throw forbidden('您代表该支部履职（书记或受托人），按回避规定不能为其评分 (conflict of interest)');
        throw forbidden('您不是该支部的评委 (not an evaluator of this branch)');
      }
      if (m.submitted || !m.scoringOpen || m.final || m.archived) {
        throw new AppError('EVENT_NOT_ALLOWED', '评分已提交或当前不在评分环节，不能保存草稿 (scoring closed for you)', { allowedEvents: [] });
      }
      break;
    case 'RESEND_NOTICE':
    case 'ISSUE_BALLOTS':
      if (!st.office) throw forbidden('仅党委办公室可以操作 (office only)');
      break;
  }
  if (changes && (m.final || m.archived)) throw finished();
}

export const canRead = (st: Standing): boolean => st.office || st.leader || st.actsFor || st.evaluator;

/** 回避 when naming a deputy: someone expected to score the branch may not act for it. */
export function checkDeputy(ctx: Pick<BranchReviewContext, 'expectedEvaluators'>, candidateId: number, secretaryId: number): void {
  if (candidateId === secretaryId) throw new AppError('INVALID_INPUT', 'email: 不能委托给书记本人', { issues: [{ field: 'deputy.email', message: '不能委托给书记本人' }] });
  if (ctx.expectedEvaluators.includes(String(candidateId))) {
    throw new AppError('CONFLICT_OF_INTEREST', '该人员是本支部的考评组成员，按回避规定不能受托代表本支部 (an expected evaluator cannot be deputy)', {
      field: 'deputy.email',
    });
  }
}

// ── what a viewer may read ───────────────────────────────────────────────────

/** The read rules of 评分保密 for one viewer on one branch. */
export interface ReadRules {
  /** the office's adjustments and veto, with their reasons */
  adjustments: boolean;
  /** every evaluator's own scores and comments, with names */
  everyScore: boolean;
  /** the panel's comments without names */
  anonymousComments: boolean;
  /** the score sheet */
  result: boolean;
  /** who scored: names of evaluators in the history */
  evaluatorNames: boolean;
}

export function readRules(st: Standing, published: boolean): ReadRules {
  return {
    adjustments: st.office || published,
    // Per-evaluator scores: the office and leaders after publication; secretaries never.
    everyScore: published && (st.office || st.leader),
    anonymousComments: published,
    result: published,
    evaluatorNames: st.office || st.leader,
  };
}

export interface HistoryEntry {
  id: number;
  at: string;
  event_type: string;
  actor: string;
  actor_name: string | null;
  actor_role: string | null;
  from_state: string | null;
  to_state: string | null;
  version: number | null;
  data: string | null;
}

/** Entries whose content is the office's until publication. */
const CONFIDENTIAL = new Set(['ADJUST_SCORE', 'VETO']);
/** Entries that hold one evaluator's scores: only the action shows, never the content. */
const PRIVATE_SCORES = new Set(['SUBMIT_SCORE', 'SAVE_SCORE_DRAFT']);

/** The branch history as this viewer may see it: who did what, with what they may read of it. */
export function projectHistory(entries: HistoryEntry[], st: Standing, me: string, published: boolean) {
  const rules = readRules(st, published);
  return entries
    .filter((h) => (CONFIDENTIAL.has(h.event_type) ? rules.adjustments : true))
    .filter((h) => (h.event_type === 'SAVE_SCORE_DRAFT' ? h.actor === me : true))
    .map((h) => {
      const mine = h.actor === me;
      const hideActor = h.actor_role === 'evaluator' && !mine && !rules.evaluatorNames;
      return {
        at: h.at,
        event: h.event_type,
        actor: hideActor ? null : h.actor_name,
        role: h.actor_role,
        from: h.from_state,
        to: h.to_state,
        version: h.version,
        data: PRIVATE_SCORES.has(h.event_type) || h.data === null ? null : stripResult(JSON.parse(h.data) as Record<string, unknown>, h.event_type),
      };
    });
}

/** The published sheet is read from the branch's result, not repeated in every history line. */
function stripResult(data: Record<string, unknown>, type: string) {
  if (type !== 'PUBLISH_RESULTS' || typeof data !== 'object' || data === null) return data;
  const { scoreSheet: _sheet, ...rest } = data;
  return rest;
}

// ── problems, evidence, the meeting and panel links (issue 10) ────────────────

/**
 * 问题清单: the office raises or withdraws a branch's problems until the plan is submitted (the
 * plan then answers every problem); never on a finished branch or an archived cycle.
 */
export function authorizeProblemChange(st: Standing, m: { final: boolean; archived: boolean; beforePlan: boolean }): void {
  if (!st.office) throw forbidden('只有党委办公室可以登记或撤销问题 (office only)');
  if (m.final || m.archived) throw finished();
  if (!m.beforePlan) throw new AppError('EVENT_NOT_ALLOWED', '整改方案已提交，不能再增减问题；如需补充，请退回整改方案 (the plan is submitted)', { allowedEvents: [] });
}

/** Which problems a viewer reads of a branch: whoever may read the branch; the flags on evidence are the office's. */
export const problemReadRules = (st: Standing) => ({ problems: canRead(st), evidenceFlags: st.office });

/**
 * A panel scoring link (评分链接) acts as its evaluator, for scoring only: the standing it gives is
 * the evaluator's on the branch with every other capacity taken away (so 回避 holds as for a
 * signed-in evaluator), and only while the cycle is launched and results are not published.
 */
export function linkStanding(st: Standing): Standing {
  return { ...st, office: false, leader: false, system: false, secretary: false, deputy: false };
}

/** What a panel link may do: score and keep a draft, nothing else. */
export const LINK_EVENTS: readonly BranchEventType[] = ['SUBMIT_SCORE'];

export function authorizeLinkUse(m: { cycleState: string; revoked: boolean; expired: boolean }): void {
  if (m.revoked || m.expired) throw new AppError('FORBIDDEN', '该评分链接已撤销或已过期，请向党委办公室索取新的链接 (link revoked or expired)', { reason: 'LINK_REVOKED' });
  if (m.cycleState !== 'launched') throw new AppError('FORBIDDEN', '结果已公布，评分链接已失效 (results are published: the link has expired)', { reason: 'LINK_EXPIRED' });
}
