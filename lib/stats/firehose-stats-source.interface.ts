/**
 * A part of the app that reports its own figures with the process's stats, as a feature module
 * does (ephemeral topics, Durable Streams long-polls) or an app's own transport. Register it with
 * `FirehoseStats.register(source)`; the returned function removes it.
 *
 * @publicApi
 */
export interface FirehoseStatsSource {
  /** Its key under `connections` and `features` of the snapshot, e.g. `topics`. Unique per app. */
  readonly name: string;
  /** Client connections (or waiting requests) it holds now; counted in `connections`. */
  connections?(): number;
  /** Its own figures, reported as they are under `features[name]`; must be JSON-serializable. */
  stats?(): unknown;
}
