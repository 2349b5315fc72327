import { CreateGroupCommand } from '@aws-sdk/client-cognito-identity-provider';
import { startLocalStack, type LocalStack } from '#local/stack';
import { formAction, FormBrowser } from '../../support/managed-login';

// The local stack's managed login without a browser (test/e2e drives Chromium): the printed
// login URL, the form, the callback app's code exchange and the page it shows.

const PASSWORD = 'Legacy-passw0rd!';
let stack: LocalStack;

beforeAll(async () => {
  // The longest trigger deadline the config allows: the first token carries the source groups
  // only once lazy-migrate has recorded the migration, which a loaded CI machine can delay.
  stack = await startLocalStack({ config: { triggerDeadlineMs: 4500 } });
  const sourcePoolId = stack.state.source.userPoolId;
  await stack.cognito.send(new CreateGroupCommand({ UserPoolId: sourcePoolId, GroupName: 'staff' }));
  stack.emulator.store.createUserDirect(sourcePoolId, {
    username: 'legacy-carol',
    password: PASSWORD,
    attributes: { email: 'carol@example.com', email_verified: 'true' },
    groups: ['staff'],
  });
  await stack.functions.bulkSync({ taskBudgetSeconds: 5 });
}, 60_000);

afterAll(() => stack?.close());

describe('the local stack target pool', () => {
  it('has a domain, OAuth code flow on its app client and the callback app as its callback URL', () => {
    const login = new URL(stack.state.managedLogin!.loginUrl);

    expect(`${login.origin}${login.pathname}`).toBe(`${stack.state.cognitoEndpoint}/oauth2/authorize`);
    expect(Object.fromEntries(login.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: stack.state.target.clientId,
      redirect_uri: stack.callbackApp.callbackUrl,
    });
  });

  it('signs a legacy user in at the login URL; the callback app exchanges the code and shows their source groups', async () => {
    const browser = new FormBrowser(stack.state.cognitoEndpoint);
    const form = await browser.follow(stack.state.managedLogin!.loginUrl);
    const redirected = await browser.post(formAction(form.body), {
      username: 'legacy-carol',
      password: PASSWORD,
    });

    const callback = await fetch(String(redirected.location));
    const page = await callback.text();

    expect(callback.status).toBe(200);
    expect(page).toContain('<strong id="username">legacy-carol</strong>');
    expect(page).toContain('<span id="groups">staff</span>');
    expect(page).toContain('<span id="refresh">yes</span>');
  });

  it('starts a PKCE sign-in from the callback app and shows a refused exchange as an error', async () => {
    const start = await fetch(stack.state.managedLogin!.appUrl, { redirect: 'manual' });
    const authorize = new URL(String(start.headers.get('location')));

    const forged = await fetch(`${stack.callbackApp.callbackUrl}?code=forged&state=nope`);

    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('state')).toMatch(/^[\w-]{16,}$/);
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain('invalid_grant');
  });
});
