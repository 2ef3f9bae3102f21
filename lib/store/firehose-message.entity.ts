import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { FirehoseStreamEntity } from './firehose-stream.entity.js';

/**
 * One stored broadcast. Write through `FirehoseService.broadcast()` only: ids must be assigned
 * under the module's append lock to stay commit-ordered.
 *
 * @publicApi
 */
@Entity({ name: 'firehose_messages' })
@Index('firehose_messages_channel_id_id', ['streamId', 'id'])
export class FirehoseMessageEntity {
  /** The event's global id; bigint comes back from pg as a string. */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  /** Id of the event's stream (`FirehoseStreamEntity.id`). */
  @Column({ name: 'channel_id', type: 'integer' })
  streamId!: number;

  // No foreign key in the schema (see the migration): the relation is for queries only.
  @ManyToOne(() => FirehoseStreamEntity, { createForeignKeyConstraints: false })
  @JoinColumn({ name: 'channel_id' })
  /** The event's stream, when a query joins it. */
  stream?: Relation<FirehoseStreamEntity>;

  /** Position in its stream (a bigint, as a string). */
  @Column({ type: 'bigint' })
  sequence!: string;

  /** The broadcast's data. */
  @Column({ type: 'json' })
  data!: unknown;

  /** When the event was written. */
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
