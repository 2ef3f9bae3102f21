import type { IncomingMessage } from 'node:http';
import { Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { JwtModule, JwtService } from '@nestjs/jwt';
import {
  FirehoseFluxbaseModule,
  isTableChangeEvent,
  type FirehoseAuthorizer,
  type FirehoseConnectionContext,
  type FirehoseEvent,
  type FirehoseFluxbaseOptions,
} from '../../lib/index.js';
import { createFirehoseHttpApp, type FirehoseHttpApp, type FirehoseHttpAppOptions } from '../utils/create-firehose-http-app.js';

export const JWT_SECRET = 'fluxbase-test-secret';

/** What the guard attaches once `?token=` verified: the JWT's claims. */
export type TokenRequest = IncomingMessage & { user?: { sub: string } };

/**
 * Fluxbase's authentication: a JWT in `?token=`. Without one the connection is anonymous (the
 * authorizer decides what it may read); a token that does not verify is refused with 401.
 */
@Injectable()
export class JwtQueryGuard implements CanActivate {
  constructor(private readonly jwt: JwtService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<TokenRequest>();
    const token = new URL(request.url ?? '/', 'http://localhost').searchParams.get('token');
    if (!token) return true;
    try {
      request.user = await this.jwt.verifyAsync(token);
    } catch {
      throw new UnauthorizedException('Invalid or expired token');
    }
    // A valid token of a user the app has locked out: refused as Nest refuses a false guard, 403.
    return request.user?.sub !== 'locked-out';
  }
}

/**
 * Table channels and public streams for everyone, `user:<sub>` for that user only, `private:…` for
 * nobody. Rows with `hidden = true` never go out, and rows with an `owner` only to that user.
 */
@Injectable()
export class RowAuthorizer implements FirehoseAuthorizer<TokenRequest> {
  authorizeStreams(streams: string[], { request }: FirehoseConnectionContext<TokenRequest>): string[] {
    return streams.filter(
      (stream) => !stream.startsWith('private:') && (!stream.startsWith('user:') || stream === `user:${request.user?.sub}`),
    );
  }

  buildEvent(event: FirehoseEvent, { request }: FirehoseConnectionContext<TokenRequest>): FirehoseEvent | null {
    if (!isTableChangeEvent<{ hidden?: boolean; owner?: string | null }>(event)) return event;
    const row = event.data.record ?? event.data.old_record;
    if (row?.hidden) return null;
    return !row?.owner || row.owner === request.user?.sub ? event : null;
  }
}

export const signer = new JwtService({ secret: JWT_SECRET });

export interface FluxbaseAppOptions extends Omit<FirehoseHttpAppOptions, 'url'> {
  fluxbase?: FirehoseFluxbaseOptions;
}

/** A listening app with the Fluxbase endpoint, the JWT guard and the row authorizer (`firehose: { authorizer: undefined }` for none). */
export function createFluxbaseApp(url: string, options: FluxbaseAppOptions = {}): Promise<FirehoseHttpApp> {
  const { fluxbase, imports, firehose, ...rest } = options;
  return createFirehoseHttpApp({
    url,
    firehose: { authorizer: RowAuthorizer, ...firehose },
    ...rest,
    imports: [
      JwtModule.register({ global: true, secret: JWT_SECRET }),
      FirehoseFluxbaseModule.forRoot({ guards: [JwtQueryGuard], ...fluxbase }),
      ...(imports ?? []),
    ],
  });
}
