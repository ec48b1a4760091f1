import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser, Roles } from '@app/auth';
import { ApiProblems } from '@app/platform';
import { AllocationsService } from './allocations.service';
import { AllocationView, ListAllocationsQuery } from './dto/allocation.view';

@ApiTags('allocations')
@Controller('allocations')
export class AllocationsController {
  constructor(private readonly allocations: AllocationsService) {}

  @Get()
  @Roles('counselor', 'operator')
  @ApiOkResponse({ type: [AllocationView] })
  @ApiOperation({
    summary: "List agencies' allocation balances",
    description: 'A counselor sees its own agency; the operator every agency, or the one asked',
  })
  @ApiProblems({ 403: ['AGENCY_NOT_FOUND'] })
  list(@Query() query: ListAllocationsQuery, @CurrentUser() user: AuthenticatedUser): Promise<AllocationView[]> {
    return this.allocations.list(user, query.agencyId);
  }
}
