export { isLeadloopError, LeadloopError, type ErrorCode, type ErrorSystem } from './leadloop-error.ts';
export { AuthFailed, ConcurrencyLimit, DailyLimit, RateLimited, RequestRefused, Unavailable } from './api-errors.ts';
export { BudgetSpent, BudgetWaitTooLong, LeaseHeld, LeaseLost, LedgerUnavailable, ShutdownRequested, type Lane } from './run-errors.ts';
export { rejectionReason, type Rejection } from './rejection.ts';

import type { AuthFailed, ConcurrencyLimit, DailyLimit, RateLimited, RequestRefused, Unavailable } from './api-errors.ts';
import type { LeadloopError, ErrorCode } from './leadloop-error.ts';
import type { BudgetSpent, BudgetWaitTooLong, LeaseHeld, LeaseLost, LedgerUnavailable, ShutdownRequested } from './run-errors.ts';

/**
 * Every named failure, discriminated by `code` (a switch on it narrows to the class). The
 * failures defined beside their own concern (PreflightBlocked in the pipeline, ConfigInvalid and
 * EnvInvalid in src/config) carry no fields a retry needs.
 */
export type NamedError =
  | RateLimited
  | DailyLimit
  | ConcurrencyLimit
  | AuthFailed
  | Unavailable
  | RequestRefused
  | BudgetSpent
  | BudgetWaitTooLong
  | LeaseHeld
  | LeaseLost
  | ShutdownRequested
  | LedgerUnavailable
  | (LeadloopError & { readonly code: Extract<ErrorCode, 'PREFLIGHT_BLOCKED' | 'CONFIG_INVALID' | 'ENV_INVALID'> });
