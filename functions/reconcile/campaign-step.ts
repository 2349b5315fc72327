import type { CampaignMarkers } from '#shared/table/campaign-markers';
import { DISABLED_IN_SOURCE, type CreatePlan } from './plan-user';
import type { TargetUser } from './target-match';

/**
 * How long a marker shields the call it announces from other campaigns. Between writing a marker
 * and its one Cognito call a live campaign spends milliseconds (seconds when throttled); a marker
 * older than this belongs to a campaign that stopped. A holder paused for longer than this between
 * its marker and its call is the one case the markers cannot fence.
 */
export const MARKER_GRACE_MS = 5 * 60_000;

/** The next thing to do for one FLAGGED_FOR_RESET user. */
export type CampaignStep =
  /** Write `createRequestedAt`, then AdminCreateUser. */
  | { step: 'claim-create' }
  /** `createRequestedAt` is written and the target has no user: AdminCreateUser (again). */
  | { step: 'create' }
  /** A disabled source user's target user is still enabled: AdminDisableUser. */
  | { step: 'disable' }
  /** Take `passwordSetRequestedAt` (from a stopped holder when `replacing`), then AdminSetUserPassword. */
  | { step: 'claim-password'; replacing?: string }
  /** Restore the source groups. */
  | { step: 'groups' }
  /** Write `resetRequestedAt`, then AdminResetUserPassword, then RESET_SENT. */
  | { step: 'claim-reset' }
  /** The code went out (the target is RESET_REQUIRED after our reset): record RESET_SENT. */
  | { step: 'reset-sent'; reason?: string }
  | { step: 'needs-admin'; reason: string }
  /** The target user is not the campaign's: a sign-in nobody recorded yet, or a stranger. */
  | { step: 'existing' }
  /** Another campaign is between its marker and its call: leave the user to it. */
  | { step: 'wait' };

export interface StepInput {
  markers: CampaignMarkers;
  /** The target user as last read or left by our own call; null when there is none. */
  target: TargetUser | null;
  plan: CreatePlan;
  /** The target carries this source user's legacy sub (or the pool keeps none). */
  sameUser: boolean;
  /** Groups restored, or none to restore, or tried once this run. */
  groupsDone: boolean;
  now: number;
}

const fresh = (marker: string | undefined, now: number): boolean =>
  marker !== undefined && now - Date.parse(marker) < MARKER_GRACE_MS;

/**
 * The per-user state machine of the reset campaign: from the record's markers and the target's
 * real state, the next step. Every campaign (two may overlap: a stale-lease takeover while the old
 * holder still runs) decides from this alone, so none relies on being the only one.
 *
 * | markers (C create, P password, R reset)  | target                         | next step                        |
 * | ---------------------------------------- | ------------------------------ | -------------------------------- |
 * | R                                        | RESET_REQUIRED                 | reset-sent (the code went out)   |
 * | R, younger than MARKER_GRACE_MS          | other                          | wait (its holder is calling)     |
 * | R, older                                 | other                          | needs-admin RESET_UNCONFIRMED    |
 * | none                                     | none                           | claim-create → AdminCreateUser   |
 * | C                                        | none                           | create (UsernameExists → reread) |
 * | no C, or not this user's legacy sub      | any                            | existing (signed in or stranger) |
 * | C                                        | FORCE_CHANGE_PASSWORD, enabled | disable (disabled source user)   |
 * | C, no P                                  | FORCE_CHANGE_PASSWORD          | claim-password → SetPassword     |
 * | C, P younger than MARKER_GRACE_MS        | FORCE_CHANGE_PASSWORD          | wait                             |
 * | C, P older                               | FORCE_CHANGE_PASSWORD          | claim-password (take over)       |
 * | C, P                                     | CONFIRMED                      | disable / groups / claim-reset   |
 * | C, P, groups done, disabled source user  | CONFIRMED                      | needs-admin DISABLED_IN_SOURCE   |
 * | C, no P                                  | CONFIRMED, RESET_REQUIRED, ... | existing (a sign-in, not ours)   |
 *
 * Why no code dies: a reset code dies when a new password is set after it was sent. P is written
 * only while R does not exist and only by one campaign at a time, and R is written only once the
 * target is CONFIRMED through P (the only password setter has finished). So once R exists nobody
 * starts AdminSetUserPassword, and a target in RESET_REQUIRED is never given a password: a user
 * who holds a code keeps it. R is written once, so only one campaign ever sends a code.
 *
 * Why the campaign's own user is not a conflict: C is written before AdminCreateUser, so a
 * FORCE_CHANGE_PASSWORD (only AdminCreateUser makes one) or P-CONFIRMED user carrying this user's
 * legacy sub after C is the campaign's creation, whichever campaign created it.
 */
export const nextStep = ({ markers, target, plan, sameUser, groupsDone, now }: StepInput): CampaignStep => {
  if (markers.resetRequestedAt) {
    if (target?.status === 'RESET_REQUIRED') return { step: 'reset-sent', reason: 'RESUMED' };
    if (fresh(markers.resetRequestedAt, now)) return { step: 'wait' };
    return { step: 'needs-admin', reason: 'RESET_UNCONFIRMED' };
  }
  if (!target) return markers.createRequestedAt ? { step: 'create' } : { step: 'claim-create' };
  if (!markers.createRequestedAt || !sameUser) return { step: 'existing' };
  const disabled = plan.action === 'create-disabled';
  if (target.status === 'FORCE_CHANGE_PASSWORD') {
    if (disabled && target.enabled !== false) return { step: 'disable' };
    const held = markers.passwordSetRequestedAt;
    if (!held) return { step: 'claim-password' };
    return fresh(held, now) ? { step: 'wait' } : { step: 'claim-password', replacing: held };
  }
  if (target.status !== 'CONFIRMED' || !markers.passwordSetRequestedAt) return { step: 'existing' };
  if (disabled && target.enabled !== false) return { step: 'disable' };
  if (!groupsDone) return { step: 'groups' };
  if (disabled) return { step: 'needs-admin', reason: DISABLED_IN_SOURCE };
  return { step: 'claim-reset' };
};
