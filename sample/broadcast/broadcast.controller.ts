import { Body, Controller, Post } from '@nestjs/common';
import { FirehoseService } from '../../lib/index.js';
import { BroadcastDto } from './broadcast.dto.js';

@Controller('broadcast')
export class BroadcastController {
  constructor(private readonly firehose: FirehoseService) {}

  /** POST /broadcast {stream, data}: stores the event and answers it once committed (id, sequence). */
  @Post()
  broadcast(@Body() body: BroadcastDto) {
    return this.firehose.broadcast(body.stream, body.data);
  }
}
