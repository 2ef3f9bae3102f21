/**
 * Told of what a counter cannot say after the fact: each batch's size and commit time, and the
 * sampled latency of a broadcast to the end of its fan-out. The operations module records them as
 * OpenTelemetry histograms.
 */
export interface FirehoseStatsObserver {
  batchCommitted?(size: number, commitSeconds: number): void;
  deliveryLatency?(seconds: number): void;
}
