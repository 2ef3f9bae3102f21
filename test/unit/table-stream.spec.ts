import { isTableChangeEvent, tableStream, type FirehoseEvent } from '../../lib/index.js';

const event = (stream: string, data: unknown): FirehoseEvent => ({ id: 1, stream, data, sequence: 1, streamId: 1 });

describe('table streams', () => {
  it('names the stream of a table with its names as stored, unquoted', () => {
    expect(tableStream('public', 'products')).toBe('table:public.products');
    expect(tableStream('Shop Floor', 'Order Items')).toBe('table:Shop Floor.Order Items');
  });

  it('recognizes change events by their stream and data, not broadcasts that merely look alike', () => {
    expect(
      isTableChangeEvent(event('table:public.products', { type: 'DELETE', schema: 'public', table: 'products', old_record: { id: 1 } })),
    ).toBe(true);
    expect(isTableChangeEvent(event('products', { type: 'DELETE' }))).toBe(false);
    expect(isTableChangeEvent(event('table:public.products', null))).toBe(false);
    expect(isTableChangeEvent(event('table:public.products', 'text'))).toBe(false);
  });
});
