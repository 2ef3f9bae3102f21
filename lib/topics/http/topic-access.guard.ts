import {
  BadRequestException,
  ForbiddenException,
  Inject,
  Injectable,
  Optional,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isValidTopicId } from '../../protocol/topic-name.js';
import { ConnectionSlots } from '../../transports/connection/connection-slots.js';
import { refuseForCapacity } from '../../transports/sse/sse-capacity-refusal.js';
import { TopicInvalidIdError } from '../errors/topic-invalid-id.error.js';
import type { FirehoseTopicsAuthorizer, TopicOperation } from '../firehose-topics-authorizer.interface.js';
import { FIREHOSE_TOPICS_AUTHORIZER } from '../topics.constants.js';

const NO_AUTHORIZER_MESSAGE =
  'No topic is open: no FirehoseTopicsAuthorizer is configured, so every topic request is refused. ' +
  'Pass `authorizer` to FirehoseTopicsModule.forRoot() (AllowAllTopicsAuthorizer for demos and trusted networks).';

/**
 * Guards both topic routes after the app's own guards: the topic id (400), the connection cap
 * for a subscriber (503, before the authorizer's work), then the authorizer for this topic and
 * operation (403). Deny by default: no authorizer, no topic.
 */
@Injectable()
export class TopicAccessGuard implements CanActivate {
  constructor(
    private readonly slots: ConnectionSlots,
    @Optional() @Inject(FIREHOSE_TOPICS_AUTHORIZER) private readonly authorizer?: FirehoseTopicsAuthorizer,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<IncomingMessage & { params?: Record<string, unknown> }>();
    const topic = request.params?.topic;
    if (!isValidTopicId(topic)) throw new BadRequestException(new TopicInvalidIdError(topic).message);
    const operation: TopicOperation = request.method === 'POST' ? 'publish' : 'subscribe';
    if (operation === 'subscribe' && this.slots.refusing) refuseForCapacity(http.getResponse<ServerResponse>(), this.slots.refusal);
    if (!this.authorizer) throw new ForbiddenException(NO_AUTHORIZER_MESSAGE);
    if ((await this.authorizer.authorizeTopic(topic, operation, { request })) !== true) {
      throw new ForbiddenException(`This request may not ${operation} to topic "${topic}".`);
    }
    return true;
  }
}
