import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { PopQueryDto } from './pop-query.dto.js';
import { PushMessageDto } from './push-message.dto.js';
import { QueueHandles } from './queue-handles.service.js';

@Controller('queue')
export class QueueController {
  constructor(private readonly queues: QueueHandles) {}

  /** POST /queue/:name {message}: every handle open on `name`, in every process, receives it. */
  @Post(':name')
  @HttpCode(HttpStatus.ACCEPTED)
  async push(@Param('name') name: string, @Body() body: PushMessageDto): Promise<{ queued: true }> {
    await this.queues.get(name).push(body.message);
    return { queued: true };
  }

  /** GET /queue/:name?timeout=ms: the oldest message this app holds, or 408 when none comes in time. */
  @Get(':name')
  async pop(@Param('name') name: string, @Query() query: PopQueryDto): Promise<{ message: unknown }> {
    return { message: await this.queues.get(name).pop({ timeout: query.timeout }) };
  }
}
