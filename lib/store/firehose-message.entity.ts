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
  /** bigint comes back from pg as a string. */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'channel_id', type: 'integer' })
  streamId!: number;

  // No foreign key in the schema (see the migration): the relation is for queries only.
  @ManyToOne(() => FirehoseStreamEntity, { createForeignKeyConstraints: false })
  @JoinColumn({ name: 'channel_id' })
  stream?: Relation<FirehoseStreamEntity>;

  @Column({ type: 'bigint' })
  sequence!: string;

  @Column({ type: 'json' })
  data!: unknown;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
