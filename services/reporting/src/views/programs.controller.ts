import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser, Roles } from '@app/auth';
import { ApiProblems } from '@app/platform';
import { PROGRAM_READ_PROBLEMS } from './program-access.service';
import { ReportingService } from './reporting.service';

/** Read models of programs; every answer carries its freshness (consumer lag, latest event applied). */
@ApiTags('programs')
@Controller('programs')
export class ProgramsController {
  constructor(private readonly reporting: ReportingService) {}

  @Get()
  @Roles('operator', 'funder')
  @ApiOperation({
    summary: 'List the programs',
    description: 'Those the caller may see (a funder: those where it has a funding line)',
  })
  @ApiProblems({ 403: ['REPORTING_ROLE_FORBIDDEN'] })
  list(@CurrentUser() user: AuthenticatedUser) {
    return this.reporting.programs(user);
  }

  @Get(':id/summary')
  @Roles('operator', 'funder')
  @ApiOperation({
    summary: "Read a program's summary",
    description: 'Budget, allocations, booklets and passes of a program, per funding line too',
  })
  @ApiProblems(PROGRAM_READ_PROBLEMS)
  summary(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: AuthenticatedUser) {
    return this.reporting.summary(user, id);
  }

  @Get(':id/by-agency')
  @Roles('operator', 'funder')
  @ApiOperation({ summary: 'A program per agency' })
  @ApiProblems(PROGRAM_READ_PROBLEMS)
  byAgency(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: AuthenticatedUser) {
    return this.reporting.byAgency(user, id);
  }

  @Get(':id/by-site')
  @Roles('operator', 'funder')
  @ApiOperation({ summary: 'A program per site' })
  @ApiProblems(PROGRAM_READ_PROBLEMS)
  bySite(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: AuthenticatedUser) {
    return this.reporting.bySite(user, id);
  }

  @Get(':id/by-departement')
  @Roles('operator', 'funder')
  @ApiOperation({
    summary: 'A program per département',
    description: "Issuance by the agency's département, redemptions by the site's",
  })
  @ApiProblems(PROGRAM_READ_PROBLEMS)
  byDepartement(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: AuthenticatedUser) {
    return this.reporting.byDepartement(user, id);
  }

  @Get(':id/by-day')
  @Roles('operator', 'funder')
  @ApiOperation({ summary: 'A program per day', description: 'Per Europe/Paris calendar day' })
  @ApiProblems(PROGRAM_READ_PROBLEMS)
  byDay(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: AuthenticatedUser) {
    return this.reporting.byDay(user, id);
  }

  @Get(':id/profiles')
  @Roles('operator', 'funder')
  @ApiOperation({
    summary: "A program's beneficiary profiles",
    description: 'Beneficiaries per age band, situation and diagnostic level; counts under 5 read "< 5"',
  })
  @ApiProblems(PROGRAM_READ_PROBLEMS)
  profiles(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: AuthenticatedUser) {
    return this.reporting.profiles(user, id);
  }
}
