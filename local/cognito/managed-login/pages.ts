/** The managed login pages: plain HTML forms that post back to the emulator. */

const escape = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

const page = (title: string, body: string): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:24rem;margin:3rem auto;padding:0 1rem}
label{display:block;margin-top:.8rem}input{width:100%;padding:.4rem;box-sizing:border-box}
button{margin-top:1rem;padding:.5rem 1rem}.error{color:#b00020}.notice{color:#05631a}</style>
</head><body><h1>${escape(title)}</h1>
${body}
<p><small>cognito-migrate local emulator: managed login</small></p></body></html>`;

const messages = (error?: string, notice?: string): string =>
  (error ? `<p class="error" role="alert" id="error">${escape(error)}</p>` : '') +
  (notice ? `<p class="notice" role="status" id="notice">${escape(notice)}</p>` : '');

const hidden = (fields: Record<string, string | undefined>): string =>
  Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${escape(value!)}">`)
    .join('');

const field = (name: string, label: string, type = 'text', extra = ''): string =>
  `<label for="${name}">${escape(label)}</label><input id="${name}" name="${name}" type="${type}" ${extra}>`;

export interface PageContext {
  /** The authorize parameters, carried on every form's action. */
  query: string;
  error?: string;
  notice?: string;
}

export const loginPage = (c: PageContext & { username?: string }): string =>
  page(
    'Sign in',
    `${messages(c.error, c.notice)}
<form method="post" action="/login?${escape(c.query)}">
${field('username', 'Username', 'text', `autocomplete="username" required value="${escape(c.username ?? '')}"`)}
${field('password', 'Password', 'password', 'autocomplete="current-password" required')}
<button type="submit" name="signIn">Sign in</button></form>
<p><a id="forgot-password" href="/forgotPassword?${escape(c.query)}">Forgot your password?</a></p>`,
  );

export const mfaCodePage = (
  c: PageContext & { session: string; username: string; challenge: string; destination?: string },
): string =>
  page(
    c.challenge === 'SMS_MFA' ? 'Enter the code we sent' : 'Enter the code from your authenticator app',
    `${messages(c.error, c.notice)}
${c.destination ? `<p>We sent a code to ${escape(c.destination)}.</p>` : ''}
<form method="post" action="/login/challenge?${escape(c.query)}">
${hidden({ session: c.session, username: c.username, challenge: c.challenge })}
${field('code', 'Code', 'text', 'autocomplete="one-time-code" inputmode="numeric" required')}
<button type="submit">Sign in</button></form>`,
  );

export const selectMfaPage = (c: PageContext & { session: string; username: string }): string =>
  page(
    'Choose how to verify',
    `${messages(c.error, c.notice)}
<form method="post" action="/login/challenge?${escape(c.query)}">
${hidden({ session: c.session, username: c.username, challenge: 'SELECT_MFA_TYPE' })}
<button type="submit" name="answer" value="SMS_MFA">Text message (SMS)</button>
<button type="submit" name="answer" value="SOFTWARE_TOKEN_MFA">Authenticator app</button></form>`,
  );

export const newPasswordPage = (
  c: PageContext & { session: string; username: string; requiredAttributes: string[] },
): string =>
  page(
    'Change password',
    `${messages(c.error, c.notice)}
<p>Please enter a new password.</p>
<form method="post" action="/login/challenge?${escape(c.query)}">
${hidden({ session: c.session, username: c.username, challenge: 'NEW_PASSWORD_REQUIRED' })}
${field('newPassword', 'New password', 'password', 'autocomplete="new-password" required')}
${field('confirmPassword', 'Confirm new password', 'password', 'autocomplete="new-password" required')}
${c.requiredAttributes.map((a) => field(`attr.${a}`, a, 'text', 'required')).join('\n')}
<button type="submit">Change password</button></form>`,
  );

export const forgotPasswordPage = (c: PageContext): string =>
  page(
    'Forgot your password?',
    `${messages(c.error, c.notice)}
<p>Enter your username and we will send you a code to reset your password.</p>
<form method="post" action="/forgotPassword?${escape(c.query)}">
${field('username', 'Username', 'text', 'autocomplete="username" required')}
<button type="submit">Reset my password</button></form>`,
  );

export const confirmForgotPasswordPage = (
  c: PageContext & { username: string; destination?: string },
): string =>
  page(
    'Reset your password',
    `${messages(c.error, c.notice)}
${c.destination ? `<p>We sent a code to ${escape(c.destination)}.</p>` : ''}
<form method="post" action="/confirmForgotPassword?${escape(c.query)}">
${hidden({ username: c.username })}
${field('code', 'Code', 'text', 'autocomplete="one-time-code" required')}
${field('password', 'New password', 'password', 'autocomplete="new-password" required')}
${field('confirmPassword', 'Confirm new password', 'password', 'autocomplete="new-password" required')}
<button type="submit">Change password</button></form>`,
  );

export const errorPage = (error: string, detail: string): string =>
  page(
    'An error was encountered',
    `<p class="error" role="alert" id="error">${escape(detail)}</p>
<p>error: <code>${escape(error)}</code></p>`,
  );
