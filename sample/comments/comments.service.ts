import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { FirehoseService, type FirehoseEvent } from '../../lib/index.js';
import { Comment } from './comment.entity.js';

export interface CommentPayload {
  id: number;
  text: string;
}

@Injectable()
export class CommentsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly firehose: FirehoseService,
  ) {}

  /**
   * Saves the comment and broadcasts it atomically: with `manager` the event is written on this
   * transaction's connection, so it exists (and is delivered) if and only if the comment commits.
   */
  create(text: string): Promise<{ comment: Comment; event: FirehoseEvent<CommentPayload> }> {
    return this.dataSource.transaction(async (manager) => {
      const comment = await manager.save(manager.create(Comment, { text }));
      // Last: the broadcast holds the module's append lock until this transaction commits, so any
      // work after it would delay every other broadcaster.
      const event = await this.firehose.broadcast<CommentPayload>('comments', { id: comment.id, text }, { manager });
      return { comment, event };
    });
  }
}
