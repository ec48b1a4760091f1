import { Body, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser, Roles } from '@app/auth';
import { AllocationRow, ReclaimRow } from './allocation.repository';
import { AllocationsService } from './allocations.service';
import { GrantAllocationDto, RequestReclaimDto } from './dto/allocation.dto';

@ApiTags('allocations')
@Controller('programs/:programId')
export class AllocationsController {
  constructor(private readonly allocations: AllocationsService) {}

  @Post('allocations')
  @Roles('operator', 'funder')
  grant(
    @Param('programId', ParseUUIDPipe) programId: string,
    @Body() body: GrantAllocationDto,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<AllocationRow> {
    return this.allocations.grant(programId, body, user);
  }

  @Get('allocations')
  @Roles('operator', 'funder')
  list(
    @Param('programId', ParseUUIDPipe) programId: string,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<{ allocations: AllocationRow[]; reclaims: ReclaimRow[] }> {
    return this.allocations.list(programId, user);
  }

  @Post('reclaims')
  @Roles('operator', 'funder')
  requestReclaim(
    @Param('programId', ParseUUIDPipe) programId: string,
    @Body() body: RequestReclaimDto,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<ReclaimRow> {
    return this.allocations.requestReclaim(programId, body, user);
  }
}
