// The engine's public API: every named use case, from one object. Each is implemented in the module
// of its purpose and asks the one policy (./policy.ts); callers hand over who is asking (the actor)
// and get data back. Web, CLI, seeds and bench reach the database only through here.
import type { Db } from '../store/db';
import { migrate } from '../store/db';
import '../domain/zodZh';
import * as accounts from './accounts';
import { actorByEmail, type Actor } from './actors';
import { verifyAudit } from './audit';
import { backupTo, restoreBackup } from './backup';
import { ballotExists, castBallotByToken, issueBallots } from './ballots';
import { saveScoreDraft, sendBranchEvent, sendBranchEvents, type BatchResult, type BranchEventRequest } from './branchEvents';
import { createCycle, launchCycle, publishResults, type LaunchProgress } from './cycleLifecycle';
import { resendNotice, setDeputy } from './delegation';
import type { MailSettings } from './effects';
import { exportDocument } from './exports';
import { fileForDownload, mayUpload, removeFile, uploadFile, type UploadRequest } from './files';
import { requireCycle } from './lookup';
import { health } from './health';
import { listMail, retryMail } from './mailAdmin';
import { authorize } from './policy';
import { addProblem, branchProblems, duplicateEvidence, removeProblem, repeatFlags } from './problems';
import { hallFingerprint, hallView, issueDisplay, meetingCommand, meetingFingerprint, meetingView, onMeetingChange, revokeDisplayLinks } from './meeting';
import { draftByLink, issuePanelLinks, panelBranch, panelHome, panelLinkStatus, revokePanelLink, scoreByLink } from './panelLinks';
import { fireDueTimers, type SchedulerOptions } from './scheduler';
import { cycleStatus } from './status';
import type { EngineDeps, EventAnswer } from './transitions';
import { addUser, consoleActor, inviteUser, listUsers, resendInvitation, setLocale, setPassword, setUserActive, setUserRoles, type AddUserRequest } from './users';
import { needsSetup, setUp } from './setup';
import { branchNotice, returnedBranches, scoringProgress } from './branchPage';
import { deleteDraft, draftView, updateDraft } from './drafts';
import { mailMessage, mailPage } from './mailPage';
import { rosterTemplate, type TemplateKind } from './templates';
import { branchStatus, branchView, dashboard, dashboardTag, requireCycleFor, tasksFor, visibleCycles, type BoardOptions } from './views';

export type { BatchResult, BranchEventRequest, EventAnswer, LaunchProgress };

const nowIso = () => new Date().toISOString();

export class Engine {
  readonly deps: EngineDeps;

  constructor(
    readonly db: Db,
    readonly mail: MailSettings,
    /** where uploads live (DATA_DIR) */
    readonly dataDir = './data',
  ) {
    this.deps = { db, mail };
  }

  // ── operations ──────────────────────────────────────────────────────────────
  migrate = () => migrate(this.db);
  health = (now = nowIso()) => health(this.db, now);
  backup = (out: string, now = nowIso()) => backupTo(this.db, this.dataDir, out, now);
  restore = (from: string, opts: { force?: boolean } = {}) => restoreBackup(this.db, this.dataDir, from, opts);

  // ── the cycle ───────────────────────────────────────────────────────────────
  createCycle = (input: unknown, actor: Actor, now = nowIso()) => createCycle(this.deps, input, actor, now);
  launchCycle = (ref: string | number, actor: Actor, opts: { now?: string; batchSize?: number; onProgress?: (p: LaunchProgress) => void } = {}) =>
    launchCycle(this.deps, ref, actor, { ...opts, now: opts.now ?? nowIso() });
  publishResults = (ref: string | number, actor: Actor, now = nowIso()) => publishResults(this.deps, ref, actor, now);
  cycle = (ref: string | number, actor: Actor) => requireCycleFor(this.db, ref, actor);
  requireCycle = (ref: string | number) => requireCycle(this.db, ref);
  visibleCycles = (actor: Actor) => visibleCycles(this.db, actor);
  cycleStatus = (ref: string | number, actor: Actor, now = nowIso()) => cycleStatus(this.db, ref, actor, now);
  dashboard = (ref: string | number, actor: Actor, now = nowIso(), opts: BoardOptions = {}) => dashboard(this.db, ref, actor, now, opts);
  /** Changes whenever what `dashboard` answers may have changed (for a 304 on an unchanged poll). */
  dashboardTag = (ref: string | number, actor: Actor, now = nowIso(), opts: BoardOptions = {}) => dashboardTag(this.db, ref, actor, now, opts);
  exportDocument = (ref: string | number, kind: string, actor: Actor, format?: string) => exportDocument(this.db, ref, kind, actor, format);

