/** What to try once the app listens, printed at boot. */
export function usageLines(base: string): string[] {
  const json = `-H 'content-type: application/json'`;
  return [
    `Firehose sample listening on ${base}`,
    `  Live board (open it in two tabs): ${base}/`,
    `  curl -X POST ${base}/broadcast ${json} -d '{"stream":"dashboard","data":{"visitors":42}}'`,
    `  curl '${base}/events?streams=dashboard,jobs&last_event_id=0'`,
    `  curl -N '${base}/firehose/sse?streams=dashboard,jobs'`,
    `  npx wscat -c ${base.replace(/^http/, 'ws')}/firehose   then send {"command":"subscribe","streams":["dashboard"]}`,
    `  Fluxbase realtime: npx wscat -c ${base.replace(/^http/, 'ws')}/realtime   then send {"type":"subscribe","channel":"table:public.sample_products"}`,
    `  curl -X POST ${base}/api/realtime/token ${json} -d '{"user":"ann"}'   (then ?token=… on /realtime, for user:ann)`,
    `  curl ${base}/api/realtime/stats`,
    `  curl -N --compressed ${base}/topics/typing/events   and   curl -X POST ${base}/topics/typing/events ${json} -d '{"data":{"tab":"curl"}}'`,
    `  curl -X POST ${base}/comments ${json} -d '{"text":"hello"}'`,
    `  curl -X POST ${base}/queue/tasks ${json} -d '{"message":{"task":"resize"}}'`,
    `  curl '${base}/queue/tasks?timeout=1000'`,
    `  curl ${base}/health`,
    `  curl ${base}/healthz   (this instance's connections, deliveries, drops, NOTIFY queue)`,
    `Worker (another process, same database): npm run sample:worker`,
  ];
}
