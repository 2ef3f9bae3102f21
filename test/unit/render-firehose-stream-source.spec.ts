import {
  firehoseStreamName,
  FirehoseInvalidStreamNameError,
  renderFirehoseStreamSource,
  FirehoseConfigurationError,
} from '../../lib/index.js';
import { escapeHtmlAttribute } from '../../lib/render/escape-html-attribute.js';

class Comment {
  constructor(readonly id: number | string | bigint) {}
}
class Report {
  id?: number;
}

describe('renderFirehoseStreamSource', () => {
  it('renders the element for stream names, with the default path', () => {
    expect(renderFirehoseStreamSource('dashboard')).toBe(
      '<firehose-stream-source path="/firehose" streams="dashboard"></firehose-stream-source>',
    );
    expect(renderFirehoseStreamSource(['dashboard', 'user:42', 'dashboard'], { path: '/admin/firehose' })).toBe(
      '<firehose-stream-source path="/admin/firehose" streams="dashboard,user:42"></firehose-stream-source>',
    );
  });

  it('names an entity stream after its class and id', () => {
    expect(renderFirehoseStreamSource([new Comment(42), 'dashboard'])).toBe(
      '<firehose-stream-source path="/firehose" streams="Comment:42,dashboard"></firehose-stream-source>',
    );
    expect(firehoseStreamName(new Comment('a-b'))).toBe('Comment:a-b');
    expect(firehoseStreamName(new Comment(9007199254740993n))).toBe('Comment:9007199254740993');
  });

  it('escapes every character that could end the attribute or open a tag', () => {
    const html = renderFirehoseStreamSource(['a"><script>alert(1)</script>', "it's & <b>"], { path: '/f"x\'<>&' });
    expect(html).toBe(
      '<firehose-stream-source path="/f&quot;x&#39;&lt;&gt;&amp;" ' +
        'streams="a&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;,it&#39;s &amp; &lt;b&gt;"></firehose-stream-source>',
    );
    expect(html.match(/</g)).toHaveLength(2);
    expect(html.match(/"/g)).toHaveLength(4);
  });

  it('escapes an ampersand first, so an entity in a name is shown, not decoded', () => {
    expect(escapeHtmlAttribute('&quot;&amp;')).toBe('&amp;quot;&amp;amp;');
    expect(escapeHtmlAttribute('plain:name-1')).toBe('plain:name-1');
  });

  it('refuses names the attribute cannot carry, and invalid names', () => {
    expect(() => renderFirehoseStreamSource('a,b')).toThrow(FirehoseInvalidStreamNameError);
    expect(() => renderFirehoseStreamSource(' padded')).toThrow(/blanks/);
    expect(() => renderFirehoseStreamSource('')).toThrow(FirehoseInvalidStreamNameError);
    expect(() => renderFirehoseStreamSource('bell\u0007')).toThrow(/control characters/);
    expect(() => renderFirehoseStreamSource([])).toThrow(/at least one/);
    expect(() => renderFirehoseStreamSource('a', { path: '' })).toThrow(FirehoseConfigurationError);
  });

  it('refuses objects that do not name a stream: plain objects and unsaved entities', () => {
    expect(() => firehoseStreamName({ id: 1 })).toThrow(/plain object/);
    expect(() => firehoseStreamName(new Report() as never)).toThrow(/save it/);
    expect(() => firehoseStreamName(null as never)).toThrow(FirehoseInvalidStreamNameError);
    expect(() => firehoseStreamName(new Comment(''))).toThrow(/no id yet/);
  });
});
