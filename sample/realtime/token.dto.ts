import { IsString, Matches } from 'class-validator';

export class TokenDto {
  /** Who the token is for: the `sub` claim, and the `user:<name>` stream only that user may read. */
  @IsString()
  @Matches(/^[a-z0-9_-]{1,40}$/i, { message: 'user must be 1 to 40 letters, digits, "_" or "-"' })
  user!: string;
}
