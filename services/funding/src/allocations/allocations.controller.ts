import { Body, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser, Roles } from '@app/auth';
import { ApiProblems } from '@app/platform';
import { AllocationRow, ReclaimRow } from './allocation.repository';
import { AllocationsService } from './allocations.service';
import { GrantAllocationDto, RequestReclaimDto } from './dto/allocation.dto';

@ApiTags('allocations')
@Controller('programs/:programId')
export class AllocationsController {
  constructor(private readonly allocations: AllocationsService) {}

  @Post('allocations')
  @Roles('operator', 'funder')
  @ApiOperation({
    summary: 'Grant an allocation to an agency',
    description: "In whole booklets, from the program's unallocated budget: the operator or the lead funder",
  })
  @ApiProblems({
    403: ['NOT_LEAD_FUNDER'],
    404: ['PROGRAM_NOT_FOUND'],
    409: ['PROGRAM_CLOSED'],
    422: ['AGENCY_NOT_FOUND', 'ALLOCATION_NOT_WHOLE_BOOKLETS', 'ALLOCATION_EXCEEDS_UNALLOCATED'],
  })
  grant(
    @Param('programId', ParseUUIDPipe) programId: string,
    @Body() body: GrantAllocationDto,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<AllocationRow> {
    return this.allocations.grant(programId, body, user);
  }

  @Get('allocations')
  @Roles('operator', 'funder')
  @ApiOperation({ summary: "List a program's allocations and reclaims" })
  @ApiProblems({ 404: ['PROGRAM_NOT_FOUND'] })
  list(
    @Param('programId', ParseUUIDPipe) programId: string,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<{ allocations: AllocationRow[]; reclaims: ReclaimRow[] }> {
    return this.allocations.list(programId, user);
  }

  @Post('reclaims')
  @Roles('operator', 'funder')
  @ApiOperation({
    summary: "Reclaim an agency's unspent allocation",
    description: 'Issuance frees what is unspent, up to the amount asked; the answer moves the money',
  })
  @ApiProblems({
    403: ['NOT_LEAD_FUNDER'],
    404: ['PROGRAM_NOT_FOUND'],
    409: ['PROGRAM_CLOSED'],
    422: ['AGENCY_NOT_FOUND'],
  })
  requestReclaim(
    @Param('programId', ParseUUIDPipe) programId: string,
    @Body() body: RequestReclaimDto,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<ReclaimRow> {
    return this.allocations.requestReclaim(programId, body, user);
  }
}
