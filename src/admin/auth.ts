import type { FastifyReply, FastifyRequest } from 'fastify';
import { sameBytes } from '../core/constant-time.ts';
import { ErrorCode, RequestError } from '../errors.ts';

/** The cookie the dashboard's sign-in sets: the token itself, HttpOnly, SameSite=Strict, on /admin only. */
export const ADMIN_COOKIE = 'ob_admin';

/** The token a request carries: `Authorization: Bearer …`, or the dashboard's cookie. */
export function tokenOf(request: FastifyRequest): string {
  const header = request.headers.authorization ?? '';
  if (header.startsWith('Bearer ')) return header.slice('Bearer '.length);
  const cookies = request.headers.cookie ?? '';
  for (const part of cookies.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === ADMIN_COOKIE) return decodeURIComponent(value.join('='));
  }
  return '';
}

/**
 * A preHandler that lets through requests with the admin token (header or cookie), compared in
 * constant time; anything else is a 401 that says how to authenticate.
 */
export function requireAdmin(token: string) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    if (!sameBytes(tokenOf(request), token))
      throw new RequestError(
        ErrorCode.Unauthorized,
        'Send Authorization: Bearer ADMIN_TOKEN, or sign in at /admin.',
      );
  };
}

/** The Set-Cookie value that signs a browser in (the token checked first by the caller). */
export function adminCookie(token: string, secure: boolean): string {
  return `${ADMIN_COOKIE}=${encodeURIComponent(token)}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=43200${secure ? '; Secure' : ''}`;
}