  // ── a branch ────────────────────────────────────────────────────────────────
  sendBranchEvent = (req: BranchEventRequest): Promise<EventAnswer> => sendBranchEvent(this.deps, req, req.now ?? nowIso());
  /** Many events in one transaction, a savepoint each: refused ones are reported, the rest applied (written in parts of `writeEvery`, default WRITE_EVERY). */
  sendBranchEvents = (reqs: BranchEventRequest[], now = nowIso(), opts: { writeEvery?: number } = {}): Promise<BatchResult[]> => sendBranchEvents(this.deps, reqs, now, opts);
  saveScoreDraft = (req: { cycle: string | number; branch: string; draft: unknown; actor: Actor }, now = nowIso()) => saveScoreDraft(this.deps, req, now);
  setDeputy = (ref: string | number, code: string, deputy: unknown, actor: Actor, now = nowIso()) =>
    setDeputy(this.deps, { cycle: ref, branch: code, deputy, actor }, now);
  resendNotice = (ref: string | number, code: string, actor: Actor, now = nowIso()) => resendNotice(this.deps, { cycle: ref, branch: code, actor }, now);
  branchView = (ref: string | number, code: string, actor: Actor, now = nowIso()) => branchView(this.db, ref, code, actor, now);
  branchStatus = (ref: string | number, code: string, actor: Actor, now = nowIso()) => branchStatus(this.db, ref, code, actor, now);
  tasks = (actor: Actor, now = nowIso()) => tasksFor(this.db, actor, now);

  // ── files ───────────────────────────────────────────────────────────────────
  mayUpload = (req: Omit<UploadRequest, 'file' | 'dataDir'>) => mayUpload(this.deps, req);
  uploadFile = (req: Omit<UploadRequest, 'dataDir'>, now = nowIso()) => uploadFile(this.deps, { ...req, dataDir: this.dataDir }, now);
  fileForDownload = (id: string, actor: Actor) => fileForDownload(this.deps, id, actor, this.dataDir);

  // ── 民主测评 ─────────────────────────────────────────────────────────────────
  issueBallots = (req: { cycle: string | number; branch: string; count: number; actor: Actor; now?: string }) => issueBallots(this.deps, req);
  castBallot = (token: string, choice: unknown, now = nowIso()) => castBallotByToken(this.deps, token, choice, now);
  ballotExists = (token: string) => ballotExists(this.deps, token);

  // ── deadlines and mail ──────────────────────────────────────────────────────
  fireDueTimers = (now = nowIso(), opts?: SchedulerOptions) => fireDueTimers(this.deps, now, opts);
  processResetRequests = (now = nowIso()) => accounts.processResetRequests(this.db, this.mail, now);
  listMail = (actor: Actor, filter: { status?: 'queued' | 'sent' | 'dead' } = {}) => listMail(this.deps, actor, filter);
  retryMail = (id: number, actor: Actor, now = nowIso()) => retryMail(this.deps, id, actor, now);

  // ── people and accounts ─────────────────────────────────────────────────────
  actorByEmail = (email: string) => actorByEmail(this.db, email);
  consoleActor = (email?: string, bootstrap = false) => consoleActor(this.deps, email, bootstrap);
  addUser = (req: AddUserRequest, actor: Actor, now = nowIso()) => addUser(this.deps, req, actor, now);
  setPassword = (email: string, password: string, actor: Actor, now = nowIso()) => setPassword(this.deps, email, password, actor, now);
  setLocale = (actor: Actor, locale: unknown, now = nowIso()) => setLocale(this.deps, actor, locale, now);
  signIn = (email: string, password: string, client: string, now = nowIso()) => accounts.signIn(this.db, email, password, client, now);
  signOut = (cookie: string) => accounts.signOut(this.db, cookie);
  sessionUser = (cookie: string, now = nowIso()) => accounts.sessionUser(this.db, cookie, now);
  forgotPassword = (email: string, now = nowIso()) => accounts.forgotPassword(this.db, email, this.mail, now);
  setPasswordWithToken = (token: string, password: string, now = nowIso()) => accounts.setPasswordWithToken(this.db, token, password, now);
  unlockAccount = (email: string, actor: Actor, now = nowIso()) => accounts.unlockAccount(this.db, email, actor, now);

  // ── first run and the office's users page ───────────────────────────────────
  needsSetup = () => needsSetup(this.deps);
  setUp = (input: unknown, now = nowIso()) => setUp(this.deps, input, now);
  listUsers = (actor: Actor, now = nowIso()) => listUsers(this.deps, actor, now);
  inviteUser = (input: unknown, actor: Actor, now = nowIso()) => inviteUser(this.deps, input, actor, now);
  setUserRoles = (userId: number, input: unknown, actor: Actor, now = nowIso()) => setUserRoles(this.deps, userId, input, actor, now);
  setUserActive = (userId: number, active: boolean, actor: Actor, now = nowIso()) => setUserActive(this.deps, userId, active, actor, now);
  resendInvitation = (userId: number, actor: Actor, now = nowIso()) => resendInvitation(this.deps, userId, actor, now);

