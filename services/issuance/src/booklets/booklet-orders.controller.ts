import { Body, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser, Roles } from '@app/auth';
import { ApiIdempotencyKey, ApiProblems, IdempotencyKey, IdempotencyKeyHeader } from '@app/platform';
import { ISSUING_PROBLEMS } from './booklet-issuer';
import { BookletOrdersService } from './booklet-orders.service';
import { BookletOrderView, IssuedBookletOrderView } from './dto/booklet.views';
import { OrderBookletsDto } from './dto/order-booklets.dto';

@ApiTags('booklets')
@Controller('booklet-orders')
export class BookletOrdersController {
  constructor(private readonly orders: BookletOrdersService) {}

  @Post()
  @Roles('counselor')
  @ApiOperation({
    summary: 'Issue a campaign of booklets at once',
    description:
      "One booklet per beneficiary profile (1 to 500), all or none: refused with ALLOCATION_EXHAUSTED when the agency's allocation cannot pay for the whole order. " +
      'One BookletIssued per booklet. Same refusals as POST /booklets.',
  })
  @ApiIdempotencyKey(
    'One per order; a retry with the same key and body answers the same order instead of issuing it again',
  )
  @ApiCreatedResponse({
    type: IssuedBookletOrderView,
    description: 'The order with every booklet and its codes, for printing',
  })
  @ApiProblems(ISSUING_PROBLEMS)
  order(
    @Body() body: OrderBookletsDto,
    @IdempotencyKeyHeader() idempotencyKey: IdempotencyKey,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<IssuedBookletOrderView> {
    return this.orders.order(body, idempotencyKey, user);
  }

  @Get(':id')
  @Roles('counselor', 'operator')
  @ApiOkResponse({ type: BookletOrderView, description: 'The order and its booklets (no codes)' })
  @ApiOperation({ summary: 'Read a booklet order' })
  @ApiProblems({ 404: ['BOOKLET_ORDER_NOT_FOUND'] })
  get(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: AuthenticatedUser): Promise<BookletOrderView> {
    return this.orders.get(id, user);
  }
}
