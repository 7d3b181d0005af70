export { DeskError, DeskErrorCode, isDeskError } from './DeskError.ts';
export {
  DEFAULT_SCRYPT_PARAMS,
  MIN_PASSWORD_LENGTH,
  hashPassword,
  needsRehash,
  verifyPassword,
} from './passwords.ts';
export type { ScryptParams } from './passwords.ts';
export { StaffDirectory } from './StaffDirectory.ts';
export type * from './StaffDirectoryTypes.ts';
export { DEMO_STAFF, seedDemoStaff } from './demoStaff.ts';
export type { DemoStaffPasswords } from './demoStaff.ts';
export { DeskRouter } from './DeskRouter.ts';
export type * from './DeskRouterTypes.ts';
export { DeskStore } from './DeskStore.ts';
export { systemClock } from './Clock.ts';
export type { Clock, TimerHandle } from './Clock.ts';
export { ManualClock } from './ManualClock.ts';
export { queueName } from './queueName.ts';
export { primaryLanguage } from './language.ts';
export { LlmTranslator } from './Translator.ts';
export type { LlmTranslatorOptions, TextModel, Translator } from './Translator.ts';