  // ── the branch page and the task list ───────────────────────────────────────
  branchNotice = (ref: string | number, code: string, actor: Actor) => branchNotice(this.db, ref, code, actor);
  returnedBranches = (actor: Actor) => returnedBranches(this.db, actor);
  scoringProgress = (ref: string | number, actor: Actor, codes?: string[]) => scoringProgress(this.db, ref, actor, codes);
  removeFile = (id: string, actor: Actor, now = nowIso()) => removeFile(this.deps, { id, actor, dataDir: this.dataDir }, now);

  // ── problems followed to closure (问题清单、佐证查重、屡查屡犯) ──────────────────────
  addProblem = (ref: string | number, code: string, input: unknown, actor: Actor, now = nowIso()) =>
    addProblem(this.deps, { cycle: ref, branch: code, input, actor }, now);
  removeProblem = (ref: string | number, code: string, id: number, actor: Actor, now = nowIso()) =>
    removeProblem(this.deps, { cycle: ref, branch: code, id, actor }, now);
  branchProblems = (ref: string | number, code: string, actor: Actor) => branchProblems(this.db, ref, code, actor);
  duplicateEvidence = (ref: string | number, actor: Actor) => duplicateEvidence(this.db, ref, actor);
  repeatFlags = (ref: string | number, actor: Actor, codes?: string[]) => repeatFlags(this.db, ref, actor, codes);

  // ── the cycle wizard: templates, drafts previewed, edited, deleted ───────────
  rosterTemplate = (kind: TemplateKind, actor: Actor) => rosterTemplate(kind, actor);
  draftView = (ref: string | number, actor: Actor, now = nowIso()) => draftView(this.deps, ref, actor, now);
  updateDraft = (ref: string | number, input: unknown, actor: Actor, now = nowIso()) => updateDraft(this.deps, ref, input, actor, now);
  deleteDraft = (ref: string | number, actor: Actor, now = nowIso()) => deleteDraft(this.deps, ref, actor, now);
  mailPage = (actor: Actor, filter: { status?: 'queued' | 'sent' | 'dead'; q?: string; offset?: number } = {}) => mailPage(this.deps, actor, filter);
  mailMessage = (actor: Actor, id: number) => mailMessage(this.deps, actor, id);

  // ── the meeting day (述、问、答、评) ───────────────────────────────────────────────
  meetingView = (ref: string | number, actor: Actor, now = nowIso()) => meetingView(this.db, ref, actor, now);
  meetingCommand = (ref: string | number, input: unknown, actor: Actor, opts: { expectedVersion?: number; now?: string } = {}) =>
    meetingCommand(this.deps, { cycle: ref, input, actor, expectedVersion: opts.expectedVersion }, opts.now ?? nowIso());
  meetingFingerprint = (ref: string | number, actor: Actor) => meetingFingerprint(this.db, ref, actor);
  issueDisplay = (ref: string | number, actor: Actor, now = nowIso()) => issueDisplay(this.deps, ref, actor, this.mail.baseUrl, now);
  revokeDisplayLinks = (ref: string | number, actor: Actor, now = nowIso()) => revokeDisplayLinks(this.deps, ref, actor, now);
  hallView = (token: string, locale: 'zh-CN' | 'en' = 'zh-CN', now = nowIso()) => hallView(this.db, token, now, locale);
  hallFingerprint = (token: string) => hallFingerprint(this.db, token);
  /** In-process notice of meeting changes (displays in other processes poll the version). */
  onMeetingChange = (listener: (cycleId: number) => void) => onMeetingChange(listener);

  // ── scoring from phones (评分链接) ─────────────────────────────────────────────────
  issuePanelLinks = (ref: string | number, actor: Actor, opts: { email?: string; now?: string } = {}) =>
    issuePanelLinks(this.deps, { cycle: ref, email: opts.email, actor }, opts.now ?? nowIso());
  revokePanelLink = (ref: string | number, actor: Actor, userId?: number, now = nowIso()) => revokePanelLink(this.deps, { cycle: ref, userId, actor }, now);
  panelLinkStatus = (ref: string | number, actor: Actor, now = nowIso()) => panelLinkStatus(this.db, ref, actor, now);
  panelHome = (token: string, now = nowIso()) => panelHome(this.db, token, now);
  panelBranch = (token: string, code: string, now = nowIso()) => panelBranch(this.db, token, code, now);
  scoreByLink = (req: { token: string; branch: string; data: unknown; expectedVersion?: number; idempotencyKey?: string }, now = nowIso()) => scoreByLink(this.deps, req, now);
  draftByLink = (req: { token: string; branch: string; draft: unknown }, now = nowIso()) => draftByLink(this.deps, req, now);

  // ── audit ───────────────────────────────────────────────────────────────────
  async verifyAudit(actor: Actor, cycleRef?: string | number) {
    authorize(actor, 'AUDIT_VERIFY');
    const cycle = cycleRef === undefined ? undefined : await requireCycle(this.db, cycleRef);
    return verifyAudit(this.db, cycle?.id);
  }
}
