// The event types are the wire's, so they live in protocol/ (shared with the browser client);
// this path stays for the feature modules that import them from here.
export * from '../protocol/firehose-event.js';
