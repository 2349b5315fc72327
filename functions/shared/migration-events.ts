import { createHash } from 'node:crypto';
import {
  PutEventsCommand,
  type EventBridgeClient,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import type { MigrationConfig } from './config';
import { MigrationError } from './errors';
import type { AppLogger } from './logger';
import type { TableContext } from './table/context';
import { cognitoTargetUsername, markEventPublished, type EventSubject } from './table/migration-events';

/** The `source` of every event cognito-migrate publishes. */
export const MIGRATION_EVENT_SOURCE = 'cognito-migrate';
/** The `detail-type` of the one event per migrated user. */
export const USER_MIGRATED = 'UserMigrated';

/**
 * The event's detail: the two identities of one user and how they met, nothing else — no
 * attribute value (email, phone, name) ever leaves in an event.
 */
export interface UserMigratedDetail {
  /** The same for every delivery of this user's event: consumers deduplicate by it. */
  eventId: string;
  sourceUsername: string;
  sourceSub: string;
  targetUsername: string;
  targetSub: string;
  method: string;
  migratedAt: string;
}

/** PutEvents answered with a failed entry (FailedEntryCount > 0). */
export class EventPublishFailedError extends MigrationError {
  override readonly name = 'EventPublishFailedError';
}

/**
 * The event id: a UUID-shaped SHA-256 of the source and target identities, so a republished event
 * (a retry, the reconciler after a crash) carries the same id as the first attempt.
 */
export const migrationEventId = (subject: Pick<EventSubject, 'username' | 'sub' | 'targetSub'>): string => {
  const hex = createHash('sha256')
    .update(`${USER_MIGRATED}\n${subject.username}\n${subject.sub}\n${subject.targetSub ?? ''}`)
    .digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
};

/** The detail of a user's event, from the fields of the record named here only. */
export const userMigratedDetail = (subject: EventSubject): UserMigratedDetail => ({
  eventId: migrationEventId(subject),
  sourceUsername: subject.username,
  sourceSub: subject.sub,
  targetUsername: cognitoTargetUsername(subject),
  targetSub: subject.targetSub ?? '',
  method: subject.method ?? 'unknown',
  migratedAt: subject.migratedAt ?? '',
});

/** The PutEvents entry of a user's event on `busName`. */
export const userMigratedEntry = (subject: EventSubject, busName: string): PutEventsRequestEntry => {
  const detail = userMigratedDetail(subject);
  return {
    Source: MIGRATION_EVENT_SOURCE,
    DetailType: USER_MIGRATED,
    EventBusName: busName,
    Detail: JSON.stringify(detail),
    ...(detail.migratedAt ? { Time: new Date(detail.migratedAt) } : {}),
  };
};

export interface PublishDeps {
  /** Absent: nothing is published now; the event stays owed and the reconciler publishes it. */
  events?: EventBridgeClient;
  table: TableContext;
  config: Pick<MigrationConfig, 'eventBusName'>;
  logger: AppLogger;
}

export type PublishOutcome = 'published' | 'failed' | 'no-client';

/**
 * Publishes one user's event and takes the user out of the outbox. Never throws: a failure leaves
 * the event owed (its claim ages, and the reconciler's next pass republishes it under the same id),
 * so a sign-in or a campaign step is never failed by EventBridge.
 */
export const publishUserMigrated = async (
  subject: EventSubject,
  deps: PublishDeps,
  options: { timeoutMs?: number } = {},
): Promise<PublishOutcome> => {
  if (!deps.events) return 'no-client';
  const entry = userMigratedEntry(subject, deps.config.eventBusName);
  const eventId = migrationEventId(subject);
  try {
    const result = await deps.events.send(
      new PutEventsCommand({ Entries: [entry] }),
      options.timeoutMs ? { abortSignal: AbortSignal.timeout(options.timeoutMs) } : {},
    );
    if ((result.FailedEntryCount ?? 0) > 0) {
      const failed = result.Entries?.[0];
      throw new EventPublishFailedError(
        `PutEvents refused the UserMigrated event: ${failed?.ErrorCode ?? 'unknown'} ${failed?.ErrorMessage ?? ''}`.trim(),
      );
    }
    await markEventPublished(deps.table, subject.username, eventId);
    deps.logger.info('migration event published', { reason: 'user-migrated', eventId });
    return 'published';
  } catch (error) {
    deps.logger.warn('migration event not published; the reconciler publishes it later', {
      reason: 'event-publish-failed',
      eventId,
      error: error instanceof Error ? error.name : String(error),
    });
    return 'failed';
  }
};

/** Publishes when a write's own result says this caller made the event publishable. */
export const publishIfDue = async (
  record: (EventSubject & { eventOutbox?: string }) | undefined,
  deps: PublishDeps,
  options: { timeoutMs?: number } = {},
): Promise<PublishOutcome | undefined> =>
  record?.eventOutbox && record.targetSub ? publishUserMigrated(record, deps, options) : undefined;
