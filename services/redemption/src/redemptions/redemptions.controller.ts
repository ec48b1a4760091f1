import { Body, Controller, Get, HttpCode, Ip, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser, Roles } from '@app/auth';
import { ApiIdempotencyKey, IdempotencyKey, IdempotencyKeyHeader } from '@app/platform';
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
  failedAttempts(@Param('id', ParseUUIDPipe) id: string): Promise<FailedAttemptsView> {
    return this.guard.failuresOf(id);
  }
}
