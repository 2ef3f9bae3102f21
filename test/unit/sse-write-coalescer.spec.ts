import type { SseChunk } from '../../lib/transports/sse/sse-chunk.js';
import { SseWriteCoalescer, type CoalescedWriter } from '../../lib/transports/sse/sse-write-coalescer.js';

class RecordingWriter implements CoalescedWriter {
  readonly chunks: SseChunk[] = [];
  private queued: Buffer[] = [];

  constructor(private readonly coalescer: SseWriteCoalescer) {}

  queue(frame: Buffer): void {
    if (this.queued.length === 0) this.coalescer.schedule(this);
    this.queued.push(frame);
  }

  takeQueued(): Buffer[] {
    const frames = this.queued;
    this.queued = [];
    return frames;
  }

  writeChunk(chunk: SseChunk): void {
    this.chunks.push(chunk);
  }

  checked = 0;

  checkPending(): void {
    this.checked++;
  }
}

const flushed = () => new Promise<void>((resolve) => queueMicrotask(resolve));

describe('SseWriteCoalescer', () => {
  const a = Buffer.from('id: 1\n\n');
  const b = Buffer.from('id: 2\n\n');

  it('writes the frames queued in one run as one chunk per writer, in order', async () => {
    const coalescer = new SseWriteCoalescer();
    const writer = new RecordingWriter(coalescer);
    writer.queue(a);
    writer.queue(b);
    expect(writer.chunks).toEqual([]);
    await flushed();
    expect(writer.chunks.map((chunk) => String(chunk.payload))).toEqual(['id: 1\n\nid: 2\n\n']);
    expect(String(writer.chunks[0].framed)).toBe('e\r\nid: 1\n\nid: 2\n\n\r\n');
  });

  it('gives writers that queued the same frames the same chunk, and others their own', async () => {
    const coalescer = new SseWriteCoalescer();
    const [first, second, other] = [0, 1, 2].map(() => new RecordingWriter(coalescer));
    for (const writer of [first, second]) {
      writer.queue(a);
      writer.queue(b);
    }
    other.queue(b);
    other.queue(a);
    await flushed();
    expect(second.chunks[0]).toBe(first.chunks[0]);
    expect(String(other.chunks[0].payload)).toBe('id: 2\n\nid: 1\n\n');
  });

  it('checks what waits for each writer once the run has reached the sockets', async () => {
    const coalescer = new SseWriteCoalescer();
    const writer = new RecordingWriter(coalescer);
    writer.queue(a);
    await flushed();
    expect(writer.checked).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(writer.checked).toBe(1);
  });

  it('passes a lone frame through without copying it', async () => {
    const coalescer = new SseWriteCoalescer();
    const writer = new RecordingWriter(coalescer);
    writer.queue(a);
    await flushed();
    expect(writer.chunks[0].payload).toBe(a);
  });
});
