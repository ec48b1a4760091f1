import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser, Roles } from '@app/auth';
import { ApiProblems } from '../api-problems';
import {
  DeadLetterPageView,
  DeadLetterView,
  DiscardDeadLetterDto,
  ListDeadLettersQuery,
  ReplayAllView,
  ReplayedDeadLetterView,
} from './dead-letter.views';
import { DeadLettersService } from './dead-letters.service';

/** Every service's dead letters, for the operator: registered once per service by createServiceApp. */
@ApiTags('operations')
@Controller('dead-letters')
export class DeadLettersController {
  constructor(private readonly deadLetters: DeadLettersService) {}

  @Get()
  @Roles('operator')
  @ApiOperation({
    summary: 'List the dead letters',
    description: 'Consumed messages this service could not apply, newest first, with what became of them',
  })
  @ApiOkResponse({ type: DeadLetterPageView })
  list(@Query() query: ListDeadLettersQuery): Promise<DeadLetterPageView> {
    return this.deadLetters.list(query.state, query.page, query.pageSize);
  }

  @Get(':id')
  @Roles('operator')
  @ApiOperation({
    summary: 'Read a dead letter',
    description: 'Its error, where it was read, the original message and its state',
  })
  @ApiOkResponse({ type: DeadLetterView })
  @ApiProblems({ 404: ['DEAD_LETTER_NOT_FOUND'] })
  get(@Param('id') id: string): Promise<DeadLetterView> {
    return this.deadLetters.get(id);
  }

  @Post('replay')
  @Roles('operator')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Replay every open dead letter',
    description: 'Oldest first, through the consumer: those that fail again stay open and are listed',
  })
  @ApiOkResponse({ type: ReplayAllView })
  replayAll(@CurrentUser() user: AuthenticatedUser): Promise<ReplayAllView> {
    return this.deadLetters.replayAll(user.subject);
  }

  @Post(':id/replay')
  @Roles('operator')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Replay a dead letter',
    description:
      'Apply an open dead letter again through the consumer, once its cause is fixed; an event already applied changes nothing',
  })
  @ApiOkResponse({ type: ReplayedDeadLetterView })
  @ApiProblems({
    404: ['DEAD_LETTER_NOT_FOUND'],
    409: ['DEAD_LETTER_ALREADY_RESOLVED'],
    422: ['DEAD_LETTER_REPLAY_FAILED'],
  })
  replay(@Param('id') id: string, @CurrentUser() user: AuthenticatedUser): Promise<ReplayedDeadLetterView> {
    return this.deadLetters.replay(id, user.subject);
  }

  @Post(':id/discard')
  @Roles('operator')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Discard a dead letter',
    description: 'Close an open dead letter without applying it, saying why',
  })
  @ApiOkResponse({ type: DeadLetterView })
  @ApiProblems({ 404: ['DEAD_LETTER_NOT_FOUND'], 409: ['DEAD_LETTER_ALREADY_RESOLVED'] })
  discard(
    @Param('id') id: string,
    @Body() body: DiscardDeadLetterDto,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<DeadLetterView> {
    return this.deadLetters.discard(id, body.reason, user.subject);
  }
}
