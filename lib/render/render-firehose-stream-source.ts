import { DEFAULT_PATH } from '../firehose.constants.js';
import { FirehoseConfigurationError } from '../errors/firehose-configuration.error.js';
import { FirehoseInvalidStreamNameError } from '../errors/invalid-stream-name.error.js';
import { escapeHtmlAttribute } from './escape-html-attribute.js';
import { firehoseStreamName, type FirehoseStreamTarget } from './firehose-stream-name.js';

/** Options of `renderFirehoseStreamSource`. */
export interface RenderFirehoseStreamSourceOptions {
  /** The module's `path`, default `/firehose`. */
  path?: string;
}

/**
 * `<firehose-stream-source path="/firehose" streams="dashboard,Comment:42"></firehose-stream-source>`
 * for a page rendered on the server (any template engine): the element subscribes the page while it
 * is in the document. Streams are names or entities (see firehoseStreamName); every attribute is
 * HTML-escaped, so a name from user data cannot break out of the tag.
 */
export function renderFirehoseStreamSource(
  targets: FirehoseStreamTarget | readonly FirehoseStreamTarget[],
  options: RenderFirehoseStreamSourceOptions = {},
): string {
  const list: readonly FirehoseStreamTarget[] = Array.isArray(targets) ? targets : [targets as FirehoseStreamTarget];
  if (list.length === 0) throw new FirehoseInvalidStreamNameError('', 'expected at least one stream name or entity');
  const streams = [...new Set(list.map(firehoseStreamName))];
  for (const stream of streams) {
    // The element's attribute is a comma-separated list whose names the client trims.
    if (stream.includes(','))
      throw new FirehoseInvalidStreamNameError(stream, 'a name with a comma cannot be listed in the element\'s "streams" attribute');
    if (stream.trim() !== stream)
      throw new FirehoseInvalidStreamNameError(stream, 'the element\'s "streams" attribute ignores blanks around a name');
  }
  const path = options.path ?? DEFAULT_PATH;
  if (typeof path !== 'string' || path === '') {
    throw new FirehoseConfigurationError('renderFirehoseStreamSource `path` must be the module\'s `path`, e.g. "/firehose".');
  }
  return `<firehose-stream-source path="${escapeHtmlAttribute(path)}" streams="${escapeHtmlAttribute(streams.join(','))}"></firehose-stream-source>`;
}
