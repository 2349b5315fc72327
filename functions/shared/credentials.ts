import { AssumeRoleCommand, type STSClient, type STSClientConfig } from '@aws-sdk/client-sts';
import { systemClock, type Clock } from './clock';
import { SourceUnavailableError } from './errors';

// Named through the SDK's own config types: the package that declares them (@smithy/types) is
// only a transitive dependency here.
/** What every SDK client accepts as `credentials`: an async function returning credentials. */
export type AwsCredentialIdentityProvider = ReturnType<
  NonNullable<STSClientConfig['credentialDefaultProvider']>
>;
export type AwsCredentialIdentity = Awaited<ReturnType<AwsCredentialIdentityProvider>>;

export interface AssumeRoleOptions {
  sts: STSClient;
  roleArn: string;
  /** The secret the source account's trust policy requires (confused-deputy protection). */
  externalId?: string;
  /** Shows in the source account's CloudTrail as who read the pool. @default 'cognito-migrate' */
  sessionName?: string;
  /** @default 3600, the longest session a role allows unless its maximum was raised */
  durationSeconds?: number;
  /** @default systemClock */
  clock?: Clock;
  /** Credentials are renewed this long before they expire. @default 5 minutes */
  refreshBeforeMs?: number;
}

const FIVE_MINUTES_MS = 5 * 60 * 1000;

/**
 * A credential provider for a role in another account. Credentials are cached and renewed
 * `refreshBeforeMs` before they expire; concurrent callers share one AssumeRole call, so a
 * cold start with many parallel requests does not stampede STS. When a renewal fails while
 * the cached credentials have not yet expired, those keep being served (a blip at STS must
 * not fail sign-ins); otherwise the failure surfaces as a SourceUnavailableError.
 */
export const assumeRoleCredentials = (options: AssumeRoleOptions): AwsCredentialIdentityProvider => {
  const clock = options.clock ?? systemClock;
  const refreshBeforeMs = options.refreshBeforeMs ?? FIVE_MINUTES_MS;
  let cached: AwsCredentialIdentity | undefined;
  let inFlight: Promise<AwsCredentialIdentity> | undefined;

  const expiresAt = (credentials: AwsCredentialIdentity): number =>
    credentials.expiration?.getTime() ?? Infinity;

  const assumeRole = async (): Promise<AwsCredentialIdentity> => {
    try {
      const { Credentials: credentials } = await options.sts.send(
        new AssumeRoleCommand({
          RoleArn: options.roleArn,
          ExternalId: options.externalId,
          RoleSessionName: options.sessionName ?? 'cognito-migrate',
          DurationSeconds: options.durationSeconds ?? 3600,
        }),
      );
      if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) {
        throw new Error('AssumeRole returned no credentials');
      }
      return {
        accessKeyId: credentials.AccessKeyId,
        secretAccessKey: credentials.SecretAccessKey,
        sessionToken: credentials.SessionToken,
        expiration: credentials.Expiration,
      };
    } catch (error) {
      throw new SourceUnavailableError(
        `Cannot assume source role ${options.roleArn}: ${(error as Error).message}; ` +
          'check that its trust policy allows this account and the ExternalId matches',
        { cause: error },
      );
    }
  };

  const renew = (): Promise<AwsCredentialIdentity> =>
    (inFlight ??= assumeRole()
      .then((credentials) => (cached = credentials))
      .catch((error: unknown) => {
        if (cached && expiresAt(cached) > clock.now()) return cached;
        throw error;
      })
      .finally(() => {
        inFlight = undefined;
      }));

  return async () => {
    if (cached && expiresAt(cached) - refreshBeforeMs > clock.now()) return cached;
    return renew();
  };
};
