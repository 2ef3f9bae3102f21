import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { FirehoseChannel } from './firehose-channel.entity.js';

/**
 * One stored broadcast. Write through `FirehoseService.broadcast()` only: ids must be assigned
 * under the module's append lock to stay commit-ordered.
 *
 * @publicApi
 */
@Entity({ name: 'firehose_messages' })
@Index('firehose_messages_channel_id_id', ['channelId', 'id'])
export class FirehoseMessage {
  /** bigint comes back from pg as a string. */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'channel_id', type: 'integer' })
  channelId!: number;

  // No foreign key in the schema (see the migration): the relation is for queries only.
  @ManyToOne(() => FirehoseChannel, { createForeignKeyConstraints: false })
  @JoinColumn({ name: 'channel_id' })
  channel?: Relation<FirehoseChannel>;

  @Column({ type: 'bigint' })
  sequence!: string;

  @Column({ type: 'json' })
  data!: unknown;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
