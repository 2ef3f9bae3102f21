import type { LoggerService } from '@nestjs/common';

export interface CapturedLog {
  level: 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';
  message: string;
  /** Extra arguments (stack, context) as Nest passed them. */
  params: unknown[];
}

/** A Nest logger that records instead of printing, so tests can assert on what was logged. */
export class CapturingLogger implements LoggerService {
  readonly logs: CapturedLog[] = [];

  log(message: unknown, ...params: unknown[]): void {
    this.record('log', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.record('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.record('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.record('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.record('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.record('fatal', message, params);
  }

  /** Messages of one level, in the order they were logged. */
  messages(level: CapturedLog['level']): string[] {
    return this.logs.filter((log) => log.level === level).map((log) => log.message);
  }

  private record(level: CapturedLog['level'], message: unknown, params: unknown[]): void {
    this.logs.push({ level, message: message instanceof Error ? message.message : String(message), params });
  }
}
