/** What a managed login handler answers; the router writes it to the HTTP response. */
export type Reply =
  | { kind: 'html'; status: number; body: string; cookies?: string[] }
  | { kind: 'redirect'; location: string; cookies?: string[] }
  | { kind: 'json'; status: number; body: unknown; headers?: Record<string, string> };

export const html = (body: string, status = 200): Reply => ({ kind: 'html', status, body });

export const redirect = (location: string, cookies?: string[]): Reply => ({
  kind: 'redirect',
  location,
  ...(cookies ? { cookies } : {}),
});

export const json = (body: unknown, status = 200, headers?: Record<string, string>): Reply => ({
  kind: 'json',
  status,
  body,
  ...(headers ? { headers } : {}),
});
