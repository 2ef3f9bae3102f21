import { Body, Controller, Post } from '@nestjs/common';
import { CommentsService } from './comments.service.js';
import { CreateCommentDto } from './create-comment.dto.js';

@Controller('comments')
export class CommentsController {
  constructor(private readonly comments: CommentsService) {}

  /** POST /comments {text}: a row and its event, committed together. */
  @Post()
  create(@Body() body: CreateCommentDto) {
    return this.comments.create(body.text);
  }
}
