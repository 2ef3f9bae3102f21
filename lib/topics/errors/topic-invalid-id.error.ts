import { describeValue } from '../../errors/describe-value.js';
import { FirehoseError } from '../../errors/firehose.error.js';
import { TOPIC_ID_RULE } from '../../protocol/topic-name.js';

/**
 * A topic id does not follow the rule (the HTTP routes answer 400 with this message).
 *
 * @publicApi
 */
export class TopicInvalidIdError extends FirehoseError {
  constructor(
    /** The value given as a topic id. */
    readonly topic: unknown,
  ) {
    super(`Invalid topic id ${describeValue(topic)}: a topic id is ${TOPIC_ID_RULE}.`);
  }
}
