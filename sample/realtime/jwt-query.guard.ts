import type { IncomingMessage } from 'node:http';
import { Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';

/** The claims of a verified token, attached as `request.user`. */
export interface RealtimeUser {
  sub: string;
}

export type RealtimeRequest = IncomingMessage & { user?: RealtimeUser };

/**
 * Fluxbase's authentication: a JWT in `?token=` (the WebSocket upgrade and the stats route) or an
 * `Authorization: Bearer` header. A verified token puts its claims on `request.user`, which the
 * authorizer reads for every channel of the connection. No token: an anonymous connection, which
 * the authorizer treats as such. A token that does not verify (forged, expired): 401, and the
 * WebSocket never opens.
 */
@Injectable()
export class JwtQueryGuard implements CanActivate {
  constructor(private readonly jwt: JwtService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RealtimeRequest>();
    // The raw upgrade request has no parsed query: read the URL itself.
    const token =
      new URL(request.url ?? '/', 'http://localhost').searchParams.get('token') ?? request.headers.authorization?.replace(/^Bearer /i, '');
    if (!token) return true;
    try {
      request.user = await this.jwt.verifyAsync<RealtimeUser>(token);
    } catch {
      throw new UnauthorizedException('Invalid or expired token: sign in again (POST /api/realtime/token in this sample).');
    }
    return true;
  }
}
