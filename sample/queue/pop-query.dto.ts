import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export class PopQueryDto {
  /** Milliseconds to wait for a message; past it the answer is 408. Bounded so no request hangs. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(30_000)
  timeout: number = 1000;
}
