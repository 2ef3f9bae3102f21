import { IsDefined } from 'class-validator';

export class PushMessageDto {
  /** Any JSON value that fits in one NOTIFY (notifyMaxBytes). */
  @IsDefined()
  message!: unknown;
}
