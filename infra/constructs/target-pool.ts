import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { NewTargetPool } from '../config';

/** The triggers the migration attaches, by LambdaConfig key, as function ARNs. */
export interface MigrationTriggers {
  UserMigration: string;
  PreSignUp: string;
  PreTokenGeneration: string;
  PostAuthentication: string;
}

export interface TargetPoolProps {
  settings: NewTargetPool;
  poolName: string;
  /** The custom attribute that keeps the source `sub` (`custom:legacy_sub`), or null for none. */
  legacySubAttribute: string | null;
  /**
   * Trigger ARNs built from the functions' fixed names, not `Ref`s: the functions' config names
   * this pool, so a `Ref` back to them would be a circular dependency.
   */
  triggers: MigrationTriggers;
  /** Deletion protection, and Retain when the stack goes. */
  protectData: boolean;
}

const STANDARD_ATTRIBUTE: Record<string, keyof cognito.StandardAttributes> = {
  email: 'email',
  phone_number: 'phoneNumber',
  name: 'fullname',
  given_name: 'givenName',
  family_name: 'familyName',
};

const MFA: Record<NewTargetPool['mfa'], cognito.Mfa> = {
  OFF: cognito.Mfa.OFF,
  OPTIONAL: cognito.Mfa.OPTIONAL,
  ON: cognito.Mfa.REQUIRED,
};

const SCOPES: Record<string, cognito.OAuthScope> = {
  openid: cognito.OAuthScope.OPENID,
  email: cognito.OAuthScope.EMAIL,
  phone: cognito.OAuthScope.PHONE,
  profile: cognito.OAuthScope.PROFILE,
  'aws.cognito.signin.user.admin': cognito.OAuthScope.COGNITO_ADMIN,
};

/** OAuth off unless configured: CDK would otherwise enable the implicit grant with an example.com callback. */
const oAuthSettings = (
  oAuth: NewTargetPool['oAuth'],
): Pick<cognito.UserPoolClientOptions, 'oAuth' | 'disableOAuth'> =>
  oAuth
    ? {
        oAuth: {
          flows: {
            authorizationCodeGrant: oAuth.flows.includes('code'),
            implicitCodeGrant: oAuth.flows.includes('implicit'),
            clientCredentials: oAuth.flows.includes('client_credentials'),
          },
          scopes: oAuth.scopes.map((scope) => SCOPES[scope]!),
          callbackUrls: oAuth.callbackUrls,
          logoutUrls: oAuth.logoutUrls,
        },
      }
    : { disableOAuth: true };

/**
 * A new target pool shaped like the source: the same sign-in attributes and case sensitivity,
 * the legacy-sub attribute, MFA, and an app client that allows USER_PASSWORD_AUTH — the only
 * client flow that hands Cognito the plain password the UserMigration trigger must verify
 * (SRP never reveals it, so SRP sign-ins of unmigrated users fail).
 */
export class TargetPool extends Construct {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;

