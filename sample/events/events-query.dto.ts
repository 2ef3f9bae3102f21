import { Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsOptional, IsString, Min } from 'class-validator';

export class EventsQueryDto {
  /** Comma-separated stream names, e.g. `jobs,dashboard`. */
  @IsString()
  @IsNotEmpty()
  streams!: string;

  /** The protocol's cursor name. 0 (the default here) asks for every event still kept. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  last_event_id?: number;
}
