// The engine's one public entry: src/web, src/cli, bench and db/seeds import from here only.
export { Engine, type BatchResult, type BranchEventRequest, type EventAnswer, type LaunchProgress } from './engine';
export { SESSION_DAYS, sameToken, type SignedIn } from './accounts';
export { SYSTEM, actorKey, type Actor } from './actors';
export { ALL_EXPORT_FORMATS, EXPORT_FORMATS, EXPORT_KINDS, type ExportFile, type ExportFormat, type ExportKind } from './exports';
export { MAX_UPLOAD_BYTES } from './files';
export type { MailSettings } from './effects';
export type { BoardOptions, Rights, Task } from './views';
export { authorize, GLOBAL_ACTIONS, may, type GlobalAction } from './policy';
export { TEMPLATE_KINDS, type TemplateKind } from './templates';
