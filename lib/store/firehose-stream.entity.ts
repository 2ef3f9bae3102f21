import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/**
 * One row per stream. Its row lock is the stream's sequencer; `prunedId` is the highest id cleanup
 * has deleted from it, which tells a complete replay from a trimmed one. Read-only for apps.
 *
 * @publicApi
 */
@Entity({ name: 'firehose_channels' })
export class FirehoseStreamEntity {
  /** The stream's id (`streamId` of its events; `channel_id` on the wire). */
  @PrimaryGeneratedColumn()
  id!: number;

  /** The stream's name. */
  @Column({ type: 'varchar', length: 255, unique: true })
  name!: string;

  /** Sequence of the stream's newest event. bigint comes back from pg as a string. */
  @Column({ type: 'bigint', default: 0 })
  sequence!: string;

  /** Highest event id cleanup has deleted from this stream (a bigint, as a string). */
  @Column({ name: 'pruned_id', type: 'bigint', default: 0 })
  prunedId!: string;

  /** When the stream's first event was written. */
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** When the stream's newest event was written. */
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
