import { IsDefined, IsString } from 'class-validator';

export class BroadcastDto {
  // Only the type is checked here: the library's own rules (length, control characters) answer the
  // rest, and the exception filter turns its FirehoseInvalidStreamNameError into a 400.
  @IsString()
  stream!: string;

  /** Any JSON value; size and serializability are the library's to check. */
  @IsDefined()
  data!: unknown;
}