  constructor(scope: Construct, id: string, props: TargetPoolProps) {
    super(scope, id);
    const s = props.settings;
    const customAttributes: Record<string, cognito.ICustomAttribute> = {};
    for (const [name, attribute] of Object.entries(s.customAttributes)) {
      const options = { mutable: attribute.mutable };
      customAttributes[name] =
        attribute.type === 'Number'
          ? new cognito.NumberAttribute(options)
          : attribute.type === 'Boolean'
            ? new cognito.BooleanAttribute(options)
            : attribute.type === 'DateTime'
              ? new cognito.DateTimeAttribute(options)
              : new cognito.StringAttribute(options);
    }
    if (props.legacySubAttribute) {
      // Written once when Cognito creates the migrated user; immutable so the link cannot be forged later.
      customAttributes[props.legacySubAttribute.replace(/^custom:/, '')] = new cognito.StringAttribute({
        minLen: 1,
        maxLen: 64,
        mutable: false,
      });
    }
    const standardAttributes: cognito.StandardAttributes = Object.fromEntries(
      s.requiredAttributes.map((name) => [STANDARD_ATTRIBUTE[name], { required: true, mutable: true }]),
    );
    const signInAliases: cognito.SignInAliases =
      s.usernameAttributes.length > 0
        ? {
            email: s.usernameAttributes.includes('email'),
            phone: s.usernameAttributes.includes('phone_number'),
          }
        : {
            username: true,
            email: s.aliasAttributes.includes('email'),
            phone: s.aliasAttributes.includes('phone_number'),
            preferredUsername: s.aliasAttributes.includes('preferred_username'),
          };

    this.userPool = new cognito.UserPool(this, 'Pool', {
      userPoolName: props.poolName,
      signInAliases,
      signInCaseSensitive: s.caseSensitive,
      selfSignUpEnabled: s.selfSignUpEnabled,
      standardAttributes,
      customAttributes,
      mfa: MFA[s.mfa],
      ...(s.mfa === 'OFF' ? {} : { mfaSecondFactor: { sms: s.mfaTypes.sms, otp: s.mfaTypes.otp } }),
      passwordPolicy: {
        minLength: s.passwordPolicy.minLength,
        requireLowercase: s.passwordPolicy.requireLowercase,
        requireUppercase: s.passwordPolicy.requireUppercase,
        requireDigits: s.passwordPolicy.requireDigits,
        requireSymbols: s.passwordPolicy.requireSymbols,
        tempPasswordValidity: Duration.days(s.passwordPolicy.tempPasswordValidityDays),
      },
      accountRecovery: cognito.AccountRecovery[s.accountRecovery],
      ...(s.email
        ? {
            email: cognito.UserPoolEmail.withSES({
              fromEmail: s.email.fromEmail,
              ...(s.email.fromName ? { fromName: s.email.fromName } : {}),
              ...(s.email.replyTo ? { replyTo: s.email.replyTo } : {}),
              ...(s.email.sesVerifiedDomain ? { sesVerifiedDomain: s.email.sesVerifiedDomain } : {}),
              ...(s.email.sesRegion ? { sesRegion: s.email.sesRegion } : {}),
              configurationSetName: s.email.configurationSet,
            }),
          }
        : {}),
      deletionProtection: props.protectData,
      removalPolicy: props.protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const cfnPool = this.userPool.node.defaultChild as cognito.CfnUserPool;
    cfnPool.lambdaConfig = {
      userMigration: props.triggers.UserMigration,
      preSignUp: props.triggers.PreSignUp,
      // V1 event (the group-sync contract); V2 would require the Essentials plan's access-token customisation.
      preTokenGeneration: props.triggers.PreTokenGeneration,
      postAuthentication: props.triggers.PostAuthentication,
    };

    // No writeAttributes: the client then writes standard attributes only, never the legacy-sub
    // custom attribute (nobody may claim another user's source sub; preflight blocks any client that can).
    this.client = this.userPool.addClient('AppClient', {
      authFlows: { userPassword: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      ...oAuthSettings(s.oAuth),
    });

    Validations.of(this.userPool).acknowledge(
      {
        id: 'AwsSolutions-COG2',
        reason:
          'MFA follows the source pool (deployment.targetPool.mfa); requiring it would lock out migrated users whose factor cannot move',
      },
      {
        id: 'AwsSolutions-COG3',
        reason:
          'Threat protection (advanced security) needs the paid Plus plan; left to the owner of the pool',
      },
      {
        id: 'AwsSolutions-COG8',
        reason:
          'The Plus plan is a paid choice for the pool owner; the migration needs only Essentials features',
      },
    );
    const smsRole = this.userPool.node.tryFindChild('smsRole');
    if (smsRole) {
      Validations.of(smsRole).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Cognito sends SMS MFA codes with sns:Publish to phone numbers, which have no ARN to scope to',
      });
    }
  }
}
