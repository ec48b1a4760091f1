import { Body, Controller, Get, HttpCode, Ip, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser, Roles } from '@app/auth';
import { ApiIdempotencyKey, ApiProblems, IdempotencyKey, IdempotencyKeyHeader } from '@app/platform';
import { AttemptGuard } from './attempt-guard';
import {
  CancellationView,
  CancelRedemptionDto,
  CheckPassDto,
  FailedAttemptsView,
  PassCheckView,
  RedeemPassesDto,
  RedemptionHistoryQueryDto,
  RedemptionView,
  SiteRedemptionsPage,
} from './dto/redeem.dto';
import { RedemptionsService } from './redemptions.service';

@ApiTags('redemptions')
@Controller()
export class RedemptionsController {
  constructor(
    private readonly redemptions: RedemptionsService,
    private readonly guard: AttemptGuard,
  ) {}

  @Post('redemptions')
  @Roles('site')
  @ApiIdempotencyKey('One per redemption attempt; a retry with the same key and codes gets the same answer')
  @ApiCreatedResponse({ type: RedemptionView })
  @ApiOperation({
    summary: 'Redeem passes',
    description: 'All or none; a refusal lists each refused code in `details.codes`',
  })
  @ApiProblems({
    403: [
      'SITE_REQUIRED',
      'SITE_NOT_FOUND',
      'SITE_NOT_ACCREDITED',
      'SITE_SUSPENDED',
      'SITE_REVOKED',
      'SITE_ACCREDITATION_LAPSED',
    ],
    409: ['PASS_ALREADY_REDEEMED'],
    422: [
      'CODES_DUPLICATED',
      'CODE_INVALID',
      'PASS_UNKNOWN',
      'SITE_OUTSIDE_TERRITORY',
      'PASS_VOIDED',
      'PASS_NOT_YET_VALID',
      'PASS_EXPIRED',
    ],
    429: ['TOO_MANY_FAILED_ATTEMPTS'],
  })
  redeem(
    @Body() body: RedeemPassesDto,
    @IdempotencyKeyHeader() idempotencyKey: IdempotencyKey,
    @CurrentUser() user: AuthenticatedUser,
    @Ip() clientAddress: string,
  ): Promise<RedemptionView> {
    return this.redemptions.redeem(user, idempotencyKey, body.codes, clientAddress);
  }

  @Get('redemptions')
  @Roles('site')
  @ApiOkResponse({ type: SiteRedemptionsPage })
  @ApiOperation({
    summary: "List the site's redemptions",
    description: 'In [from, to), the last 24 hours by default, newest first, with what may still be cancelled',
  })
  @ApiProblems({ 400: ['HISTORY_RANGE_INVALID'], 403: ['SITE_REQUIRED'] })
  history(
    @Query() query: RedemptionHistoryQueryDto,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<SiteRedemptionsPage> {
    return this.redemptions.history(user, query.from, query.to, query.page, query.pageSize);
  }

  /** A POST so that the code never sits in a URL or an access log. */
  @Post('passes/check')
  @HttpCode(200)
  @Roles('site')
  @ApiOkResponse({ type: PassCheckView })
  @ApiOperation({
    summary: 'Check a pass without redeeming it',
    description: 'What redeeming would answer; a refusal is in the 200 answer',
  })
  @ApiProblems({ 403: ['SITE_REQUIRED', 'SITE_NOT_FOUND'], 429: ['TOO_MANY_FAILED_ATTEMPTS'] })
  check(
    @Body() body: CheckPassDto,
    @CurrentUser() user: AuthenticatedUser,
    @Ip() clientAddress: string,
  ): Promise<PassCheckView> {
    return this.redemptions.check(user, body.code, clientAddress);
  }

  @Post('redemptions/:id/cancellation')
  @HttpCode(200)
  @Roles('site')
  @ApiOkResponse({ type: CancellationView })
  @ApiOperation({ summary: 'Cancel a redemption', description: 'Within 24 hours; the passes are usable again' })
  @ApiProblems({
    403: ['SITE_REQUIRED'],
    404: ['REDEMPTION_NOT_FOUND'],
    409: ['REDEMPTION_ALREADY_CANCELLED', 'REDEMPTION_CANCELLATION_TOO_LATE'],
  })
  cancel(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: CancelRedemptionDto,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<CancellationView> {
    return this.redemptions.cancel(user, id, body.reason);
  }

  @Get('sites/:id/failed-attempts')
  @Roles('operator')
  @ApiOkResponse({ type: FailedAttemptsView })
  @ApiOperation({ summary: "Read a site's failed redemption attempts" })
  failedAttempts(@Param('id', ParseUUIDPipe) id: string): Promise<FailedAttemptsView> {
    return this.guard.failuresOf(id);
  }
}
