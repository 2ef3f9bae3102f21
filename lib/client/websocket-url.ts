/**
 * The WebSocket URL of a Firehose path: `/firehose` becomes `ws://<this page's host>/firehose`
 * (`wss:` on an https page); an `http(s):` or `ws(s):` URL is used as it is, with the scheme
 * turned into its WebSocket twin.
 */
export function websocketUrl(path: string, base: string): string {
  const url = new URL(path, base);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  return url.toString();
}
