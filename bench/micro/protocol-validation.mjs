// Micro-benchmark: time per call of the WebSocket command parser and the SSE query parser, which
// validate with the class-validator DTOs (lib/transports/schema/), against the same checks written
// by hand (what they did before), on valid input (the common case). Run after `npm run build`:
//   node bench/micro/protocol-validation.mjs [iterations=200000]
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { parseCursor } from '../../dist/lib/protocol/cursor.js';
import { splitStreamList } from '../../dist/lib/protocol/stream-name.js';
import { normalizeStreamNames } from '../../dist/lib/publish/stream-name.js';
import { parseRequestedStreams } from '../../dist/lib/transports/sse/sse-request.js';
import { parseWsCommand } from '../../dist/lib/transports/ws/parse-ws-command.js';

const N = Number(process.argv[2] ?? 200_000);
const FRAME = '{"command":"subscribe","streams":["dashboard","Post:7"],"last_event_id":123}';
const REQUEST = { url: '/firehose/sse?streams=dashboard,Post:7&last_event_id=123', headers: {} };

/** The hand-written checks the parsers had before the DTOs. */
function byHand(text) {
  const frame = JSON.parse(text);
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) throw new Error('not an object');
  const { command, streams, last_event_id } = frame;
  if (command !== 'subscribe' && command !== 'unsubscribe') throw new Error('unknown command');
  if (!Array.isArray(streams) || streams.length === 0) throw new Error('no streams');
  return { command, streams: normalizeStreamNames(streams), lastEventId: last_event_id == null ? undefined : parseCursor(last_event_id) };
}
function sseByHand(request) {
  const values = new URL(request.url, 'http://localhost').searchParams.getAll('streams');
  if (values.length === 0) throw new Error('missing');
  return normalizeStreamNames(values.flatMap(splitStreamList));
}

function time(label, fn, arg) {
  for (let i = 0; i < N / 10; i++) fn(arg); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < N; i++) fn(arg);
  const us = ((performance.now() - t0) * 1000) / N;
  console.log(`${label.padEnd(44)} ${us.toFixed(2)} µs/call`);
  return us;
}

console.log(`node ${process.version}, ${N} calls each`);
const ws = [time('WS subscribe, hand-written checks', byHand, FRAME), time('WS subscribe, class-validator DTO', parseWsCommand, FRAME)];
const sse = [
  time('SSE query, hand-written checks', sseByHand, REQUEST),
  time('SSE query, class-validator DTO', (r) => parseRequestedStreams(r, 100), REQUEST),
];
console.log(`DTO / hand-written: WS ${(ws[1] / ws[0]).toFixed(1)}×, SSE ${(sse[1] / sse[0]).toFixed(1)}×`);
