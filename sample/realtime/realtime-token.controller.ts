import { Body, Controller, Post } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { TokenDto } from './token.dto.js';

/**
 * POST /api/realtime/token {user}: a signed token for anyone who asks, so the sample can show the
 * JWT guard at work. A real app issues tokens at sign-in, never like this.
 */
@Controller('api/realtime/token')
export class RealtimeTokenController {
  constructor(private readonly jwt: JwtService) {}

  @Post()
  async token(@Body() body: TokenDto): Promise<{ token: string }> {
    return { token: await this.jwt.signAsync({ sub: body.user }, { expiresIn: '1h' }) };
  }
}
