import { existsSync } from 'node:fs';
import {
  AdminGetUserCommand,
  CreateGroupCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startLocalStack, type LocalStack } from '#local/stack';
import { totpCode } from '#local/cognito/totp';

// The migration rehearsed as most users sign in: Cognito's managed login in a real (headless)
// Chromium, against the local stack. The endpoints follow the Cognito developer guide:
// https://docs.aws.amazon.com/cognito/latest/developerguide/authorization-endpoint.html
// https://docs.aws.amazon.com/cognito/latest/developerguide/login-endpoint.html
// https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html
// Chromium comes from Debian's package (`apt-get install chromium`; .ci/run installs it);
// playwright-core never downloads a browser. Without one, the suite says "skipped" and passes.

const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (path): path is string => !!path && existsSync(path),
);
const PASSWORD = 'Legacy-passw0rd!';
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

if (!CHROMIUM) {
  describe('managed login in a real browser', () => {
    it('skipped: no chromium found (apt-get install chromium, or set CHROMIUM_PATH)', () => {
      expect(CHROMIUM).toBeUndefined();
    });
  });
} else {
  describe('managed login in a real browser', () => {
    let stack: LocalStack;
    let browser: Browser;
    let page: Page;

    beforeAll(async () => {
      // The longest trigger deadline the config allows: the first token carries the source groups
      // only once lazy-migrate has recorded the migration, which a loaded CI machine can delay.
      stack = await startLocalStack({ config: { triggerDeadlineMs: 4500 } });
      const sourcePoolId = stack.state.source.userPoolId;
      for (const GroupName of ['staff', 'beta'])
        await stack.cognito.send(new CreateGroupCommand({ UserPoolId: sourcePoolId, GroupName }));
      const legacy = (username: string, groups: string[] = []) =>
        stack.emulator.store.createUserDirect(sourcePoolId, {
          username,
          password: PASSWORD,
          attributes: { email: `${username}@example.com`, email_verified: 'true' },
          groups,
        });
      legacy('legacy-alice', ['staff', 'beta']);
      legacy('legacy-bob');
      legacy('legacy-totp').mfa = {
        sms: false,
        totp: true,
        totpSecret: TOTP_SECRET,
        preferred: 'SOFTWARE_TOKEN_MFA',
      };
      // The bulk sync records every source user's groups, which PreTokenGeneration puts in the
      // first tokens of a migrated user.
      expect((await stack.functions.bulkSync({ taskBudgetSeconds: 5 })).status).toBe('SUCCEEDED');
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await stack?.close();
    });

    beforeEach(async () => {
      page = await (await browser.newContext()).newPage();
    });

    afterEach(async () => {
      await page?.context().close();
    });

    const submitPassword = async (username: string, password: string) => {
      await page.fill('input[name=username]', username);
      await page.fill('input[name=password]', password);
      await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
    };

    it('signs a not-yet-migrated user in at the printed login URL, lands on the callback with their source groups, and migrates them with the same password', async () => {
      const managedLogin = stack.state.managedLogin!;

      await page.goto(managedLogin.loginUrl);
      await submitPassword('legacy-alice', PASSWORD);

      expect(page.url().startsWith(managedLogin.callbackUrl)).toBe(true);
      expect(await page.textContent('#username')).toBe('legacy-alice');
      expect((await page.textContent('#groups'))?.split(', ').sort()).toEqual(['beta', 'staff']);
      const target = await stack.cognito.send(
        new AdminGetUserCommand({ UserPoolId: stack.state.target.userPoolId, Username: 'legacy-alice' }),
      );
      expect(target.UserStatus).toBe('CONFIRMED');
      const again = await stack.cognito.send(
        new InitiateAuthCommand({
          ClientId: stack.state.target.clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'legacy-alice', PASSWORD },
        }),
      );
      expect(again.AuthenticationResult?.IdToken).toBeDefined();
    });

    it('shows the same page for a wrong password and for an unknown user', async () => {
      const attempt = async (username: string, password: string) => {
        await page.goto(stack.state.managedLogin!.appUrl);
        await submitPassword(username, password);
        return {
          url: new URL(page.url()).pathname,
          error: await page.textContent('#error'),
          title: await page.title(),
        };
      };

      const wrongPassword = await attempt('legacy-bob', 'Not-the-passw0rd!');
      const unknownUser = await attempt('nobody-at-all', PASSWORD);

      expect(wrongPassword).toEqual({
        url: '/login',
        error: 'Incorrect username or password.',
        title: 'Sign in',
      });
      expect(unknownUser).toEqual(wrongPassword);
    });

    it('never gives a legacy TOTP user tokens on the password alone: they must reset by a code', async () => {
      await page.goto(stack.state.managedLogin!.appUrl);
      await submitPassword('legacy-totp', PASSWORD);

      expect(page.url().startsWith(stack.state.managedLogin!.callbackUrl)).toBe(false);
      expect(await page.isVisible('input[name=code]')).toBe(true);
      expect(await page.title()).toBe('Reset your password');
    });

    it('asks a target user with an authenticator app for its code before the callback', async () => {
      const user = stack.emulator.store.createUserDirect(stack.state.target.userPoolId, {
        username: 'enrolled',
        password: PASSWORD,
      });
      user.mfa = { sms: false, totp: true, totpSecret: TOTP_SECRET, preferred: 'SOFTWARE_TOKEN_MFA' };

      await page.goto(stack.state.managedLogin!.appUrl);
      await submitPassword('enrolled', PASSWORD);
      const askedForCode = await page.isVisible('input[name=code]');
      await page.fill('input[name=code]', totpCode(TOTP_SECRET, Date.now()));
      await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);

      expect(askedForCode).toBe(true);
      expect(await page.textContent('#username')).toBe('enrolled');
      expect(await page.textContent('#pkce')).toBe('yes');
    });
  });
}
