import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser, Roles } from '@app/auth';
import { AllocationsService } from './allocations.service';
import { AllocationView, ListAllocationsQuery } from './dto/allocation.view';

@ApiTags('allocations')
@Controller('allocations')
export class AllocationsController {
  constructor(private readonly allocations: AllocationsService) {}

  @Get()
  @Roles('counselor', 'operator')
  @ApiOkResponse({ type: [AllocationView] })
  list(@Query() query: ListAllocationsQuery, @CurrentUser() user: AuthenticatedUser): Promise<AllocationView[]> {
    return this.allocations.list(user, query.agencyId);
  }
}
