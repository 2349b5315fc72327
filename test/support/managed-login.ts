import { createHash, randomBytes } from 'node:crypto';

/** A PKCE pair (RFC 7636, S256). */
export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface PageResponse {
  status: number;
  location?: string;
  body: string;
}

/**
 * A browser without JavaScript, for the managed login pages: fetch with manual redirects and a
 * cookie jar for the emulator's origin. The real-browser test is test/e2e.
 */
export class FormBrowser {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly origin: string) {}

  async get(path: string): Promise<PageResponse> {
    return this.request(path, { method: 'GET' });
  }

  async post(path: string, form: Record<string, string>): Promise<PageResponse> {
    return this.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }

  /** Follows same-origin redirects; stops at the first page or at a redirect elsewhere (the callback). */
  async follow(path: string): Promise<PageResponse> {
    let response = await this.get(path);
    while (response.location?.startsWith('/')) response = await this.get(response.location);
    return response;
  }

  private async request(path: string, init: RequestInit): Promise<PageResponse> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(new URL(path, this.origin), {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) },
    });
    for (const set of response.headers.getSetCookie()) {
      const [pair] = set.split(';');
      const [name, ...value] = pair!.split('=');
      if (/Max-Age=0/i.test(set)) this.cookies.delete(name!);
      else this.cookies.set(name!, value.join('='));
    }
    return {
      status: response.status,
      location: response.headers.get('location') ?? undefined,
      body: await response.text(),
    };
  }
}

/** The value of a hidden input on a page. */
export function hiddenField(body: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(body);
  if (!match) throw new Error(`no hidden field ${name} on the page`);
  return match[1]!
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'");
}

/** The text of the page's error message, if any. */
export function pageError(body: string): string | undefined {
  return /id="error">([^<]*)</.exec(body)?.[1];
}

/** The form's action on a page (path and query), entities decoded. */
export function formAction(body: string): string {
  const match = /<form method="post" action="([^"]*)"/.exec(body);
  if (!match) throw new Error('no form on the page');
  return match[1]!.replace(/&amp;/g, '&');
}
